#!/usr/bin/python3
"""count_proxy.py: a TCP proxy that counts what a client sends to its servers (a bench tool).

    count_proxy.py --ports PATH --stats PATH NAME=PROTO:HOST:PORT...

For each NAME=PROTO:HOST:PORT it listens on a free 127.0.0.1 port, forwards every connection
to HOST:PORT, and counts the bytes each way and the client's requests, parsed per PROTO:
    pg      PostgreSQL frontend messages: the untyped startup (and SSLRequest/GSSENCRequest),
            then one count per message type (Q simple query, P parse, B bind, E execute,
            S sync, X terminate, ...); a round trip is a Sync or a simple Query
    redis   RESP commands (arrays of bulk strings), by command name (INFO, SCAN, ...)
    http    HTTP/1.x requests, by request line (method and path, the query string left out)
    raw     bytes only
Once listening it writes "NAME PORT" lines to --ports. On SIGUSR1 it writes every counter, as
one JSON object {NAME: {"conns", "sent", "received", "requests": {KIND: N}}} ("sent": bytes
from the client to the server), to --stats (a temporary file renamed into place). SIGTERM
stops it. Python 3 standard library only; not a test stand-in, not part of make check.
"""

import argparse
import asyncio
import json
import os
import signal
import struct
import sys


class Counter:
    def __init__(self):
        self.conns = 0
        self.sent = 0
        self.received = 0
        self.requests = {}

    def count(self, kind, n=1):
        self.requests[kind] = self.requests.get(kind, 0) + n

    def as_json(self):
        return {"conns": self.conns, "sent": self.sent, "received": self.received,
                "requests": self.requests}


class PgParser:
    """PostgreSQL frontend messages: length-prefixed, untyped until the startup message."""

    SSL, GSS = 80877103, 80877104

    def __init__(self, counter):
        self.c, self.buf, self.started = counter, b"", False

    def feed(self, data):
        self.buf += data
        while True:
            if not self.started:
                if len(self.buf) < 8:
                    return
                n, code = struct.unpack("!ii", self.buf[:8])
                if len(self.buf) < n:
                    return
                self.buf = self.buf[n:]
                if code in (self.SSL, self.GSS):
                    self.c.count("SSLRequest" if code == self.SSL else "GSSENCRequest")
                else:
                    self.c.count("startup")
                    self.started = True
                continue
            if len(self.buf) < 5:
                return
            kind = chr(self.buf[0])
            (n,) = struct.unpack("!i", self.buf[1:5])
            if len(self.buf) < n + 1:
                return
            self.buf = self.buf[n + 1:]
            self.c.count(kind)


class RedisParser:
    """RESP arrays of bulk strings, the way every client library sends commands."""

    def __init__(self, counter):
        self.c, self.buf = counter, b""

    def feed(self, data):
        self.buf += data
        while self.buf:
            name, used = self.command(self.buf)
            if used == 0:
                return
            self.buf = self.buf[used:]
            self.c.count(name)

    @staticmethod
    def command(buf):
        """(NAME, bytes used), or (None, 0) while incomplete."""
        if buf[:1] != b"*":  # an inline command: one line
            end = buf.find(b"\r\n")
            return (None, 0) if end < 0 else (buf[:end].split(b" ")[0].decode(errors="replace").upper(), end + 2)
        end = buf.find(b"\r\n")
        if end < 0:
            return None, 0
        n, pos, name = int(buf[1:end]), end + 2, "?"
        for i in range(n):
            end = buf.find(b"\r\n", pos)
            if end < 0:
                return None, 0
            size = int(buf[pos + 1:end])
            if len(buf) < end + 2 + size + 2:
                return None, 0
            if i == 0:
                name = buf[end + 2:end + 2 + size].decode(errors="replace").upper()
            pos = end + 2 + size + 2
        return name, pos


class HttpParser:
    """HTTP/1.x requests: the request line, the headers, a body of Content-Length bytes."""

    def __init__(self, counter):
        self.c, self.buf, self.body = counter, b"", 0

    def feed(self, data):
        self.buf += data
        while True:
            if self.body:
                take = min(self.body, len(self.buf))
                self.body -= take
                self.buf = self.buf[take:]
                if self.body:
                    return
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1").split("\r\n")
            self.buf = self.buf[end + 4:]
            parts = head[0].split(" ")
            path = parts[1].split("?")[0] if len(parts) > 1 else "?"
            self.c.count(f"{parts[0]} {path}")
            for h in head[1:]:
                k, _, v = h.partition(":")
                if k.strip().lower() == "content-length":
                    self.body = int(v.strip() or 0)


class RawParser:
    def __init__(self, counter):
        pass

    def feed(self, data):
        pass


PARSERS = {"pg": PgParser, "redis": RedisParser, "http": HttpParser, "raw": RawParser}


async def pipe(reader, writer, on_data):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            on_data(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


def serve(name, proto, host, port, counter):
    async def client(creader, cwriter):
        counter.conns += 1
        try:
            sreader, swriter = await asyncio.open_connection(host, port)
        except OSError:
            cwriter.close()
            return
        parser = PARSERS[proto](counter)

        def up(data):
            counter.sent += len(data)
            try:
                parser.feed(data)
            except (ValueError, struct.error, IndexError):  # not the protocol: count bytes only
                parser.feed = lambda d: None

        def down(data):
            counter.received += len(data)

        await asyncio.gather(pipe(creader, swriter, up), pipe(sreader, cwriter, down))

    return asyncio.start_server(client, "127.0.0.1", 0)


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ports", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("maps", nargs="+", metavar="NAME=PROTO:HOST:PORT")
    args = ap.parse_args()
    counters, lines = {}, []
    for m in args.maps:
        name, _, rest = m.partition("=")
        proto, host, port = rest.split(":")
        if proto not in PARSERS:
            sys.exit(f"count_proxy.py: unknown protocol {proto}")
        counters[name] = Counter()
        server = await serve(name, proto, host, int(port), counters[name])
        lines.append(f"{name} {server.sockets[0].getsockname()[1]}\n")

    def dump():
        tmp = args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({k: c.as_json() for k, c in counters.items()}, f)
        os.replace(tmp, args.stats)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, dump)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    tmp = args.ports + ".tmp"
    with open(tmp, "w") as f:
        f.writelines(lines)
    os.replace(tmp, args.ports)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
