#!/bin/sh
# keys.sh: the KEYS section of synctop(1) comes from the key table (synctop --list-keys).
#   keys.sh SYNCTOP MANPAGE          rewrite the section between the markers
#   keys.sh SYNCTOP MANPAGE --check  exit 1 (saying so) when the page is stale
exec sh "$(dirname "$0")/section.sh" "$1" "$2" KEYS --list-keys ${3:+"$3"}
