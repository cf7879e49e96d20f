#!/usr/bin/env bash
# tui_clip.sh: keys c and C put the markdown snapshot in the clipboard with OSC 52, through a
# real terminal (tmux with set-clipboard on: tmux takes the sequence and fills its paste
# buffer, as it would pass it on to the operator's terminal) against a private search
# stand-in: the buffer is what `--once --format markdown [--pipeline NAME]` prints, less what
# only a --once run can say; the screen is not disturbed; clipboard = false leaves the buffer
# alone and says so; tmux's passthrough and GNU screen's DCS strings reach an outer terminal
# (the test's tmux around another tmux, around screen); and
# the same through ssh to localhost (a private sshd on a loopback port).
# needs: search
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/tui_lib.sh
. "$(dirname "$0")/tui_lib.sh"

require_cmd tmux jq curl pgrep python3
need_search
search_up_extra
URL=$EXTRA_SEARCH_URL
conf=$TEST_TMP/synctop.conf

sreq() {
	curl -sS --max-time 5 -X "$1" "$URL$2" -H 'Content-Type: application/json' --data-binary "$3"
}
# products: refresh off (CRIT, with a diagnosis); orders and users: OK.
sreq PUT /products '{"settings":{"index":{"refresh_interval":"-1"}}}' >/dev/null || bail_out "cannot create an index"
for ix in orders users; do
	sreq PUT "/$ix" '{}' >/dev/null || bail_out "cannot create an index"
done
cat >"$conf" <<CONF
[synctop]
environment = staging
timeout = 2s
interval = 1s

[search es]
url = $URL

[pipeline products]
search = es
search.index = products

[pipeline orders]
search = es
search.index = orders

[pipeline users]
search = es
search.index = users
CONF
chmod 600 "$conf"

# norm: markdown on stdin less what differs between the screen's snapshot and a --once run
# taken apart from it: when it was taken, how long --once took (the screen's copy has no such
# line), and how long each state has held (the Since cell of a stage row, a diagnosis's
# Held for or Since line).
norm() {
	grep -Ev '^- (Taken at|Time taken): |^  - (Held for|Since): ' |
		sed -E 's/^(\| [^|]+ \| (OK|WARN|CRIT|UNKNOWN) \| )[^|]+ \|/\1(since) |/'
}

# buffer: tmux's newest paste buffer, byte for byte (a final newline kept), in $TEST_TMP/buffer.
buffer() {
	tmx show-buffer >"$TEST_TMP/buffer" 2>/dev/null || : >"$TEST_TMP/buffer"
}
# shellcheck disable=SC2317 # called through wait_until
buffer_has() {
	buffer
	grep -qF -- "$1" "$TEST_TMP/buffer"
}
grouped() { # N: 1234567 -> 1,234,567
	sed -E ':a; s/^([0-9]+)([0-9]{3})/\1,\2/; ta' <<<"$1"
}

# expect_copy WHAT FILE ARGS...: FILE holds the buffer; it is what --once --format markdown
# ARGS prints, normalized, and whole (the markdown ends with its newline).
expect_copy() {
	local what=$1 file=$2
	shift 2
	run_once -c "$conf" --format markdown --once-window 1s "$@"
	printf '%s\n' "$RUN_OUT" >"$TEST_TMP/once.md"
	is "$(norm <"$file")" "$(norm <"$TEST_TMP/once.md")" \
		"$what: the buffer is the markdown of --once --format markdown $*, but for the times"
	is "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" '\n' "$what: the buffer ends with the markdown's newline"
	unlike "$(tr -d '\n' <"$file")" $'[\x01-\x1f\x7f]' "$what: no control character but newlines"
	unlike "$(<"$file")" '^- Time taken' "$what: no time taken (a --once figure)"
	like "$(<"$file")" $'\n- Window observed: 1s \\(two polls 1s apart\\)\n' "$what: the window is the interval"
}

tui_init
tmx set-option -s set-clipboard on >/dev/null || bail_out "cannot set set-clipboard"
# The pane's TERM must say the terminal takes OSC 52 for tmux to pass it on; tmux fills its
# buffer either way.

