#!/usr/bin/python3
"""mongo_standin.py: a MongoDB 6.0 server's wire protocol, for the tests of synctop's document
stage (libmongoc 1.23) and the demo's indexer.

    mongo_standin.py [--port N] [--port-file PATH] [--control-port N] [--control-port-file PATH]
                     [--user U --password-file F [--auth-db admin]] [--log PATH] [--record PATH]

It listens on 127.0.0.1 (port 0: a free one, written to --port-file once listening), one
thread per client. The first hello comes as OP_QUERY on DB.$cmd and is answered with OP_REPLY
(libmongoc 1.23 and pymongo 3.11 start so); everything else is OP_MSG both ways (kind 1
document sequences merged into the body, a checksum accepted and not checked, moreToCome
answered with nothing). Compression is never advertised; OP_COMPRESSED and other opcodes close
the connection. The database is the body's $db. Framing and SCRAM: mongo_wire.py; the data
and the query language: mongo_store.py; the data commands: mongo_commands.py.

Commands: hello / isMaster (maxWireVersion 17, no topologyVersion: clients poll; with
saslSupportedMechs "AUTHDB.USER": SCRAM-SHA-1 and SCRAM-SHA-256), ping, buildInfo (6.0.0),
endSessions, killCursors, getMore (CursorNotFound: every cursor is answered whole), saslStart,
saslContinue, count, find, aggregate, listCollections, listDatabases, drop, insert, update,
delete; anything else: CommandNotFound (59) "no such command: 'X'". With --user, a client
that has not authenticated gets Unauthorized (13) "command X requires authentication" for
everything but hello, isMaster, ping, buildInfo, saslStart, saslContinue and endSessions; a
wrong password or user: AuthenticationFailed (18) "Authentication failed.". The user lives in
--auth-db (default admin, as a MongoDB URI's authSource defaults to): saslStart on another
database fails as a wrong password does. A hello's speculativeAuthenticate (a saslStart, as
libmongoc 1.23 and pymongo 3.11 send for SCRAM-SHA-256) is answered as MongoDB 4.4+ does: its
server-first message in the hello's answer, the client going on with saslContinue.

Control, over HTTP on --control-port (standin_http.py's plumbing; JSON bodies; never recorded):
    POST   /_standin/collection {"db": D, "collection": C, "count": N, "newest": EPOCH|null,
                                 "field": "updated_at"}
                      C in D holds N synthetic documents (see mongo_store.py): _id 1..N, FIELD
                      a datetime, the newest EPOCH seconds (a float keeps its milliseconds), one
                      second older per _id; "newest": null: FIELD null; no "newest": no FIELD.
                      Real documents already in C stay. Answers the collection's description.
    DELETE /_standin/collection?db=D&collection=C   drops it (real documents too)
    GET    /_standin/collections   {D: {C: {"count", "field", "newest", "has_field", "documents"}}}
    GET    /_standin/documents?db=D&collection=C   the real documents (relaxed extended JSON)
    POST   /_standin/fault {"fault": "hang"|"error"|"close"|"delay", "code": 91, "errmsg": "...",
                            "codeName": "...", "commands": ["count", ...], "handshake": false,
                            "times": N, "ms": 300}
                      hang: a command is not answered until the fault is cleared, then its
                      connection is closed; error: a command answers {ok: 0, errmsg, code,
                      codeName} (default code 1, InternalError); close: the connection is closed
                      when a command arrives; delay: the right answer, "ms" (300) later.
                      "commands": only those commands (default: all); the handshake (hello,
                      isMaster, saslStart, saslContinue) is spared unless "handshake": true;
                      "times": the next N commands it applies to, then the fault is gone.
    DELETE /_standin/fault         clears it, and lets hung commands go
    GET    /_standin/fault         the fault, or null

--record PATH appends one JSON line per command a client sent, once answered (a command that
a fault holds or closes on: at once, "ok": null): {"time": "2026-12-04T10:54:12.345Z", "db":
"shop", "command": "count", "body": {the command as relaxed extended JSON, SCRAM payloads
redacted}, "ok": 1}. --log PATH: one line per command and connection.
"""

import argparse
import json
import socket
import struct
import sys
import threading
import time

