#!/usr/bin/python3
"""fault_proxy.py: a TCP proxy in front of one backend that turns faults on and off while clients stay connected.

    fault_proxy.py --upstream HOST:PORT --proto pg|redis|http|kafka --ready-file PATH
                   [--port N] [--log PATH] [--mode MODE]

Listens on 127.0.0.1 (--port, default a free one), forwards every connection to the upstream,
and takes one command per line on a control port (127.0.0.1, a free one): the ready file gets
"PORT CTL_PORT" once both listen. A command answers "ok" (or "error: ...") on one line.

    mode pass          forward (the default)
    mode down          as a server killed with SIGKILL: every connection is closed and the port
                       refuses new ones (its listener is closed); `mode pass` listens again on
                       the same port
    mode hung          as a stopped (SIGSTOP) server: new connections are accepted, nothing is
                       read or sent on any connection; `mode pass` resumes them where they were
    mode slow MS       every chunk from the server reaches the client MS milliseconds late
    mode garbage       a protocol error in place of each answer: HTTP 500 with an error body
                       (Elasticsearch's shape, Connect's keys too); Redis "-LOADING ..."; a
                       PostgreSQL ErrorResponse (42501 permission denied); Kafka: not offered
    mode badjson       HTTP only: 200, Content-Type application/json, a body that is not JSON
    mode endless       an answer that never ends: HTTP 200 chunked JSON; a Redis bulk string of
                       1 TB; PostgreSQL rows without end; Kafka a response announced as
                       99,999,999 bytes (librdkafka refuses larger ones outright, by its
                       receive.message.max.bytes) whose bytes never end
    hits               the time (epoch seconds) the first client request reached the proxy
                       since the last mode command, or "none"
    quit

garbage, badjson and endless take over the connections that are open (the next request on
them gets the fault, without a reconnection) and the new ones (a PostgreSQL one is answered
by a fake server: trust authentication, then the fault); going back to pass closes the
connections they took over. Python 3 standard library only.

Another helper's tests/stack/hostile_server.py (endless, hung and trickled replies of
Redis/HTTP/PostgreSQL servers) overlaps with garbage/endless here; this one exists for the
fault matrix (tests/integration/faults.sh), which needs the faults switched on live
connections.
"""
import argparse
import os
import select
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"mode": "pass", "slow_s": 0.0, "gen": 0, "hit": None}
CONNS = set()
LOG = None


def log(msg):
    if LOG:
        LOG.write("%.3f %s\n" % (time.time(), msg))
        LOG.flush()


def mode():
    with LOCK:
        return STATE["mode"], STATE["slow_s"], STATE["gen"]


def note_hit():
    with LOCK:
        if STATE["hit"] is None:
            STATE["hit"] = time.time()


def send_all(sock, data, until_mode=None):
    """Sends data; False when the peer is gone (or, with until_mode, the mode changed)."""
    view = memoryview(data)
    while view:
        if until_mode is not None and mode()[0] != until_mode:
            return False
        try:
            _, w, _ = select.select([], [sock], [], 0.05)
            if not w:
                continue
            n = sock.send(view)
        except OSError:
            return False
        view = view[n:]
    return True


