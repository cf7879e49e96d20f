#!/usr/bin/python3
"""hostile_server.py: a server that misbehaves on purpose, speaking just enough Redis (RESP),
HTTP/1.1, the PostgreSQL wire protocol or Kafka's framing to get a client past its first
step. Python 3 standard library only. Tests use it to prove that synctop's deadlines and caps
hold.

Modes (--mode):
  hung      accept, read whatever comes, never answer
  trickle   answer one byte a second (the start of a valid reply; it never ends in time)
  endless   answer an endless reply as fast as the client reads it:
              redis  a bulk string announced as 1,000,000,000 bytes, then bytes forever
              http   200 with a Content-Length of 10^12 (or --chunked: endless chunks)
              pg     after a good start-up, every query gets rows forever
              kafka  every request gets a response announced as 95,000,000 bytes (under
                     librdkafka's default cap of 100 MB), then bytes forever
  garbage   answer bytes that are not the protocol at all
  reply     answer every request with the reply given by --reply (redis: raw RESP, with
            Python escapes such as \\r\\n and \\x1b; --bulk and --error build it), --status
            and --body (http), or --error (pg: an ErrorResponse, at start-up with
            --at-startup, else to every query)

The port: --port (0, the default, picks a free one); the chosen port is written to
--port-file (atomically) and printed as "listening on 127.0.0.1:PORT" on stdout. It serves
every connection in a thread and runs until SIGTERM or SIGINT.

Examples:
  hostile_server.py --proto redis --mode endless --port-file /tmp/p
  hostile_server.py --proto redis --mode reply --bulk 'used_memory:notanumber\\r\\n'
  hostile_server.py --proto redis --mode reply --error 'ERR \\x1b]0;pwned\\x07 \\x1b[2J\\rX\\nY'
  hostile_server.py --proto http --mode reply --status 500 --body 'boom \\x1b[2J'
  hostile_server.py --proto pg --mode reply --error 'bad \\xff\\x1b[2J' --at-startup
"""

import argparse
import codecs
import os
import signal
import socket
import struct
import sys
import threading
import time


def unescape(s):
    """'a\\r\\n\\x1b' -> b'a\\r\\n\\x1b': Python escapes, every other character as UTF-8."""
    return codecs.escape_decode(s.encode("utf-8"))[0]


def read_some(conn):
    data = conn.recv(65536)
    if not data:
        raise ConnectionError("closed")
    return data


def trickle(conn, data):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(1)
    while True:  # then nothing more, ever
        time.sleep(1)


def forever(conn, chunk=b"x" * 65536):
    while True:
        conn.sendall(chunk)


# --- Redis -------------------------------------------------------------------------------------

def redis_commands(conn):
    """Yields each command of the stream (inline or RESP arrays), as a list of bytes."""
    buf = b""
    while True:
        while True:
            if buf.startswith(b"*") and b"\r\n" in buf:
                n = int(buf[1:buf.index(b"\r\n")])
                pos, args, done = buf.index(b"\r\n") + 2, [], True
                for _ in range(n):
                    if b"\r\n" not in buf[pos:]:
                        done = False
                        break
                    end = buf.index(b"\r\n", pos)
                    ln = int(buf[pos + 1:end])
                    if len(buf) < end + 2 + ln + 2:
                        done = False
                        break
                    args.append(buf[end + 2:end + 2 + ln])
                    pos = end + 2 + ln + 2
                if not done:
                    break
                buf = buf[pos:]
                yield args
            elif b"\r\n" in buf and not buf.startswith(b"*"):
                line, buf = buf.split(b"\r\n", 1)
                yield line.split()
            else:
                break
        buf += read_some(conn)


def serve_redis(conn, a):
    for args in redis_commands(conn):
        cmd = args[0].upper() if args else b""
        if cmd in (b"AUTH", b"SELECT", b"PING") and a.mode == "reply" and not a.all:
            conn.sendall(b"+OK\r\n")
        elif a.mode == "hung":
            continue
        elif a.mode == "trickle":
            trickle(conn, b"$100\r\n" + b"x" * 100 + b"\r\n")
        elif a.mode == "endless":
            conn.sendall(b"$1000000000\r\n")
            forever(conn)
        elif a.mode == "garbage":
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff garbage\r\n")
        else:
            conn.sendall(a.reply_bytes)


# --- HTTP --------------------------------------------------------------------------------------

