#!/usr/bin/python3
"""graph_standin.py: a Neo4j server's HTTP Query API, for the tests of synctop's graph stage.

    graph_standin.py --port N --port-file PATH [--user U --password-file F] [--log PATH]
                     [--record PATH] [--database NAME]

POST /db/{database}/query/v2 with {"statement": CYPHER, "parameters": {...}} answers as the
reference documents it (https://neo4j.com/docs/query-api/current/query/): 202 Accepted with
{"data": {"fields": [...], "values": [[...]]}, "bookmarks": [...], "queryType": "r"}; an error
as {"errors": [{"code": "Neo.ClientError...", "message": "..."}]}, 202 too but for
authentication (401). The statements it runs are the two shapes the graph stage's options take
and the two that synctop-indexer (contrib/indexer_graph.c) writes with, their rows in a
parameter (nothing else: the answer to any other is Neo.ClientError.Statement.SyntaxError):

    MATCH (v:Label) RETURN count(v)                      the nodes with that label
    MATCH (v:Label) RETURN max(v.prop).epochSeconds      the newest value of prop (seconds)
    UNWIND $rows AS r MERGE (v:Label {key: r.key}) SET v.prop = datetime(r.prop)
                                                         a node per row, made or found by its
                                                         key, prop set from an ISO 8601 string
                                                         (null: removed)
    UNWIND $keys AS k MATCH (v:Label {key: k}) DETACH DELETE v
                                                         the nodes of those keys, deleted

A write answers {"data": {"fields": [], "values": []}, "bookmarks": [...], "queryType": "w"}
and, when the request has "includeCounters": true, "counters" as the reference's
query-counters page shows them (tests/fixtures/neo4j/query-counters.json): nodesCreated,
nodesDeleted, propertiesSet, labelsAdded... A statement is all or nothing: a row that is not
{key: string} or a prop that is not a date answers an error and changes nothing. The nodes
written are counted and dated by the two reads beside the synthetic ones of /_standin/nodes.

The system database takes ALTER DATABASE name SET ACCESS READ ONLY | READ WRITE (what an
operator types): a read-only database refuses every write with
Neo.ClientError.General.ForbiddenOnReadOnlyDatabase, and still answers the reads.

A database other than --database (default neo4j) answers Neo.ClientError.Database.DatabaseNotFound.
Python 3 standard library only; standin_http.py holds the HTTP plumbing (--record: one JSON
line per client request, the control endpoints left out).

Control endpoints (never recorded):
    POST /_standin/nodes {"label": L, "count": N, "newest": EPOCH}
                                  the label's nodes: N of them, the newest prop EPOCH seconds
                                  (null: no value)
    GET  /_standin/nodes          {label: {"count": N, "newest": EPOCH, "written": W}}: what the
                                  reads answer (the synthetic nodes and the W written ones)
    DELETE /_standin/nodes        forgets every node, synthetic and written
"""

import base64
import datetime
import json
import re
import sys
import threading

import standin_http

COUNT = re.compile(r"^\s*MATCH\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*RETURN\s+count\(\s*(\w+)\s*\)\s*;?\s*$", re.I)
NEWEST = re.compile(
    r"^\s*MATCH\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*RETURN\s+max\(\s*(\w+)\.(\w+)\s*\)\.epochSeconds\s*;?\s*$", re.I)
# The writes: a parameter list unwound, a node merged on a key, a date property set from a row.
MERGE = re.compile(
    r"^\s*UNWIND\s+\$(\w+)\s+AS\s+(\w+)\s+MERGE\s*\(\s*(\w+)\s*:\s*(\w+)\s*\{\s*(\w+)\s*:\s*(\w+)\.(\w+)\s*\}\s*\)"
    r"\s*SET\s+(\w+)\.(\w+)\s*=\s*datetime\(\s*(\w+)\.(\w+)\s*\)\s*;?\s*$", re.I)
