# shellcheck shell=bash
# lib-build.sh: what contrib/check.sh and contrib/demo.sh share: the Debian packages that
# synctop, its tests and its demo need, and the build itself (source it).
#
#   synctop_packages_ensure   install what is missing (as root), or print the apt-get line;
#                             with SYNCTOP_CI_TOOLS=1, what contrib/check.sh --ci needs too
#   synctop_build             autoreconf -fi, ./configure --enable-werror, make -j
#   synctop_build_if_needed   the full build when there is no Makefile yet, else make -j

SYNCTOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build tools and libraries, the servers of the test stack, and what the tests drive (cmark,
# cmark-gfm for GitHub's tables, promtool from prometheus and Debian's python3-jsonschema check
# the snapshot formats; zsh checks the zsh completion; influxdb: the timeseries stage's tests and
# the demo's metrics; openssh-server and screen: keys c and C
# through a private sshd on localhost and through GNU screen, tests/integration/tui_clip.sh;
# libmongoc-dev: the document stage's driver; python3-bson: the MongoDB stand-in
# tests/stack/mongo_standin.py, python3-pymongo: its test).
SYNCTOP_PACKAGES=(
	build-essential autoconf automake libtool pkg-config
	libinih-dev libjansson-dev libpq-dev libcmocka-dev
	postgresql jq procps python3 curl openssl
	libhiredis-dev librdkafka-dev libcurl4-openssl-dev libncurses-dev libzstd-dev
	redis-server redis-tools influxdb tmux valgrind shellcheck
	libmicrohttpd-dev cmark cmark-gfm prometheus python3-jsonschema zsh openssh-server screen
	libmongoc-dev python3-bson python3-pymongo
)
# What contrib/check.sh --ci adds: clang with its sanitizer and libFuzzer runtimes (bookworm's
# clang 14; --no-install-recommends leaves the runtimes out unless named) and llvm-symbolizer.
SYNCTOP_CI_PACKAGES=(clang libclang-rt-14-dev llvm)

synctop_packages_missing() {
	local p
	local -a want=("${SYNCTOP_PACKAGES[@]}")
	((${SYNCTOP_CI_TOOLS:-0} == 0)) || want+=("${SYNCTOP_CI_PACKAGES[@]}")
	for p in "${want[@]}"; do
		[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null) == ii* ]] || printf '%s\n' "$p"
	done
}

synctop_packages_ensure() {
	local -a missing
	mapfile -t missing < <(synctop_packages_missing)
	((${#missing[@]})) || return 0
	if ((EUID != 0)); then
		printf 'Missing Debian packages: %s\nInstall them as root with:\n' "${missing[*]}" >&2
		printf '  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n' \
			"${missing[*]}" >&2
		return 1
	fi
	printf '==> installing %s\n' "${missing[*]}"
	apt-get update </dev/null &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
}

synctop_build() {
	(
		set -e
		cd "$SYNCTOP_ROOT"
		mkdir -p m4 # git keeps no empty directory; without it aclocal warns
		printf '==> autoreconf -fi\n'
		autoreconf -fi
		printf '==> ./configure --enable-werror\n'
		./configure --enable-werror
		printf '==> make -j%s\n' "$(nproc)"
		make -j"$(nproc)"
	)
}

synctop_build_if_needed() {
	if [[ -f $SYNCTOP_ROOT/Makefile && -f $SYNCTOP_ROOT/config.status ]]; then
		make -C "$SYNCTOP_ROOT" -j"$(nproc)"
	else
		synctop_build
	fi
}