def serve_http(conn, a):
    buf = b""
    while True:
        while b"\r\n\r\n" not in buf:
            buf += read_some(conn)
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v.strip())
        while len(buf) < length:
            buf += read_some(conn)
        buf = buf[length:]
        if a.mode == "hung":
            continue
        if a.mode == "trickle":
            trickle(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\n\r\n{}")
        elif a.mode == "endless" and a.chunked:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n")
            forever(conn, b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
        elif a.mode == "endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 1000000000000\r\n\r\n")
            forever(conn)
        elif a.mode == "garbage":
            conn.sendall(b"\x00\xffthis is not HTTP\r\n\r\n")
            return
        else:
            body = unescape(a.body)
            conn.sendall(b"HTTP/1.1 %d Hostile\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n"
                         % (a.status, a.content_type.encode(), len(body)) + body)


# --- Kafka -------------------------------------------------------------------------------------

def serve_kafka(conn, a):
    buf = b""
    while True:
        head, buf = recv_exact(conn, 4, buf)
        _, buf = recv_exact(conn, struct.unpack("!i", head)[0], buf)
        if a.mode == "hung":
            continue
        if a.mode == "trickle":
            trickle(conn, struct.pack("!ii", 8, 1) + b"\0" * 4)
        elif a.mode == "endless":
            conn.sendall(struct.pack("!i", 95000000))
            forever(conn)
        else:
            conn.sendall(b"\x00\x00\x00\x08garbage!")


# --- PostgreSQL --------------------------------------------------------------------------------

def pg_msg(kind, payload):
    return kind + struct.pack("!I", len(payload) + 4) + payload


def pg_error(text):
    fields = b"SERROR\0VERROR\0C42501\0M" + unescape(text) + b"\0\0"
    return pg_msg(b"E", fields)


def recv_exact(conn, n, buf):
    while len(buf) < n:
        buf += read_some(conn)
    return buf[:n], buf[n:]


def serve_pg(conn, a):
    buf = b""
    while True:  # SSLRequest and GSSENCRequest get 'N', then the start-up message
        head, buf = recv_exact(conn, 8, buf)
        length, code = struct.unpack("!II", head)
        _, buf = recv_exact(conn, length - 8, buf)
        if code in (80877103, 80877104):
            conn.sendall(b"N")
            continue
        break
    if a.mode == "hung":
        while True:
            read_some(conn)
    if a.mode == "garbage":
        conn.sendall(b"\x00\xffthis is not PostgreSQL\r\n" * 10)
        return
    ok = pg_msg(b"R", struct.pack("!I", 0))
    if a.mode == "trickle":
        trickle(conn, ok)
    if a.mode == "reply" and a.at_startup:
        conn.sendall(pg_error(a.error))
        return
    params = [(b"server_version", b"15.0"), (b"client_encoding", b"UTF8"),
              (b"server_encoding", b"UTF8"), (b"standard_conforming_strings", b"on"),
              (b"integer_datetimes", b"on"), (b"DateStyle", b"ISO, MDY")]
    out = ok + b"".join(pg_msg(b"S", k + b"\0" + v + b"\0") for k, v in params)
    out += pg_msg(b"K", struct.pack("!II", os.getpid(), 42)) + pg_msg(b"Z", b"I")
    conn.sendall(out)
    while True:
        head, buf = recv_exact(conn, 5, buf)
        kind, length = head[:1], struct.unpack("!I", head[1:])[0]
        _, buf = recv_exact(conn, length - 4, buf)
        if kind == b"X":
            return
        if kind not in (b"S", b"Q"):  # answer at the Sync of an extended query (or a simple one)
            continue
        if a.mode == "endless":
            conn.sendall(pg_msg(b"1", b"") + pg_msg(b"2", b"") +
                         pg_msg(b"T", struct.pack("!H", 1) + b"x\0" +
                                struct.pack("!IHIhih", 0, 0, 25, -1, -1, 0)))
            row = pg_msg(b"D", struct.pack("!HI", 1, 60000) + b"x" * 60000)
            forever(conn, row)
        conn.sendall(pg_error(a.error) + pg_msg(b"Z", b"I"))


def handle(conn, a):
    try:
        {"redis": serve_redis, "http": serve_http, "pg": serve_pg, "kafka": serve_kafka}[a.proto](conn, a)
    except (ConnectionError, OSError, ValueError, struct.error):
        pass
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--proto", choices=["redis", "http", "pg", "kafka"], required=True)
    p.add_argument("--mode", choices=["hung", "trickle", "endless", "garbage", "reply"], required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", help="write the port chosen here")
    p.add_argument("--reply", default="+OK\\r\\n", help="redis: the raw RESP answer to every command")
    p.add_argument("--bulk", help="redis: answer with this text as a bulk string")
    p.add_argument("--error", default="ERR hostile", help="redis, pg: answer with this error")
    p.add_argument("--all", action="store_true",
                   help="redis: AUTH, SELECT and PING get the reply too (default: +OK)")
    p.add_argument("--status", type=int, default=500, help="http: the status (reply mode)")
    p.add_argument("--body", default="", help="http: the body (reply mode)")
    p.add_argument("--content-type", default="text/plain", help="http: the body's type")
    p.add_argument("--chunked", action="store_true", help="http endless: chunked, not Content-Length")
    p.add_argument("--at-startup", action="store_true", help="pg reply: the error comes at start-up")
    a = p.parse_args()
    if a.bulk is not None:
        data = unescape(a.bulk)
        a.reply_bytes = b"$%d\r\n" % len(data) + data + b"\r\n"
    elif a.proto == "redis" and "--error" in sys.argv:
        a.reply_bytes = b"-" + unescape(a.error) + b"\r\n"
    else:
        a.reply_bytes = unescape(a.reply)

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", a.port))
    srv.listen(64)
    port = srv.getsockname()[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(a.port_file + ".tmp", a.port_file)
    print("listening on 127.0.0.1:%d (%s, %s)" % (port, a.proto, a.mode), flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    try:
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=handle, args=(conn, a), daemon=True).start()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