# ----------------------------------------------------------------------
# c: the selected pipeline (products, the worst: selected first).
# ----------------------------------------------------------------------
tui_start cl -- -c "$conf"
ok "c: polled" wait_polled "┌─ users "
# In products' detail view (c copies its pipeline there too), once it has two samples: the
# rates of the second are in the markdown as in --once's.
send Enter
ok "c: products' detail, two samples or more" wait_like '^ *polled .*; ([2-9]|[0-9]{2,}) samples kept'
tmx delete-buffer 2>/dev/null || true
send c
ok "c: the notice" wait_like 'copied products \([0-9,]+ bytes\) to the clipboard via OSC 52 \(tmux\)'
ok "c: tmux has the buffer" wait_until buffer_has "## Pipeline products: CRIT"
cp "$TEST_TMP/buffer" "$TEST_TMP/c.md"
expect_copy c "$TEST_TMP/c.md" --pipeline products
unlike "$(<"$TEST_TMP/c.md")" '## Pipeline (orders|users)' "c: that pipeline only"
n=$(grouped "$(wc -c <"$TEST_TMP/c.md")")
like "$SCREEN" "copied products \\($n bytes\\) to the clipboard via OSC 52 \\(tmux\\), if your" \
	"c: the notice counts the bytes sent ($n)"
is "$(tmx list-buffers -F x | wc -l)" 1 "c: one buffer: the passthrough copy did not reach tmux's buffers"
# The sequence went past curses: the frame is whole, nothing of it on the screen.
# shellcheck disable=SC2317 # called through ok
detail_whole() { # the detail view's frame: header, title, 35 lines, none wider than 120
	[[ ${SCREEN%%$'\n'*} == "synctop "* && $(sed -n 2p <<<"$SCREEN") == " products / search on es, products"* ]] &&
		(($(count_lines "$SCREEN") == 35)) && ! grep -q '.\{121\}' <<<"$SCREEN"
}
ok "c: the screen stays whole" detail_whole
unlike "$SCREEN" '52;c;|Ptmux' "c: no part of the sequence on the screen"

# Back, Tab to orders, c again: the buffer follows the selection.
send Escape Tab c
ok "c: orders copied" wait_like 'copied orders \('
ok "c: tmux's buffer is orders'" wait_until buffer_has "## Pipeline orders: "
cp "$TEST_TMP/buffer" "$TEST_TMP/c2.md"
expect_copy "c on orders" "$TEST_TMP/c2.md" --pipeline orders

# ----------------------------------------------------------------------
# C: every pipeline, whatever the filter shows; in the detail view too.
# ----------------------------------------------------------------------
send / u s e r s Enter
ok "C: filtered to users" wait_gone "┌─ products "
send Enter
ok "C: the detail view" wait_like '^ *users / search'
send C
ok "C: the notice" wait_like 'copied all 3 pipelines \([0-9,]+ bytes\)'
ok "C: tmux has the buffer" wait_until buffer_has "## Pipeline users: "
cp "$TEST_TMP/buffer" "$TEST_TMP/all.md"
expect_copy C "$TEST_TMP/all.md"
is "$(grep -c '^## Pipeline ' "$TEST_TMP/all.md")" 3 "C: three pipeline sections"
send q Escape q
ok "c: quits" wait_for EXIT=0

# ----------------------------------------------------------------------
# clipboard = false: the buffer is left alone, the keys say it is off.
# ----------------------------------------------------------------------
sed 's/^interval = 1s$/&\nclipboard = false/' "$conf" >"$TEST_TMP/off.conf"
chmod 600 "$TEST_TMP/off.conf"
tmx set-buffer "left alone"
tui_start off -- -c "$TEST_TMP/off.conf"
ok "off: polled" wait_polled "┌─ users "
send c
ok "off: c says the clipboard is off" wait_for "c: the clipboard is off (clipboard = false in the config)"
send C
ok "off: C too" wait_for "C: the clipboard is off"
sleep 0.3
buffer
is "$(<"$TEST_TMP/buffer")" "left alone" "off: the buffer is unchanged"
send q
ok "off: quits" wait_for EXIT=0