import bson
from bson import json_util
from bson.binary import Binary

import mongo_commands
import mongo_store
import mongo_wire as wire
import standin_http
from mongo_store import CommandError

HANDSHAKE = {"hello", "isMaster", "ismaster", "saslStart", "saslContinue"}
NO_AUTH = {"hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo", "saslStart",
           "saslContinue", "endSessions"}
CODE_NAMES = {1: "InternalError", 2: "BadValue", 6: "HostUnreachable", 8: "UnknownError",
              13: "Unauthorized", 18: "AuthenticationFailed", 26: "NamespaceNotFound",
              50: "MaxTimeMSExpired", 59: "CommandNotFound", 89: "NetworkTimeout",
              91: "ShutdownInProgress", 189: "PrimarySteppedDown", 10107: "NotWritablePrimary",
              11600: "InterruptedAtShutdown", 13435: "NotPrimaryNoSecondaryOk"}
RELAXED = json_util.RELAXED_JSON_OPTIONS


class Server:
    """The wire side: settings, the store, the log and the record."""

    def __init__(self, store, auth, auth_db, logf, recf):
        self.store, self.auth, self.auth_db = store, auth, auth_db
        self.logf, self.recf = logf, recf
        self.out_lock = threading.Lock()
        self.next_conn = 0

    def log(self, line):
        if self.logf:
            with self.out_lock:
                self.logf.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))
                self.logf.flush()

    def record(self, db, name, body, ok):
        if not self.recf:
            return
        shown = _redacted(body)
        t = time.time()
        line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) +
                           ".%03dZ" % (int(t * 1000) % 1000), "db": db, "command": name,
                           "body": json.loads(json_util.dumps(shown, json_options=RELAXED)), "ok": ok})
        with self.out_lock:
            self.recf.write(line + "\n")
            self.recf.flush()


