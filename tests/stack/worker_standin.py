#!/usr/bin/python3
"""worker_standin.py: a worker with an HTTP admin API, for the tests of synctop's worker stage.

    worker_standin.py --port N --port-file PATH [--user U --password-file F] [--log PATH]
                      [--record PATH] [--paused]

GET /admin/state answers {"paused": BOOL, "since": ISO or null}; POST /admin/pause and POST
/admin/resume set it (200 with the new state; a pause when paused changes nothing). Python 3
standard library only; standin_http.py, next to it, holds the HTTP plumbing (--record: one
JSON line per client request, the control endpoints left out).

Control endpoints (never recorded):
    GET  /_standin/state               {"paused": BOOL, "bodies": [the bodies of pause and resume]}
    POST /_standin/set   {"paused": B}  sets the state, as a person would by hand
    POST /_standin/field {"value": V}   GET /admin/state answers {"paused": V} (V: any JSON) until
                                        /_standin/set
    POST /_standin/fail  {"status": N, "count": C}
                                        the next C (default 1) requests to /admin/pause or
                                        /admin/resume answer N (default 500) and change nothing
    POST /_standin/flip_after {"gets": N}
                                        after N more GETs of /admin/state, the next one finds the
                                        state flipped (as if someone paused or resumed by hand in
                                        between)
"""

import base64
import json
import sys
import threading
import time

import standin_http


class WorkerError(Exception):
    def __init__(self, status, message):
        super().__init__(status)
        self.status, self.headers = status, []
        self.body = {"error": message}


class Store:
    def __init__(self, paused):
        self.lock = threading.Lock()
        self.fault = None
        self.hang_release = threading.Event()
        self.paused = paused
        self.since = time.time() if paused else None
        self.field = None  # a JSON value answered as "paused" instead of the state, or None
        self.fail = None  # (status, count) for the next writes
        self.flip_after = None  # GETs of the state left before it flips, or None
        self.bodies = []

    def set(self, paused):
        if paused != self.paused:
            self.since = time.time() if paused else None
        self.paused = paused
        self.field = None

    def state(self):
        since = None
        if self.since is not None:
            since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since))
        return {"paused": self.paused if self.field is None else self.field["value"],
                "since": since}


class Handler(standin_http.StandinHandler):
    server_version = "synctop-worker-standin"
    error_class = WorkerError
    FAULT_MALFORMED = b'{"paused": tr'

    def send_body(self, status, body, headers=(), length=None, head=False):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.send_answer(b"" if head else data)

    def malformed_body(self, code, message):
        return {"error": message or "bad request"}

    def internal_error_body(self, e):
        return {"error": repr(e)}

    def truncate_body(self):
        return self.store.state()

    def fault_body(self, status):
        return {"error": "standin fault: status %d" % status}

    def check_auth(self):
        if not self.auth:
            return
        scheme, _, cred = self.headers.get("Authorization", "").partition(" ")
        want = "%s:%s" % (self.auth["user"], self.auth["password"])
        if scheme.lower() != "basic" or base64.b64decode(cred or "").decode("utf-8", "replace") != want:
            raise WorkerError(401, "unauthorized")

    def api(self, segs, params, raw):
        store = self.store
        with store.lock:
            if segs == ["admin", "state"] and self.command in ("GET", "HEAD"):
                if store.flip_after == 0:
                    store.flip_after = None
                    store.set(not store.paused)
                elif store.flip_after is not None:
                    store.flip_after -= 1
                return 200, store.state(), []
            if segs[:1] == ["admin"] and len(segs) == 2 and segs[1] in ("pause", "resume"):
                if self.command != "POST":
                    raise WorkerError(405, "method not allowed")
                if store.fail:
                    status, count = store.fail
                    store.fail = (status, count - 1) if count > 1 else None
                    raise WorkerError(status, "injected failure")
                store.bodies.append(raw.decode("utf-8", "replace"))
                store.set(segs[1] == "pause")
                return 200, store.state(), []
            raise WorkerError(404, "no route %s %s" % (self.command, self.path))

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise WorkerError(400, "bad JSON: %s" % e) from None
        with store.lock:
            if (self.command, what) == ("GET", "state"):
                return 200, {"paused": store.paused, "bodies": store.bodies}
            if (self.command, what) == ("POST", "set"):
                store.set(bool(body.get("paused")))
                return 200, store.state()
            if (self.command, what) == ("POST", "field"):
                store.field = {"value": body.get("value")}
                return 200, store.state()
            if (self.command, what) == ("POST", "flip_after"):
                store.flip_after = int(body.get("gets", 0))
                return 200, {"flip_after": store.flip_after}
            if (self.command, what) == ("POST", "fail"):
                store.fail = (int(body.get("status", 500)), int(body.get("count", 1)))
                return 200, {"fail": list(store.fail)}
        raise WorkerError(404, "no control %s %s" % (self.command, what))


def main(argv=None):
    ap = standin_http.argument_parser("A worker with an HTTP admin API, for synctop's tests")
    standin_http.add_credentials(ap)
    standin_http.add_log(ap)
    ap.add_argument("--paused", action="store_true", help="start paused")
    a = ap.parse_args(argv)
    if a.user:
        password = standin_http.read_secret(a.password_file) if a.password_file else ""
        Handler.auth = {"user": a.user, "password": password}
    Handler.store = Store(a.paused)
    standin_http.open_log(Handler, a.log, a.record)
    server = standin_http.make_server(Handler, a.port, a.tls_cert, a.tls_key)
    return standin_http.serve(server, Handler, a.port_file, "worker admin API")


if __name__ == "__main__":
    sys.exit(main())