DELETE = re.compile(
    r"^\s*UNWIND\s+\$(\w+)\s+AS\s+(\w+)\s+MATCH\s*\(\s*(\w+)\s*:\s*(\w+)\s*\{\s*(\w+)\s*:\s*(\w+)\s*\}\s*\)"
    r"\s*DETACH\s+DELETE\s+(\w+)\s*;?\s*$", re.I)
ALTER = re.compile(r"^\s*ALTER\s+DATABASE\s+(\w+)\s+SET\s+ACCESS\s+READ\s+(ONLY|WRITE)\s*;?\s*$", re.I)
COUNTERS = ("containsUpdates", "nodesCreated", "nodesDeleted", "propertiesSet", "relationshipsCreated",
            "relationshipsDeleted", "labelsAdded", "labelsRemoved", "indexesAdded", "indexesRemoved",
            "constraintsAdded", "constraintsRemoved", "containsSystemUpdates", "systemUpdates")
BOOKMARKS = ["FB:kcwQ/wTfJf8rS1WY+GiIKXsCXgmQ"]


def fail(code, message):
    return 202, {"errors": [{"code": code, "message": message}]}, []


class StatementError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def epoch_of(value):
    """Cypher's datetime(STRING) as epoch seconds (a float), None for null."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise StatementError("Neo.ClientError.Statement.TypeError",
                             "Invalid input for function 'datetime()': Expected a string value, got: %r" % (value,))
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise StatementError("Neo.ClientError.Statement.ArgumentError",
                             "Text cannot be parsed to a DateTime\n\"%s\"" % value) from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)  # the default time zone: UTC
    return t.timestamp()


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
        self.read_only = False
        self.nodes = {}  # label -> {"count": N, "newest": epoch or None}: the synthetic ones
        self.written = {}  # label -> {key value: {prop: epoch seconds}}: the nodes written

    def count(self, label):
        return self.nodes.get(label, {}).get("count", 0) + len(self.written.get(label, {}))

    def newest(self, label, prop):
        """max(v.prop).epochSeconds: the synthetic newest and the written nodes' prop (None: any),
        in whole seconds."""
        values = [v for n in self.written.get(label, {}).values() for k, v in n.items()
                  if v is not None and (prop is None or k == prop)]
        synthetic = self.nodes.get(label, {}).get("newest")
        if synthetic is not None:
            values.append(synthetic)
        return int(max(values) // 1) if values else None

    def view(self):
        labels = set(self.nodes) | set(self.written)
        return {label: {"count": self.count(label), "newest": self.newest(label, None),
                        "written": len(self.written.get(label, {}))} for label in sorted(labels)}


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
            if segs[1] == "system" and store.database != "system":
                return self.system(statement)
            if segs[1] != store.database:
                return fail("Neo.ClientError.Database.DatabaseNotFound",
                            "Database does not exist. Database name: '%s'." % segs[1])
            m = COUNT.match(statement)
            if m and m.group(1) == m.group(3):
                value, field = store.count(m.group(2)), "count(%s)" % m.group(1)
            elif MERGE.match(statement) or DELETE.match(statement):
                return self.write(statement, req)
            else:
                m = NEWEST.match(statement)
                if not (m and m.group(1) == m.group(3)):
                    return fail("Neo.ClientError.Statement.SyntaxError",
                                "the stand-in runs MATCH (v:L) RETURN count(v), MATCH (v:L) RETURN "
                                "max(v.p).epochSeconds, UNWIND $rows AS r MERGE (v:L {k: r.k}) SET "
                                "v.p = datetime(r.p) and UNWIND $keys AS k MATCH (v:L {k: k}) DETACH "
                                "DELETE v alone")
                value = store.newest(m.group(2), m.group(4))
                field = "max(%s.%s).epochSeconds" % (m.group(1), m.group(4))
        return 202, {"data": {"fields": [field], "values": [[value]]},
                     "bookmarks": BOOKMARKS, "queryType": "r"}, []

    def system(self, statement):
        """The system database: ALTER DATABASE name SET ACCESS READ ONLY | READ WRITE."""
        m = ALTER.match(statement)
        if not m:
            return fail("Neo.ClientError.Statement.SyntaxError",
                        "the stand-in's system database runs ALTER DATABASE name SET ACCESS READ "
                        "ONLY | READ WRITE alone")
        if m.group(1) != self.store.database:
            return fail("Neo.ClientError.Database.DatabaseNotFound",
                        "Failed to alter the specified database '%s': Database does not exist." % m.group(1))
        self.store.read_only = m.group(2).upper() == "ONLY"
        return 202, {"data": {"fields": [], "values": []}, "bookmarks": BOOKMARKS}, []

    def write(self, statement, req):
        """A MERGE or DETACH DELETE over the rows of a list parameter; the caller holds the lock."""
        store, params = self.store, req.get("parameters") or {}
        if store.read_only:
            return fail("Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
                        "This is a read only database, writing or modifying the database is not allowed.")
        counters = dict.fromkeys(COUNTERS, 0)
        m = MERGE.match(statement)
        try:
            if m:
                param, row, var, label, key, row1, key1, var1, prop, row2, prop2 = m.groups()
                if not (row1 == row2 == row and var1 == var):
                    raise StatementError("Neo.ClientError.Statement.SyntaxError",
                                         "the stand-in merges on a row's field and sets from the same row")
                changes = [(r[key1], epoch_of(r.get(prop2))) for r in self.rows(params, param, dict, key1)]
                nodes = store.written.setdefault(label, {})
                for k, when in changes:
                    if k not in nodes:
                        nodes[k] = {}
                        counters["nodesCreated"] += 1
                        counters["labelsAdded"] += 1
                        counters["propertiesSet"] += 1  # the key
                    if when is not None or nodes[k].get(prop) is not None:
                        counters["propertiesSet"] += 1
                    nodes[k][prop] = when
            else:
                m = DELETE.match(statement)
                param, item, var, label, key, item1, var1 = m.groups()
                if not (item1 == item and var1 == var):
                    raise StatementError("Neo.ClientError.Statement.SyntaxError",
                                         "the stand-in deletes the nodes whose key is the list's item")
                nodes = store.written.get(label, {})
                for k in self.rows(params, param, str, None):
                    if nodes.pop(k, None) is not None:
                        counters["nodesDeleted"] += 1
        except StatementError as e:
            return fail(e.code, e.message)
        counters["containsUpdates"] = any(counters[c] for c in COUNTERS[1:12])
        counters["containsSystemUpdates"] = False
        body = {"data": {"fields": [], "values": []}, "bookmarks": BOOKMARKS, "queryType": "w"}
        if req.get("includeCounters") is True:
            body["counters"] = counters
        return 202, body, []

    @staticmethod
    def rows(params, name, kind, key):
        """The list parameter NAME, each item a KIND (a map with a string KEY, or a string)."""
        if name not in params:
            raise StatementError("Neo.ClientError.Statement.ParameterMissing", "Expected parameter(s): %s" % name)
        rows = params[name]
        if not isinstance(rows, list):
            raise StatementError("Neo.ClientError.Statement.TypeError",
                                 "Can't UNWIND a value that is not a list: $%s" % name)
        for r in rows:
            k = r.get(key) if key and isinstance(r, dict) else r
            if not isinstance(r, kind) or not isinstance(k, str):
                raise StatementError("Neo.ClientError.Statement.TypeError",
                                     "the stand-in's rows are %s: %s" %
                                     ("maps with a string %s" % key if key else "strings", json.dumps(r)))
        return rows

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise GraphError(400, "Neo.ClientError.Request.InvalidFormat", "bad JSON: %s" % e) from None
        with store.lock:
            if (self.command, what) == ("GET", "nodes"):
                return 200, store.view()
            if (self.command, what) == ("DELETE", "nodes"):
                store.nodes, store.written = {}, {}
                return 200, store.view()
            if (self.command, what) == ("POST", "nodes"):
                store.nodes[str(body["label"])] = {"count": int(body.get("count", 0)), "newest": body.get("newest")}
                return 200, store.view()
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
