#!/usr/bin/python3
"""graph_standin.py: a Neo4j server's HTTP Query API, for the tests of synctop's graph stage.

    graph_standin.py --port N --port-file PATH [--user U --password-file F] [--log PATH]
                     [--record PATH] [--database NAME]

POST /db/{database}/query/v2 with {"statement": CYPHER, "parameters": {...}} answers as the
reference documents it (https://neo4j.com/docs/query-api/current/query/): 202 Accepted with
{"data": {"fields": [...], "values": [[...]]}, "bookmarks": [...], "queryType": "r"}; an error
as {"errors": [{"code": "Neo.ClientError...", "message": "..."}]}, 202 too but for
authentication (401). The statements it runs are the two shapes the graph stage's options take
(and nothing else: the answer to any other is Neo.ClientError.Statement.SyntaxError):

    MATCH (v:Label) RETURN count(v)                      the nodes with that label
    MATCH (v:Label) RETURN max(v.prop).epochSeconds      the newest value of prop (seconds)

A database other than --database (default neo4j) answers Neo.ClientError.Database.DatabaseNotFound.
Python 3 standard library only; standin_http.py holds the HTTP plumbing (--record: one JSON
line per client request, the control endpoints left out).

Control endpoints (never recorded):
    POST /_standin/nodes {"label": L, "count": N, "newest": EPOCH}
                                  the label's nodes: N of them, the newest prop EPOCH seconds
                                  (null: no value)
    GET  /_standin/nodes          {label: {"count": N, "newest": EPOCH}}
"""

import base64
import json
import re
import sys
import threading

import standin_http

COUNT = re.compile(r"^\s*MATCH\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*RETURN\s+count\(\s*(\w+)\s*\)\s*;?\s*$", re.I)
NEWEST = re.compile(
    r"^\s*MATCH\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*RETURN\s+max\(\s*(\w+)\.(\w+)\s*\)\.epochSeconds\s*;?\s*$", re.I)


class GraphError(Exception):
    def __init__(self, status, code, message):
        super().__init__(status)
        self.status, self.headers = status, []
        self.body = {"errors": [{"code": code, "message": message}]}


class Store:
    def __init__(self, database):
        self.lock = threading.Lock()
        self.fault = None
        self.hang_release = threading.Event()
        self.database = database
        self.nodes = {}  # label -> {"count": N, "newest": epoch or None}


class Handler(standin_http.StandinHandler):
    server_version = "synctop-graph-standin"
    error_class = GraphError
    FAULT_MALFORMED = b'{"data": {"fields": ["count(p)"], "values": [[12'

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
        return {"errors": [{"code": "Neo.ClientError.Request.Invalid", "message": message or "bad request"}]}

    def internal_error_body(self, e):
        return {"errors": [{"code": "Neo.DatabaseError.General.UnknownError", "message": repr(e)}]}

    def truncate_body(self):
        return {"data": {"fields": ["n"], "values": [[0]]}}

    def fault_body(self, status):
        return {"errors": [{"code": "Neo.TransientError.General.DatabaseUnavailable",
                            "message": "standin fault: status %d" % status}]}

    def check_auth(self):
        if not self.auth:
            return
        scheme, _, cred = self.headers.get("Authorization", "").partition(" ")
        if not scheme:
            raise GraphError(401, "Neo.ClientError.Security.Unauthorized", "No authentication header supplied.")
        want = "%s:%s" % (self.auth["user"], self.auth["password"])
        try:
            got = base64.b64decode(cred, validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            raise GraphError(401, "Neo.ClientError.Request.InvalidFormat", "Invalid authentication header.") from None
        if scheme.lower() != "basic" or got != want:
            raise GraphError(401, "Neo.ClientError.Security.Unauthorized", "Invalid username or password.")

    def api(self, segs, params, raw):
        if not (len(segs) == 4 and segs[0] == "db" and segs[2:] == ["query", "v2"]):
            raise GraphError(404, "Neo.ClientError.Request.Invalid", "no route %s %s" % (self.command, self.path))
        if self.command != "POST":
            raise GraphError(405, "Neo.ClientError.Request.Invalid", "method not allowed")
        try:
            req = json.loads(raw)
            statement = req["statement"]
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
            return 202, {"errors": [{"code": "Neo.ClientError.Request.InvalidFormat",
                                     "message": "the body is not {\"statement\": ...}"}]}, []
        store = self.store
        with store.lock:
            if segs[1] != store.database:
                return 202, {"errors": [{"code": "Neo.ClientError.Database.DatabaseNotFound",
                                         "message": "Database does not exist. Database name: '%s'." % segs[1]}]}, []
            m = COUNT.match(statement)
            if m and m.group(1) == m.group(3):
                value, field = store.nodes.get(m.group(2), {}).get("count", 0), "count(%s)" % m.group(1)
            else:
                m = NEWEST.match(statement)
                if not (m and m.group(1) == m.group(3)):
                    return 202, {"errors": [{"code": "Neo.ClientError.Statement.SyntaxError",
                                             "message": "the stand-in runs MATCH (v:L) RETURN count(v) and "
                                                        "MATCH (v:L) RETURN max(v.p).epochSeconds alone"}]}, []
                value = store.nodes.get(m.group(2), {}).get("newest")
                field = "max(%s.%s).epochSeconds" % (m.group(1), m.group(4))
        return 202, {"data": {"fields": [field], "values": [[value]]},
                     "bookmarks": ["FB:kcwQ/wTfJf8rS1WY+GiIKXsCXgmQ"], "queryType": "r"}, []

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise GraphError(400, "Neo.ClientError.Request.InvalidFormat", "bad JSON: %s" % e) from None
        with store.lock:
            if (self.command, what) == ("GET", "nodes"):
                return 200, store.nodes
            if (self.command, what) == ("POST", "nodes"):
                store.nodes[str(body["label"])] = {"count": int(body.get("count", 0)), "newest": body.get("newest")}
                return 200, store.nodes
        raise GraphError(404, "Neo.ClientError.Request.Invalid", "no control %s %s" % (self.command, what))


def main(argv=None):
    ap = standin_http.argument_parser("A Neo4j Query API, for synctop's tests")
    standin_http.add_credentials(ap)
    standin_http.add_log(ap)
    ap.add_argument("--database", default="neo4j", help="the one database (default neo4j)")
    a = ap.parse_args(argv)
    if a.user:
        password = standin_http.read_secret(a.password_file) if a.password_file else ""
        Handler.auth = {"user": a.user, "password": password}
    Handler.store = Store(a.database)
    standin_http.open_log(Handler, a.log, a.record)
    server = standin_http.make_server(Handler, a.port, a.tls_cert, a.tls_key)
    return standin_http.serve(server, Handler, a.port_file, "Neo4j Query API")


if __name__ == "__main__":
    sys.exit(main())