class Connection:
    """One client: its thread runs serve()."""

    def __init__(self, server, sock, conn_id):
        self.server, self.sock, self.id = server, sock, conn_id
        self.authenticated = not server.auth
        self.scram = None
        self.scram_done = False

    def serve(self):
        srv = self.server
        srv.log("conn%d open" % self.id)
        try:
            while True:
                msg = wire.read_message(self.sock)
                if msg is None:
                    break
                request_id, _, opcode, payload = msg
                if opcode == wire.OP_MSG:
                    flags, body = wire.parse_op_msg(payload)
                    db = body.get("$db", "")
                    reply = self.command(db, body)
                    if reply is None:
                        break
                    if not flags & wire.MORE_TO_COME:
                        self.sock.sendall(wire.op_msg(self.next_id(), request_id, reply))
                elif opcode == wire.OP_QUERY:
                    name, query = wire.parse_op_query(payload)
                    if "$query" in query:
                        query = query["$query"]
                    db = name.split(".", 1)[0]
                    if name.endswith(".$cmd") and _name(query) in ("hello", "isMaster", "ismaster"):
                        reply = self.command(db, query)
                    else:
                        reply = CommandError(352, "UnsupportedOpQueryCommand",
                                             "Unsupported OP_QUERY command: %s. The client driver may require an "
                                             "upgrade. For more details see "
                                             "https://dochub.mongodb.org/core/legacy-opcode-removal"
                                             % _name(query)).doc()
                        srv.record(db, _name(query), query, 0)
                    if reply is None:
                        break
                    self.sock.sendall(wire.op_reply(self.next_id(), request_id, reply))
                else:
                    srv.log("conn%d opcode %d not served: closing" % (self.id, opcode))
                    break
        except (wire.ProtocolError, bson.errors.BSONError, ValueError, struct.error) as e:
            srv.log("conn%d bad message: %s: closing" % (self.id, e))
        except OSError as e:
            srv.log("conn%d %s" % (self.id, e))
        finally:
            srv.log("conn%d closed" % self.id)
            try:
                self.sock.close()
            except OSError:
                pass

    _ids = iter(range(1, 1 << 31))

    def next_id(self):
        return next(self._ids)

    def command(self, db, body):
        """The answer document, or None to close the connection."""
        srv, name, t0 = self.server, _name(body), time.monotonic()
        fault = self.fault_for(name)
        if fault and fault["fault"] in ("hang", "close"):
            srv.record(db, name, body, None)
            if fault["fault"] == "hang":
                srv.log("conn%d %s.%s: fault hang" % (self.id, db, name))
                while not fault["release"].wait(0.2):
                    pass
            srv.log("conn%d %s.%s: fault %s: closing" % (self.id, db, name, fault["fault"]))
            return None
        if fault and fault["fault"] == "delay":  # the right answer, later
            time.sleep(float(fault.get("ms", 300)) / 1000)
            fault = None
        try:
            if fault:
                code = int(fault.get("code", 1))
                raise CommandError(code, fault.get("codeName") or CODE_NAMES.get(code, "Location%d" % code),
                                   str(fault.get("errmsg", "stand-in fault")))
            if not self.authenticated and name not in NO_AUTH:
                raise CommandError(13, "Unauthorized", "command %s requires authentication" % name)
            reply = self.run(db, name, body)
        except CommandError as e:
            reply = e.doc()
        except (TypeError, ValueError, KeyError, AttributeError) as e:  # arguments the stand-in cannot read
            srv.log("conn%d %s.%s: %r" % (self.id, db, name, e))
            reply = CommandError(2, "BadValue", "the stand-in cannot run this %s: %s" % (name, e)).doc()
        ok = 1 if reply.get("ok") else 0
        srv.record(db, name, body, ok)
        srv.log("conn%d %s.%s ok %d %.1fms" % (self.id, db, name, ok, (time.monotonic() - t0) * 1000))
        return reply

    def fault_for(self, name):
        store = self.server.store
        with store.lock:
            f = store.wire_fault
            if not f or (name in HANDSHAKE and not f.get("handshake")):
                return None
            if f.get("commands") and name not in f["commands"]:
                return None
            if f.get("times") is not None:
                f["times"] -= 1
                if f["times"] <= 0:
                    store.wire_fault = None
            return dict(f, release=store.wire_release)

    def run(self, db, name, body):
        srv = self.server
        if name in ("hello", "isMaster", "ismaster"):
            return self.hello(name, body)
        if name == "ping" or name == "endSessions":
            return {"ok": 1.0}
        if name.lower() == "buildinfo":
            return {"version": "6.0.0", "gitVersion": "0000000000000000000000000000000000000000",
                    "versionArray": [6, 0, 0, 0], "bits": 64, "debug": False,
                    "maxBsonObjectSize": 16777216, "storageEngines": ["wiredTiger"], "ok": 1.0}
        if name == "saslStart":
            return self.sasl_start(db, body)
        if name == "saslContinue":
            return self.sasl_continue(body)
        if name == "killCursors":
            return {"cursorsKilled": [], "cursorsNotFound": list(body.get("cursors") or []),
                    "cursorsAlive": [], "cursorsUnknown": [], "ok": 1.0}
        if name == "getMore":
            raise CommandError(43, "CursorNotFound", "cursor id %s not found" % body.get("getMore"))
        run = mongo_commands.COMMANDS.get(name)
        if run is None:
            raise CommandError(59, "CommandNotFound", "no such command: '%s'" % name)
        with srv.store.lock:
            return run(srv.store, db, body)

    def hello(self, name, body):
        """The answer of a standalone mongod 6.0 (https://www.mongodb.com/docs/manual/reference/command/hello/)."""
        doc = {}
        if body.get("helloOk"):
            doc["helloOk"] = True
        doc["isWritablePrimary" if name == "hello" else "ismaster"] = True
        doc.update({"maxBsonObjectSize": 16777216, "maxMessageSizeBytes": wire.MAX_MESSAGE,
                    "maxWriteBatchSize": 100000, "localTime": _now(), "logicalSessionTimeoutMinutes": 30,
                    "connectionId": self.id, "minWireVersion": 0, "maxWireVersion": 17, "readOnly": False})
        auth, want = self.server.auth, body.get("saslSupportedMechs")
        if auth and want == "%s.%s" % (self.server.auth_db, auth["user"]):
            doc["saslSupportedMechs"] = ["SCRAM-SHA-1", "SCRAM-SHA-256"]
        spec = body.get("speculativeAuthenticate")
        if auth and isinstance(spec, dict) and spec.get("saslStart") and not self.authenticated:
            try:  # the saslStart the handshake carries; on failure no answer: the client runs saslStart
                first = self.sasl_start(str(spec.get("db", "")), spec)
                doc["speculativeAuthenticate"] = {k: first[k] for k in ("conversationId", "done", "payload")}
            except CommandError:
                self.scram = None
        doc["ok"] = 1.0
        return doc

    def sasl_start(self, db, body):
        auth = self.server.auth
        if not auth:
            raise CommandError(334, "MechanismUnavailable", "Authentication is not enabled on this stand-in")
        mech = str(body.get("mechanism", ""))
        if mech not in wire.MECHANISMS:
            raise CommandError(334, "MechanismUnavailable",
                               "Received authentication for mechanism %s which is not enabled" % mech)
        self.scram, self.scram_done = wire.ScramServer(mech, auth["user"], auth["password"]), False
        try:
            first = self.scram.start(bytes(body.get("payload") or b""))
            if db != self.server.auth_db:  # the user is not in this database
                self.scram.name_ok = False
        except wire.AuthError:
            self.scram = None
            raise _auth_failed() from None
        self.skip_empty = bool((body.get("options") or {}).get("skipEmptyExchange"))
        return {"conversationId": 1, "done": False, "payload": Binary(first), "ok": 1.0}

    def sasl_continue(self, body):
        if self.scram is None or body.get("conversationId") != 1:
            raise CommandError(17, "ProtocolError", "No SASL session state found")
        if self.scram_done:  # the empty third step of a client without skipEmptyExchange
            self.scram = None
            return {"conversationId": 1, "done": True, "payload": Binary(b""), "ok": 1.0}
        try:
            final = self.scram.finish(bytes(body.get("payload") or b""))
        except wire.AuthError:
            self.scram = None
            raise _auth_failed() from None
        self.authenticated, self.scram_done = True, True
        if self.skip_empty:
            self.scram = None
        return {"conversationId": 1, "done": self.skip_empty, "payload": Binary(final), "ok": 1.0}