# ----------------------------------------------------------------------
# tmux's passthrough: synctop in an inner tmux that takes no OSC 52 (set-clipboard off) but
# lets passthrough out (allow-passthrough on), in a pane of the outer one: the outer tmux's
# buffer can only come from the DCS-wrapped copy.
# ----------------------------------------------------------------------
inner=synctop-test-inner-$$
cat >"$TEST_TMP/inner.tmux.conf" <<CONF
set -s set-clipboard off
set -g allow-passthrough on
set -g status off
set -s escape-time 0
set -g default-terminal $(tmx show-options -gv default-terminal)
CONF
# shellcheck disable=SC2317 # run at exit
_inner_down() { env -i PATH="$PATH" tmux -L "$inner" kill-server 2>/dev/null || true; }
at_exit _inner_down
inner_cmd=$(printf '%q ' env LANG=C.UTF-8 TZ=UTC "$SYNCTOP" -c "$conf")
tmx delete-buffer 2>/dev/null || true
tmx new-session -d -s nest -x "$TUI_COLS" -y "$TUI_ROWS" \
	"$(printf '%q ' env -u TMUX tmux -L "$inner" -f "$TEST_TMP/inner.tmux.conf" new-session "$inner_cmd"); echo EXIT=\$?; sleep 60" ||
	bail_out "cannot start tmux session nest"
tui_use nest
ok "passthrough: polled" wait_polled "┌─ users "
send Enter
ok "passthrough: products' detail, two samples or more" wait_like '^ *polled .*; ([2-9]|[0-9]{2,}) samples kept'
send c
ok "passthrough: the notice" wait_like 'copied products \([0-9,]+ bytes\) to the clipboard via OSC 52 \(tmux\)'
ok "passthrough: the outer tmux has the buffer" wait_until buffer_has "## Pipeline products: CRIT"
cp "$TEST_TMP/buffer" "$TEST_TMP/nest.md"
expect_copy passthrough "$TEST_TMP/nest.md" --pipeline products
is "$(env -i PATH="$PATH" tmux -L "$inner" list-buffers 2>/dev/null | wc -l)" 0 \
	"passthrough: the inner tmux took none (set-clipboard off): the outer's came through the DCS"
send q q
ok "passthrough: quits" wait_for "EXIT=0"

# ----------------------------------------------------------------------
# GNU screen in a tmux pane: synctop sees TMUX (inherited) and STY; screen's server is the
# nearer ancestor, so the sequence goes in screen's DCS strings, which screen passes on to
# the outer terminal (the test's tmux) whole.
# ----------------------------------------------------------------------
if command -v screen >/dev/null; then
	mkdir -p "$TEST_TMP/screens" && chmod 700 "$TEST_TMP/screens"
	: >"$TEST_TMP/screenrc"
	tmx delete-buffer 2>/dev/null || true
	tmx new-session -d -s scr -x "$TUI_COLS" -y "$TUI_ROWS" \
		"$(printf '%q ' env SCREENDIR="$TEST_TMP/screens" screen -c "$TEST_TMP/screenrc" -S synctop-test \
			env LANG=C.UTF-8 TZ=UTC "$SYNCTOP" -c "$conf"); echo EXIT=\$?; sleep 60" ||
		bail_out "cannot start tmux session scr"
	tui_use scr
	ok "screen: polled" wait_polled "┌─ users "
	send Enter
	ok "screen: products' detail, two samples or more" wait_like '^ *polled .*; ([2-9]|[0-9]{2,}) samples kept'
	send c
	ok "screen: the notice says screen (the nearer of the two)" \
		wait_like 'copied products \([0-9,]+ bytes\) to the clipboard via OSC 52 \(screen\)'
	ok "screen: the outer tmux has the buffer" wait_until buffer_has "## Pipeline products: CRIT"
	cp "$TEST_TMP/buffer" "$TEST_TMP/screen.md"
	expect_copy screen "$TEST_TMP/screen.md" --pipeline products
	send q q
	ok "screen: quits" wait_for "EXIT=0"
