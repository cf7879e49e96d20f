#!/usr/bin/env python3
"""key_pty.py: key-to-screen latency of a full-screen program, read on its terminal itself.

Runs COMMAND on a pseudo-terminal of COLSxROWS (TERM=xterm-256color), waits until its output
shows READY, runs HOOK (a shell command; e.g. one that hangs a server) and waits for AFTER,
then N times: writes OPEN-KEY and times until the output shows OPEN-TEXT, writes CLOSE-KEY
and times until it shows CLOSE-TEXT. The time is from the write of the key to the read that
completes the text: what a terminal on the same machine would have to draw, with no terminal
multiplexer or screen scraper in between (tmux capture-pane costs several ms a look).

Text is matched in the output with the escape sequences taken out (cursor moves, colours,
charset switches), so a string the program writes in one run matches whatever attributes it
carries. Prints one line per round trip: "open MS close MS". Exit status 1 with a message
on stderr when a text does not show within its limit (5 s; 20 s for READY and AFTER).

  key_pty.py --size 120x35 --ready TEXT [--hook CMD --after TEXT] --n N \\
             --open KEY TEXT --close KEY TEXT -- COMMAND ARGS...
"""
import argparse
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()*+][0-9A-Za-z]|.)")


class Screen:
    """The program on its pty: what it wrote, escapes removed, since the last mark."""

    def __init__(self, cmd, cols, rows):
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LINES=str(rows), COLUMNS=str(cols))

        def child_setup():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     preexec_fn=child_setup, close_fds=True)
        os.close(slave)
        self.fd = master
        self.raw = b""
        self.text = b""

    def mark(self):
        self.raw = b""
        self.text = b""

    def wait(self, text, limit):
        """Seconds (monotonic) of the read that made TEXT show since the mark; None past LIMIT."""
        want = text.encode()
        deadline = time.monotonic() + limit
        while want not in self.text:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return None
            if not chunk:
                return None
            self.raw += chunk
            # An escape cut at the end of a read waits for the rest.
            cut = self.raw.rfind(b"\x1b")
            done = self.raw if cut < 0 or len(self.raw) - cut > 64 else self.raw[:cut]
            self.text += ESCAPES.sub(b"", done)
            self.raw = self.raw[len(done):]
        return time.monotonic()

    def key(self, k):
        self.mark()
        t0 = time.monotonic()
        os.write(self.fd, k.encode())
        return t0

    def drain(self, seconds):
        """Reads and drops what comes for SECONDS (the screen settles between round trips)."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    if not os.read(self.fd, 65536):
                        return
                except OSError:
                    return

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="120x35")
    ap.add_argument("--ready", required=True)
    ap.add_argument("--hook")
    ap.add_argument("--after")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--open", nargs=2, required=True, metavar=("KEY", "TEXT"))
    ap.add_argument("--close", nargs=2, required=True, metavar=("KEY", "TEXT"))
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        ap.error("no command")
    cols, rows = (int(v) for v in a.size.split("x"))
    me = os.path.basename(sys.argv[0])

    s = Screen(cmd, cols, rows)
    try:
        if s.wait(a.ready, 20) is None:
            sys.exit(f"{me}: '{a.ready}' never showed")
        if a.hook:
            subprocess.run(a.hook, shell=True, check=True)
            s.mark()
            if a.after and s.wait(a.after, 20) is None:
                sys.exit(f"{me}: '{a.after}' never showed after the hook")
        s.drain(0.3)
        for _ in range(a.n):
            times = []
            for k, text in (a.open, a.close):
                t0 = s.key(k)
                t1 = s.wait(text, 5)
                if t1 is None:
                    sys.exit(f"{me}: '{text}' did not show after the key {k!r}")
                times.append((t1 - t0) * 1000)
                s.drain(0.05)
            print(f"open {times[0]:.2f} close {times[1]:.2f}", flush=True)
    finally:
        s.stop()


if __name__ == "__main__":
    main()