# ----------------------------------------------------------------------
# Fake answers
# ----------------------------------------------------------------------
class Fake:
    """Answers a client in place of the server, request by request, for the current mode."""

    def __init__(self, conn, proto, fresh):
        self.c = conn
        self.proto = proto
        self.buf = b""
        self.pg_startup = fresh and proto == "pg"

    def requests(self):
        """Complete requests at the head of self.buf (consumed)."""
        out = []
        while True:
            r = getattr(self, "parse_" + self.proto)()
            if r is None:
                return out
            out.append(r)

    def parse_http(self):
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buf[:end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            k, _, v = line.partition(":")
            if k.strip().lower() == "content-length":
                length = int(v.strip() or 0)
        if len(self.buf) < end + 4 + length:
            return None
        self.buf = self.buf[end + 4 + length:]
        return head.split("\r\n")[0]

    def parse_redis(self):
        b = self.buf
        if not b:
            return None
        if b[:1] != b"*":  # an inline command
            end = b.find(b"\r\n")
            if end < 0:
                return None
            self.buf = b[end + 2:]
            return b[:end]
        end = b.find(b"\r\n")
        if end < 0:
            return None
        n, pos = int(b[1:end]), end + 2
        for _ in range(n):
            end = b.find(b"\r\n", pos)
            if end < 0:
                return None
            pos = end + 2 + int(b[pos + 1:end]) + 2
            if pos > len(b):
                return None
        self.buf = b[pos:]
        return b"cmd"

    def parse_pg(self):
        b = self.buf
        if self.pg_startup:
            if len(b) < 8:
                return None
            (n,) = struct.unpack("!I", b[:4])
            if len(b) < n:
                return None
            (code,) = struct.unpack("!I", b[4:8])
            self.buf = b[n:]
            if code in (80877103, 80877104):  # SSLRequest, GSSENCRequest: no
                return "nossl"
            self.pg_startup = False
            return "startup"
        if len(b) < 5:
            return None
        (n,) = struct.unpack("!I", b[1:5])
        if len(b) < 1 + n:
            return None
        kind = b[:1]
        self.buf = b[1 + n:]
        if kind in (b"S", b"Q"):  # Sync or a simple query: the end of a request
            return "query"
        if kind == b"X":
            return "terminate"
        return None if not self.buf else self.parse_pg()

    def parse_kafka(self):
        if len(self.buf) < 4:
            return None
        (n,) = struct.unpack("!i", self.buf[:4])
        if len(self.buf) < 4 + n:
            return None
        corr = self.buf[8:12]
        self.buf = self.buf[4 + n:]
        return corr

    # Answers ---------------------------------------------------------------
    def answer(self, req, m):
        """Sends the answer to req for mode m; False to end the connection."""
        p = self.proto
        if p == "pg":
            return self.answer_pg(req, m)
        if p == "http":
            if m == "garbage":
                body = (b'{"error":{"type":"fault_proxy_exception","reason":"injected by fault_proxy"},'
                        b'"status":500,"error_code":500,"message":"injected by fault_proxy"}')
                return send_all(self.c, b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                                b"Content-Length: %d\r\n\r\n" % len(body) + body)
            if m == "badjson":
                body = b'{"status": "green", "count": 12,,, <html>'
                return send_all(self.c, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Content-Length: %d\r\n\r\n" % len(body) + body)
            if m == "endless":
                if not send_all(self.c, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                b"Transfer-Encoding: chunked\r\n\r\n", m):
                    return False
                piece = b'{"a":[' + b'"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",' * 2000
                chunk = b"%x\r\n" % len(piece) + piece + b"\r\n"
                while send_all(self.c, chunk, m):
                    pass
                return False
        if p == "redis":
            if m == "garbage":
                return send_all(self.c, b"-LOADING Redis is loading the dataset in memory\r\n")
            if m == "endless":
                if not send_all(self.c, b"$1000000000000\r\n", m):
                    return False
                chunk = b"x" * 65536
                while send_all(self.c, chunk, m):
                    pass
                return False
        if p == "kafka" and m == "endless":
            if not send_all(self.c, struct.pack("!i", 99999999) + req, m):
                return False
            chunk = b"\0" * 65536
            while send_all(self.c, chunk, m):
                pass
            return False
        return False

    def answer_pg(self, req, m):
        if req == "nossl":
            return send_all(self.c, b"N")
        if req == "terminate":
            return False
        if req == "startup":
            out = struct.pack("!cII", b"R", 8, 0)  # AuthenticationOk
            for k, v in (("server_version", "15.0"), ("server_encoding", "UTF8"),
                         ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"),
                         ("integer_datetimes", "on"), ("standard_conforming_strings", "on"),
                         ("TimeZone", "UTC")):
                body = k.encode() + b"\0" + v.encode() + b"\0"
                out += b"S" + struct.pack("!I", 4 + len(body)) + body
            out += struct.pack("!cIII", b"K", 12, 4242, 4242)
            out += struct.pack("!cIc", b"Z", 5, b"I")
            return send_all(self.c, out)
        if m == "garbage":
            fields = b"SERROR\0VERROR\0C42501\0Mpermission denied for table outbox\0\0"
            out = b"E" + struct.pack("!I", 4 + len(fields)) + fields
            return send_all(self.c, out + struct.pack("!cIc", b"Z", 5, b"I"))
        if m == "endless":
            # ParseComplete, BindComplete, one int8 column, then rows without end.
            col = b"n\0" + struct.pack("!IhIhih", 0, 0, 20, 8, -1, 0)
            head = struct.pack("!cI", b"1", 4) + struct.pack("!cI", b"2", 4)
            head += b"T" + struct.pack("!Ih", 6 + len(col), 1) + col
            if not send_all(self.c, head, m):
                return False
            row = b"D" + struct.pack("!IhI", 4 + 2 + 4 + 1, 1, 1) + b"7"
            chunk = row * 5000
            while send_all(self.c, chunk, m):
                pass
            return False
        return False


# ----------------------------------------------------------------------
# One client connection
# ----------------------------------------------------------------------
class Conn:
    def __init__(self, client, args):
        self.c = client
        self.args = args
        self.up = None
        self.out = []  # (due, bytes) from the server, not yet sent to the client
        self.fake = None
        self.forwarded = False

    def close(self):
        for s in (self.c, self.up):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        with LOCK:
            CONNS.discard(self)

    def connect_up(self):
        host, port = self.args.upstream.rsplit(":", 1)
        try:
            self.up = socket.create_connection((host, int(port)), timeout=2)
            self.up.settimeout(None)
            return True
        except OSError as e:
            log("upstream connect failed: %s" % e)
            return False

    def run(self):
        try:
            self.loop()
        except Exception as e:  # noqa: BLE001 - a proxy thread must never take the proxy down
            log("connection error: %r" % e)
        finally:
            self.close()

    def loop(self):
        while True:
            m, slow_s, _ = mode()
            if m == "down":
                return
            if m == "hung":  # nothing read or sent; a request that arrives is noted
                r, _, _ = select.select([self.c], [], [], 0.02)
                if r:
                    note_hit()
                    time.sleep(0.02)  # readable stays readable: do not spin
                continue
            if m in ("garbage", "badjson", "endless"):
                if self.fake is None:
                    self.fake = Fake(self.c, self.args.proto, fresh=not self.forwarded)
                    if self.up is not None:
                        self.up.close()
                        self.up = None
                    self.out = []
                if not self.serve_fake(m):
                    return
                continue
            if self.fake is not None:  # back to pass: what a fake answered cannot go on
                return
            if self.up is None and not self.connect_up():
                return
            if not self.forward(slow_s if m == "slow" else 0.0):
                return

    def serve_fake(self, m):
        r, _, _ = select.select([self.c], [], [], 0.05)
        if not r:
            return True
        data = self.c.recv(65536)
        if not data:
            return False
        note_hit()
        self.fake.buf += data
        for req in self.fake.requests():
            if not self.fake.answer(req, m):
                return False
        return True

    def forward(self, delay):
        now = time.time()
        wait = 0.05
        while self.out and self.out[0][0] <= now:
            if not send_all(self.c, self.out.pop(0)[1]):
                return False
        if self.out:
            wait = min(wait, max(0.0, self.out[0][0] - now))
        r, _, _ = select.select([self.c, self.up], [], [], wait)
        if self.c in r:
            data = self.c.recv(65536)
            if not data:
                return False
            note_hit()
            self.forwarded = True
            if not send_all(self.up, data):
                return False
        if self.up in r:
            data = self.up.recv(65536)
            if not data:
                # The server closed: pass on what is queued, then close.
                for _, d in self.out:
                    send_all(self.c, d)
                return False
            due = time.time() + delay
            if self.out:
                due = max(due, self.out[-1][0])
            self.out.append((due, data))
        return True


# ----------------------------------------------------------------------
# Listener and control
# ----------------------------------------------------------------------
class Listener:
    def __init__(self, args):
        self.args = args
        self.port = args.port
        self.sock = None
        self.open()

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(64)
        self.port = s.getsockname()[1]
        self.sock = s
        threading.Thread(target=self.accept_loop, args=(s,), daemon=True).start()

    def close(self):
        s, self.sock = self.sock, None
        if s is not None:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def accept_loop(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:
                return
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = Conn(c, self.args)
            with LOCK:
                CONNS.add(conn)
            threading.Thread(target=conn.run, daemon=True).start()


def command(line, listener):
    words = line.split()
    if not words:
        return None
    if words[0] == "quit":
        return "quit"
    if words[0] == "hits":
        with LOCK:
            hit = STATE["hit"]
        return "%.3f" % hit if hit is not None else "none"
    if words[0] != "mode" or len(words) < 2:
        return "error: commands: mode pass|down|hung|slow MS|garbage|badjson|endless, hits, quit"
    new = words[1]
    if new not in ("pass", "down", "hung", "slow", "garbage", "badjson", "endless"):
        return "error: unknown mode %s" % new
    slow_s = 0.0
    if new == "slow":
        if len(words) != 3 or not words[2].isdigit():
            return "error: usage: mode slow MS"
        slow_s = int(words[2]) / 1000.0
    with LOCK:
        STATE.update(mode=new, slow_s=slow_s, hit=None)
        STATE["gen"] += 1
    if new == "down":
        listener.close()
    elif listener.sock is None:
        listener.open()
    log("mode %s" % " ".join(words[1:]))
    return "ok"


def main():
    global LOG
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--proto", choices=("pg", "redis", "http", "kafka"), required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--mode", default="pass")
    args = ap.parse_args()
    if args.log:
        LOG = open(args.log, "a", buffering=1)
    listener = Listener(args)
    ctl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ctl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ctl.bind(("127.0.0.1", 0))
    ctl.listen(8)
    if args.mode != "pass":
        command("mode " + args.mode, listener)
    with open(args.ready_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (listener.port, ctl.getsockname()[1]))
    os.rename(args.ready_file + ".tmp", args.ready_file)
    while True:
        c, _ = ctl.accept()
        with c, c.makefile("rw", buffering=1) as f:
            for line in f:
                ans = command(line, listener)
                if ans is None:
                    continue
                f.write(("ok" if ans == "quit" else ans) + "\n")
                f.flush()
                if ans == "quit":
                    return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