def _redacted(doc):
    """doc with every SCRAM payload (saslStart's, speculativeAuthenticate's) replaced."""
    return {k: "<redacted>" if k == "payload" else _redacted(v) if isinstance(v, dict) else v
            for k, v in doc.items()}


def _auth_failed():
    return CommandError(18, "AuthenticationFailed", "Authentication failed.")


def _name(body):
    return next(iter(body), "") if isinstance(body, dict) else ""


def _now():
    t = time.time()
    return mongo_store.datetime.datetime.fromtimestamp(int(t * 1000) / 1000, mongo_store.UTC)


def accept_loop(server, lsock):
    while True:
        try:
            sock, _ = lsock.accept()
        except OSError:
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.next_conn += 1
        conn = Connection(server, sock, server.next_conn)
        threading.Thread(target=conn.serve, daemon=True).start()


# ----------------------------------------------------------------------------------------
# Control (HTTP)
# ----------------------------------------------------------------------------------------

class ControlError(Exception):
    def __init__(self, status, msg):
        super().__init__(msg)
        self.status, self.headers, self.body = status, [], {"error": msg}


class Control(standin_http.StandinHandler):
    server_version = "synctop-mongo-standin"
    error_class = ControlError
    params = {}

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

    def request_params(self, params):
        self.params = {k: v[-1] for k, v in params.items()}

    def check_auth(self):
        pass

    def api(self, segs, params, raw):
        raise ControlError(404, "the control port serves /_standin/ alone")

    def _coll_params(self):
        db, coll = self.params.get("db"), self.params.get("collection")
        if not db or not coll:
            raise ControlError(400, "db= and collection= are required")
        return db, coll

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ControlError(400, "bad JSON: %s" % e) from None
        key = (self.command, what)
        with store.lock:
            if key == ("POST", "collection"):
                return 200, self.set_collection(body)
            if key == ("DELETE", "collection"):
                db, coll = self._coll_params()
                if not store.drop(db, coll):
                    raise ControlError(404, "no collection %s.%s" % (db, coll))
                return 200, {"dropped": "%s.%s" % (db, coll)}
            if key == ("GET", "collections"):
                return 200, {db: {c: v.describe() for c, v in colls.items()} for db, colls in store.dbs.items()}
            if key == ("GET", "documents"):
                coll = store.get(*self._coll_params())
                docs = coll.docs if coll else []
                return 200, json.loads(json_util.dumps(docs, json_options=RELAXED))
            if key == ("POST", "fault"):
                if body.get("fault") not in ("hang", "error", "close", "delay"):
                    raise ControlError(400, 'fault: "hang", "error", "close" or "delay"')
                if body.get("times") is not None and (not isinstance(body["times"], int) or body["times"] < 1):
                    raise ControlError(400, '"times" must be an integer >= 1')
                store.wire_fault = {k: body[k] for k in ("fault", "code", "codeName", "errmsg", "commands",
                                                         "handshake", "times", "ms") if k in body}
                return 200, store.wire_fault
            if key == ("DELETE", "fault"):
                store.wire_fault = None
                store.wire_release.set()
                store.wire_release = threading.Event()
                return 200, {"fault": None}
            if key == ("GET", "fault"):
                return 200, store.wire_fault
        raise ControlError(404, "no control %s %s" % (self.command, what))

    def set_collection(self, body):
        db, name = body.get("db"), body.get("collection")
        if not isinstance(db, str) or not db or not isinstance(name, str) or not name:
            raise ControlError(400, '"db" and "collection" (strings) are required')
        count, newest = body.get("count", 0), body.get("newest", mongo_store._MISSING)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ControlError(400, '"count" must be an integer >= 0')
        if newest is not None and newest is not mongo_store._MISSING and (
                isinstance(newest, bool) or not isinstance(newest, (int, float))):
            raise ControlError(400, '"newest" must be epoch seconds or null')
        coll = self.store.create(db, name)
        coll.count, coll.newest = count, newest
        coll.field = str(body.get("field") or "updated_at")
        return coll.describe()


