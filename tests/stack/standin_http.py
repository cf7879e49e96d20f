"""standin_http.py: the HTTP plumbing that the stand-ins share (search_standin.py, the
Elasticsearch 8 stand-in, and connect_standin.py, the Kafka Connect one). Python 3 standard
library only; imported, never run.

StandinHandler is a request handler that speaks HTTP/1.1 with keep-alive, reads a body (with
Content-Length or chunked), logs one line per request, answers the control endpoints under
/_standin/, injects the faults set by POST /_standin/fault (hang, malformed, truncate,
status; and delay where a stand-in allows it: the right answer, "ms" later) and turns every
error into the API's own error body, never HTML. A stand-in subclasses it and supplies what
is its API's:

    server_version      the Server header
    error_class         the exception a route raises to answer with an error: it has
                        .status, .body (what send_body sends) and .headers
    send_body(status, body, headers=(), length=None, head=False)
                        writes one answer (length: a Content-Length other than the body's;
                        head: the API's answer to HEAD, whose body is not sent)
    malformed_body(code, message)
                        the body of the 400 for a request that cannot be parsed
    internal_error_body(e)
                        the body of the 500 for an exception of the stand-in itself
    FAULT_MALFORMED, truncate_body(), fault_body(status)
                        the bodies of the malformed, truncate and status faults
    request_params(params)
                        sees the query parameters first (parse_qs: name -> [values]);
                        by default, nothing
    check_auth()        raises error_class unless the request may pass
    control(segs, raw)  the /_standin/ endpoints: (status, body)
    api(segs, params, raw)
                        the API: (status, body, headers)
    after_request(segs, params, status)
                        runs once a request was answered (or not); by default, nothing

The class's store has .lock, .fault (None, or the fault's dict) and .hang_release (an Event
that a hung request waits for); clear_fault(store) ends a fault and lets hung requests go.
auth and logf (the log file) are set by main().

The start-up: argument_parser(), add_credentials() and add_log() build the command line
(--port, --port-file, --user, --password-file, --log, --record); read_secret() reads a
password file; open_log(), make_server() and serve() start the server on 127.0.0.1, write the
port file, log the line that says it listens and serve until SIGTERM or SIGINT.

--record FILE appends one JSON line per client request, in the order they were answered:
{"time": "2026-12-03T10:54:12.345Z", "method": "POST", "path": "/orders/_refresh?pretty",
"status": 200} (path as sent, query included; status "-" when nothing was answered). The
control endpoints under /_standin/ are never recorded, so a test counts exactly what a client
sent (the read-only proofs: no method other than GET and HEAD). Requests answered by an
injected fault are recorded; a request line that cannot be parsed is recorded with the
method "-" when none was read. The file is opened in append mode: a test may truncate it.
"""

import argparse
import json
import os
import signal
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


# STANDIN_SPLIT_WRITES=1: the old write pattern, kept for bench/http_standin.sh to measure
# against: the headers and the body in two writes, Nagle's algorithm on. The body then waits
# for the client's delayed ACK of the headers: ~40 ms per request on a kept-alive connection
# on Linux loopback, which every HTTP figure measured against the stand-ins included.
SPLIT_WRITES = os.environ.get("STANDIN_SPLIT_WRITES") == "1"


class StandinHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer says its length
    # An answer goes out in one write (end_headers buffers, send_answer writes headers and
    # body at once), and TCP_NODELAY besides: no answer waits for a delayed ACK.
    disable_nagle_algorithm = not SPLIT_WRITES
    sys_version = ""
    store = auth = logf = recf = None
    log_lock = threading.Lock()
    error_class = ()  # set by the stand-in; () catches nothing
    FAULT_MALFORMED = b""

    def request_params(self, params):
        pass

    def after_request(self, segs, params, status):
        pass

    # ------------------------------------------------------------------------------------
    # Logging
    # ------------------------------------------------------------------------------------

    def log_message(self, fmt, *args):
        pass

    def version_string(self):
        return self.server_version

    def log_line(self, status, t0, note=""):
        if self.logf:
            with self.log_lock:
                self.logf.write("%s %s %s %s %.1fms%s\n" % (
                    time.strftime("%Y-%m-%dT%H:%M:%S"), getattr(self, "command", None) or "-",
                    getattr(self, "path", None) or "-", status, (time.monotonic() - t0) * 1000,
                    " " + note if note else ""))
                self.logf.flush()

    # A client request is recorded as its answer's headers go out, before the client can read
    # the answer: a test that reads the record right after an answer finds the request there.
    _record_pending = False

    def send_response(self, code, message=None):
        self._status_sent = code
        super().send_response(code, message)

    def end_headers(self):
        """Records the request; the headers stay buffered until send_answer (one write)."""
        if self._record_pending:
            self._record_pending = False
            self.record(getattr(self, "_status_sent", 0))
        if SPLIT_WRITES:
            super().end_headers()
        else:
            self._headers_buffer.append(b"\r\n")

    def send_answer(self, data):
        """The buffered headers and data (b"" for none) in one write."""
        if SPLIT_WRITES:
            if data:
                self.wfile.write(data)
            return
        self._headers_buffer.append(data)
        self.flush_headers()

    def handle_expect_100(self):
        """100 Continue goes out at once (curl sends a large body only once it has it)."""
        ok = super().handle_expect_100()
        self.flush_headers()
        return ok

    def record(self, status):
        """One JSON line in the --record file for a client request (never a control one)."""
        if self.recf:
            t = time.time()
            method = getattr(self, "command", None)  # None: the request line was not read
            line = json.dumps({
                "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) +
                ".%03dZ" % (int(t * 1000) % 1000),
                "method": method or "-",
                "path": (getattr(self, "path", None) if method else None) or "-",
                "status": status})
            with self.log_lock:
                self.recf.write(line + "\n")
                self.recf.flush()

    # ------------------------------------------------------------------------------------
    # Requests
    # ------------------------------------------------------------------------------------

    def send_error(self, code, message=None, explain=None):
        """Malformed request lines and headers: the API's JSON error (never HTML), then
        close."""
        self.close_connection = True
        self._record_pending = False  # recorded once, below
        try:
            self.send_body(code, self.malformed_body(code, message), [("Connection", "close")])
        except OSError:
            pass
        self.log_line(code, time.monotonic(), "malformed request")
        self.record(code)

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        t0, status, note = time.monotonic(), 500, ""
        parsed = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        self.request_params(params)
        segs = [urllib.parse.unquote(s) for s in parsed.path.split("/") if s]
        try:
            raw = self.read_body()
        except (ValueError, OSError):
            self.send_error(400, "malformed request body")
            return
        head = self.command == "HEAD"
        control = segs[:1] == ["_standin"]
        self._record_pending = not control
        try:
            if control:
                status, body = self.control(segs[1:], raw)
                self.send_body(status, body)
                return
            fault = self.take_fault(parsed.path)
            if fault and fault["mode"] == "delay":  # the right answer, later (concurrency tests)
                time.sleep(float(fault.get("ms", 300)) / 1000)
                fault = None
            if fault:
                status, note = self.apply_fault(fault)
                return
            self.check_auth()
            status, body, headers = self.api(segs, params, raw)
            self.send_body(status, body, headers, head=head)
        except self.error_class as e:
            status = e.status
            self.send_body(e.status, e.body, e.headers, head=head)
        except (BrokenPipeError, ConnectionResetError):
            note = "client went away"
        except Exception as e:  # never let one request take the server down
            status, note = 500, "internal error: %r" % e
            try:
                self.send_body(500, self.internal_error_body(e))
            except OSError:
                pass
        finally:
            self.log_line(status, t0, note)
            if self._record_pending:  # no answer went out (a hang, a client gone): record it now
                self._record_pending = False
                self.record(status)
            self.after_request(segs, params, status)

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    # ------------------------------------------------------------------------------------
    # Faults
    # ------------------------------------------------------------------------------------

    def take_fault(self, path):
        with self.store.lock:
            f = self.store.fault
            if not f or not path.startswith(f.get("path_prefix") or "/"):
                return None
            if f.get("count") is not None:
                f["count"] -= 1
                if f["count"] <= 0:
                    self.store.fault = None
            return dict(f, release=self.store.hang_release)

    def apply_fault(self, f):
        if f["mode"] == "hang":  # answer nothing until the fault is cleared, then hang up
            while not f["release"].wait(0.2):
                pass
            self.close_connection = True
            return "-", "fault hang: dropped"
        if f["mode"] == "malformed":
            self.send_body(200, self.FAULT_MALFORMED)
            return 200, "fault malformed"
        if f["mode"] == "truncate":
            data = json.dumps(self.truncate_body()).encode()
            self.send_body(200, data[: len(data) // 2], length=len(data))
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return 200, "fault truncate"
        status = int(f.get("status", 503))
        self.send_body(status, self.fault_body(status))
        return status, "fault status"


# ----------------------------------------------------------------------------------------
# Start-up
# ----------------------------------------------------------------------------------------

def argument_parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0, help="0: a free one")
    ap.add_argument("--port-file", help="where to write the port once listening")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate chain (PEM)")
    ap.add_argument("--tls-key", help="the private key of --tls-cert (PEM)")
    return ap


def add_credentials(ap):
    ap.add_argument("--user")
    ap.add_argument("--password-file")


def add_log(ap):
    ap.add_argument("--log", help="one line per request")
    ap.add_argument("--record", help="one JSON line per client request (method, path, time, "
                    "status); the /_standin/ control endpoints are not recorded")


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def clear_fault(store):
    """No fault any more; the requests a hang fault holds are let go (and dropped
    unanswered)."""
    store.fault = None
    store.hang_release.set()
    store.hang_release = threading.Event()


def open_log(handler, path, record=None):
    if path:
        handler.logf = open(path, "a", encoding="utf-8")
    if record:
        handler.recf = open(record, "a", encoding="utf-8")


def make_server(handler, port, tls_cert=None, tls_key=None):
    """The server on 127.0.0.1:port; HTTPS when a certificate is given (as Elasticsearch 8
    serves by default)."""
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 64
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    if tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls_cert, tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    return server


def serve(server, handler, port_file, what, more="", on_exit=None):
    """Serves until SIGTERM or SIGINT, having written the port to port_file (atomically) and
    a line "... listening on 127.0.0.1:PORT (WHAT, pid N, auth on|offMORE)" to the log."""
    port = server.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    signal.signal(signal.SIGINT, lambda *_: threading.Thread(target=server.shutdown).start())
    if port_file:
        with open(port_file + ".tmp", "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        os.replace(port_file + ".tmp", port_file)
    if handler.logf:
        handler.logf.write("%s listening on 127.0.0.1:%d (%s, pid %d, auth %s%s)\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"), port, what, os.getpid(),
            "on" if handler.auth else "off", more))
        handler.logf.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        if on_exit:
            on_exit()
        handler.store.hang_release.set()
        server.server_close()
    return 0