else
	skip "screen: c through GNU screen" "no screen installed"
fi

# ----------------------------------------------------------------------
# Over ssh to localhost: tmux -> ssh -> synctop (TMUX is not set on the far side: the plain
# sequence crosses ssh to tmux). A private sshd: generated keys, its own config, a loopback
# port. As root, sshd wants its privilege separation directory /run/sshd: it gets a private
# /run in a mount namespace of its own, the system's is never touched.
# ----------------------------------------------------------------------
# shellcheck disable=SC2317 # exit after done_testing
ssh_skip() {
	skip "ssh: c through ssh to localhost" "$1"
	done_testing
	exit 0
}
SSHD=/usr/sbin/sshd
[[ -x $SSHD ]] || ssh_skip "no sshd (openssh-server) installed"
if ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
	ssh_skip "no ssh client"
fi
sd=$TEST_TMP/sshd
mkdir -p "$sd" && chmod 700 "$sd"
if ! ssh-keygen -q -t ed25519 -N '' -f "$sd/host_key" >/dev/null ||
	! ssh-keygen -q -t ed25519 -N '' -f "$sd/user_key" >/dev/null; then
	ssh_skip "ssh-keygen failed"
fi
cp "$sd/user_key.pub" "$sd/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$sd/sshd_config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $sd/host_key
PidFile $sd/sshd.pid
AuthorizedKeysFile $sd/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PrintMotd no
PrintLastLog no
CONF
if ((EUID == 0)); then
	# shellcheck disable=SC2016 # $0 and $1 are the inner shell's
	sshd_cmd=(unshare -m --propagation private sh -c
		'mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && exec "$0" -D -e -f "$1"' "$SSHD" "$sd/sshd_config")
else
	sshd_cmd=("$SSHD" -D -e -f "$sd/sshd_config")
fi
"${sshd_cmd[@]}" 2>"$sd/sshd.log" &
sshd_pid=$!
# shellcheck disable=SC2317 # run at exit
_sshd_down() { kill "$sshd_pid" 2>/dev/null || true; }
at_exit _sshd_down
ssh_opts=(-p "$port" -i "$sd/user_key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=5)
up=0
for _ in $(seq 50); do
	kill -0 "$sshd_pid" 2>/dev/null || break
	if ssh "${ssh_opts[@]}" 127.0.0.1 true </dev/null 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.1
done
if ((!up)); then
	diag "sshd: $(cat "$sd/sshd.log")"
	ssh_skip "a private sshd did not start (no mount namespace?)"
fi
diag "sshd on 127.0.0.1:$port"
remote=$(printf '%q ' env LANG=C.UTF-8 TZ=UTC "$SYNCTOP" -c "$conf")
tmx delete-buffer 2>/dev/null || true
tmx new-session -d -s ssh -x "$TUI_COLS" -y "$TUI_ROWS" \
	"$(printf '%q ' ssh -tt "${ssh_opts[@]}" 127.0.0.1 "$remote"); echo EXIT=\$?; sleep 60" ||
	bail_out "cannot start tmux session ssh"
tui_use ssh
ok "ssh: polled" wait_polled "┌─ users "
send Enter
ok "ssh: products' detail, two samples or more" wait_like '^ *polled .*; ([2-9]|[0-9]{2,}) samples kept'
send c
ok "ssh: the notice, plain OSC 52 (no TMUX on the far side)" \
	wait_like 'copied products \([0-9,]+ bytes\) to the clipboard via OSC 52, if your'
ok "ssh: tmux has the buffer" wait_until buffer_has "## Pipeline products: CRIT"
cp "$TEST_TMP/buffer" "$TEST_TMP/ssh.md"
expect_copy ssh "$TEST_TMP/ssh.md" --pipeline products
send q q
ok "ssh: quits" wait_for EXIT=0

done_testing