# ----------------------------------------------------------------------------------------
# Start-up
# ----------------------------------------------------------------------------------------

def _write_port(path, port):
    if path:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("%d\n" % port)
        standin_http.os.replace(path + ".tmp", path)


def main(argv=None):
    ap = argparse.ArgumentParser(description="A MongoDB 6.0 wire-protocol server, for synctop's tests")
    ap.add_argument("--port", type=int, default=0, help="0: a free one")
    ap.add_argument("--port-file", help="where to write the port once listening")
    ap.add_argument("--control-port", type=int, default=0, help="the HTTP control port (0: a free one)")
    ap.add_argument("--control-port-file", help="where to write the control port once listening")
    ap.add_argument("--user", help="require SCRAM authentication as this user")
    ap.add_argument("--password-file", help="the user's password (first line)")
    ap.add_argument("--auth-db", default="admin", help="the user's database (default admin)")
    ap.add_argument("--log", help="one line per command and connection")
    ap.add_argument("--record", help="one JSON line per command a client sent")
    a = ap.parse_args(argv)
    auth = None
    if a.user:
        auth = {"user": a.user, "password": standin_http.read_secret(a.password_file) if a.password_file else ""}
    store = mongo_store.Store()
    logf = open(a.log, "a", encoding="utf-8") if a.log else None
    recf = open(a.record, "a", encoding="utf-8") if a.record else None
    server = Server(store, auth, a.auth_db, logf, recf)

    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", a.port))
    lsock.listen(64)
    threading.Thread(target=accept_loop, args=(server, lsock), daemon=True).start()

    Control.store, Control.logf, Control.auth = store, logf, auth
    control = standin_http.make_server(Control, a.control_port)
    _write_port(a.control_port_file, control.server_address[1])
    _write_port(a.port_file, lsock.getsockname()[1])
    server.log("mongo wire listening on 127.0.0.1:%d" % lsock.getsockname()[1])
    try:
        return standin_http.serve(control, Control, None, "MongoDB wire stand-in control",
                                  on_exit=lsock.close)
    finally:
        store.wire_release.set()


if __name__ == "__main__":
    sys.exit(main())
