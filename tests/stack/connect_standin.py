#!/usr/bin/python3
"""connect_standin.py: a Kafka Connect REST API stand-in for synctop's tests and demo.

Kafka Connect (a JVM worker plus a Kafka cluster for its config, offset and status topics)
is not part of the local stack. This server speaks the Connect REST API that synctop reads
and writes, with the documented response bodies and the state machine that matters to the
runbook (RUNBOOK.md, connector-task-failed and worker-paused): a task can be FAILED while its
connector is RUNNING; a plain connector restart does not restart failed tasks; only
restart?includeTasks=true (KIP-745, Kafka 3.0) or a task restart does. Python 3 standard
library only. tests/stack/connect.sh starts it; tests/fixtures/connect/ holds the reference
bodies it is compared with; standin_http.py, next to it, holds the HTTP plumbing it shares
with search_standin.py.

    connect_standin.py --port N --port-file PATH [--user U --password-file F] [--log PATH]
                       [--connector NAME:TASKS[:TOPICS] ...] [--restart-ms MS]
                       [--version X.Y.Z] [--record PATH]

--connector creates a sink connector at start (an Elasticsearch sink on topics shop.products
unless TOPICS is given; connection.url is $SYNCTOP_SEARCH_URL when set); `--connector none`
creates none. --restart-ms (default 500) is how long an asynchronous restart (KIP-745) shows
RESTARTING before the instance goes back to its target state. --version (default 3.7.1) is the
Kafka version the worker plays, which GET / reports and which decides the endpoints it has:
before 3.5 there is no /stop (404 "HTTP 404 Not Found", as Jersey answers a path it has no
resource for); before 3.0 (no KIP-745) restart ignores includeTasks and onlyFailed and restarts
the connector instance only (204). --record appends one JSON line per client request (method,
path, time, status; never the /_standin/ ones): see standin_http.py.

Semantics, as Kafka Connect 3.7 in distributed mode (the herder's messages are quoted from
apache/kafka DistributedHerder, AbstractHerder and ConnectorsResource):
  pause, resume          202, empty body; effective at once. A FAILED connector or task stays
                         FAILED (pausing does not touch what is not running). The target
                         state persists: a worker restart (POST /_standin/worker_restart)
                         brings every instance back in it, PAUSED stays PAUSED.
  stop                   (Kafka 3.5, KIP-875) 204, empty body: the connector is STOPPED and its
                         tasks shut down: the status lists none; resume regenerates them.
  POST .../restart       without includeTasks/onlyFailed: 204 once the connector instance was
                         restarted (synchronous); its tasks are untouched, a FAILED task stays
                         FAILED. With includeTasks=true and/or onlyFailed=true: 202 and the
                         status with RESTARTING on each instance to restart, which stays so for
                         --restart-ms, then takes the target state (RUNNING, or PAUSED).
  POST .../tasks/N/restart  204 once the task was restarted (synchronous).
  409                    while a rebalance runs (POST /_standin/rebalance), for the requests
                         that the herder must serve (create, info, config, tasks, restart,
                         stop, delete); status, list, pause and resume still answer.
  401                    with --user: every request without the right Basic credentials, body
                         "User cannot access the resource." (Connect's JaasBasicAuthFilter).
  errors                 {"error_code": N, "message": "..."}; unknown paths 404 "HTTP 404 Not
                         Found", a body that is not JSON 500 (Jackson's message), a Content-Type
                         other than JSON 415.

Control endpoints (never authenticated), for tests and demo faults:
    POST   /_standin/task_fail       {"connector": "x", "task": 0, "trace": "..."}: the task is
                                     FAILED with that trace (a Java stack trace by default); its
                                     connector keeps its state (connector-task-failed)
    POST   /_standin/connector_fail  {"connector": "x", "trace": "..."}: the connector is FAILED
    POST   /_standin/set_state       {"connector": "x", "task": N (optional), "state": "UNASSIGNED",
                                     "trace": "..."}: any state, as is
    POST   /_standin/rebalance       {"seconds": N, "scope": "writes"|"all"}: 409 meanwhile (all:
                                     every /connectors request); DELETE ends it
    POST   /_standin/worker_restart  the worker restarts: every connector and task (a FAILED
                                     one too) starts again in its target state (RUNNING, PAUSED;
                                     a STOPPED connector stays stopped); a rebalance follows for
                                     "seconds" (0 by default)
    POST   /_standin/fault           {"mode": "hang"|"malformed"|"truncate"|"status"|"delay",
                                     "status": 503, "ms": 300 (delay: each answer, the right
                                     one, that much later), "path_prefix": "/connectors",
                                     "count": N}
    DELETE /_standin/fault           clear it (hung requests are then dropped unanswered)
    GET    /_standin/state           connectors, states, targets, pending restarts, fault
    DELETE /_standin/state           back to the connectors of the command line; no fault,
                                     no rebalance, an empty log
    GET    /_standin/log             every request that changes something (pause, resume, stop,
                                     restart, task_restart, create, config, delete) with its time
                                     and answer: {"requests": [...]}; DELETE empties it
"""

import argparse
import base64
import copy
import json
import os
import sys
import threading
import time
import urllib.parse

# The HTTP plumbing shared with search_standin.py, from this script's own directory,
# whatever the current one; no __pycache__ (python3 -B, a read-only tree under distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import standin_http  # noqa: E402

# ----------------------------------------------------------------------------------------
# Constants and small helpers
# ----------------------------------------------------------------------------------------

CONNECT_VERSION = "3.7.1"  # the default of --version
CONNECT_COMMIT = "e2494e6ffb89f828"  # illustrative: 16 hex digits, as Connect shows a commit
ES_SINK = "io.confluent.connect.elasticsearch.ElasticsearchSinkConnector"
PLUGINS = [
    {"class": ES_SINK, "type": "sink", "version": "14.1.2"},
    {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink",
     "version": CONNECT_VERSION},
    {"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source",
     "version": CONNECT_VERSION},
    {"class": "org.apache.kafka.connect.mirror.MirrorSourceConnector", "type": "source",
     "version": CONNECT_VERSION}]
TASK_CLASSES = {ES_SINK: "io.confluent.connect.elasticsearch.ElasticsearchSinkTask"}
STATES = ("UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "RESTARTING", "STOPPED")
# What an instance becomes when it (re)starts, by the connector's target state.
TARGET_STATE = {"STARTED": "RUNNING", "PAUSED": "PAUSED", "STOPPED": "STOPPED"}
JACKSON_SOURCE = ("org.glassfish.jersey.message.internal.ReaderInterceptorExecutor"
                  "$UnCloseableInputStream")
REBALANCE_MSG = ("Cannot complete request momentarily due to no known leader URL, likely "
                 "because a rebalance was underway.")
CONFIG_INVALID = ("Connector configuration is invalid and contains the following %d error(s):"
                  "\n%s\nYou can also find the above list of errors at the endpoint "
                  "`/connector-plugins/{connectorType}/config/validate`")
# The trace of a task failed by /_standin/task_fail without one: an Elasticsearch sink that
# met a mapping conflict, as WorkerSinkTask reports it.
DEFAULT_TASK_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to "
    "unrecoverable exception.\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:632)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.poll(WorkerSinkTask.java:350)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.iteration(WorkerSinkTask.java:250)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerSinkTask.execute(WorkerSinkTask.java:219)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerTask.doRun(WorkerTask.java:204)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:259)\n"
    "\tat org.apache.kafka.connect.runtime.isolation.Plugins.lambda$withClassLoader$1(Plugins.java:237)\n"
    "\tat java.base/java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:539)\n"
    "\tat java.base/java.util.concurrent.FutureTask.run(FutureTask.java:264)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)\n"
    "\tat java.base/java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:635)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n"
    "Caused by: org.apache.kafka.connect.errors.ConnectException: Indexing record failed.\n"
    "\tat io.confluent.connect.elasticsearch.ElasticsearchClient.handleResponse(ElasticsearchClient.java:639)\n"
    "\tat io.confluent.connect.elasticsearch.ElasticsearchClient$1.afterBulk(ElasticsearchClient.java:428)\n"
    "\t... 5 more\n"
    "Caused by: ElasticsearchException[Elasticsearch exception [type=mapper_parsing_exception, "
    "reason=failed to parse field [price] of type [long] in document with id 'sku-1042'.]]\n")
DEFAULT_CONNECTOR_TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Could not connect to Elasticsearch. "
    "General exception: Connection refused\n"
    "\tat io.confluent.connect.elasticsearch.ElasticsearchSinkConnector.validate(ElasticsearchSinkConnector.java:62)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerConnector.doStart(WorkerConnector.java:140)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerConnector.start(WorkerConnector.java:165)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerConnector.doTransitionTo(WorkerConnector.java:363)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerConnector.run(WorkerConnector.java:119)\n"
    "\tat java.base/java.lang.Thread.run(Thread.java:840)\n")


def now_iso():
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


def connector_type(config):
    """sink or source by the class name (the stand-in loads no plugin); unknown otherwise, as
    Connect says of a class it cannot load."""
    cls = str(config.get("connector.class") or "")
    for p in PLUGINS:
        if p["class"] == cls or p["class"].rsplit(".", 1)[-1] == cls:
            return p["type"]
    short = cls.rsplit(".", 1)[-1]
    if "Sink" in short:
        return "sink"
    if "Source" in short:
        return "source"
    return "unknown"


def parse_version(text):
    """"3.7.1" -> (3, 7, 1); the leading digits of each dotted part ("3.8.0-SNAPSHOT")."""
    out = []
    for part in str(text).split(".")[:3]:
        digits = ""
        for ch in part:
            if not ch.isdigit():
                break
            digits += ch
        out.append(int(digits or 0))
    return tuple(out + [0] * (3 - len(out)))


def query_bool(params, name):
    """Jersey's Boolean query parameter: "true" in any case is true, anything else false."""
    return (params.get(name) or ["false"])[-1].strip().lower() == "true"


# ----------------------------------------------------------------------------------------
# Errors, shaped as Kafka Connect shapes them (ConnectExceptionMapper: ErrorMessage)
# ----------------------------------------------------------------------------------------

class ConnectError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(status)
        self.status, self.message, self.headers = status, message, headers or []

    @property
    def body(self):
        """What the answer carries: the ErrorMessage, or bytes as they are (a bare entity)."""
        if isinstance(self.message, bytes):
            return self.message
        return {"error_code": self.status, "message": self.message}


def http_error(status):
    """Jersey's own errors (no route, wrong method, wrong media type), as Connect maps them."""
    reason = {400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
              415: "Unsupported Media Type"}.get(status, "Error")
    return ConnectError(status, "HTTP %d %s" % (status, reason))


def jackson_error(e):
    return ConnectError(500, "%s\n at [Source: (%s); line: %d, column: %d]" % (
        e.msg, JACKSON_SOURCE, e.lineno, e.colno))


# ----------------------------------------------------------------------------------------
# The model: connectors and their tasks
# ----------------------------------------------------------------------------------------

class Task:
    def __init__(self, tid, state):
        self.id, self.state, self.trace = tid, state, None
        self.pending = None  # monotonic deadline of a RESTARTING, then the target state


class Connector:
    def __init__(self, name, config, target="STARTED"):
        self.name, self.config, self.target = name, dict(config), target
        self.state, self.trace, self.pending = TARGET_STATE[target], None, None
        self.created = now_iso()
        self.tasks = []
        self.generate_tasks()

    @property
    def type(self):
        return connector_type(self.config)

    def task_count(self):
        try:
            return max(1, int(self.config.get("tasks.max") or 1))
        except ValueError:
            return 1

    def generate_tasks(self):
        """New task configurations (start, config change, resume after stop): every task
        starts afresh in the target state; a stopped connector has none."""
        if self.target == "STOPPED":
            self.tasks = []
        else:
            self.tasks = [Task(i, TARGET_STATE[self.target]) for i in range(self.task_count())]

    def task(self, tid):
        for t in self.tasks:
            if t.id == tid:
                return t
        return None

    def task_config(self, tid):
        cfg = dict(self.config)
        cfg["task.class"] = TASK_CLASSES.get(cfg.get("connector.class"),
                                             str(cfg.get("connector.class", "")) + "Task")
        return cfg


class Store:
    def __init__(self, initial, restart_ms, version=CONNECT_VERSION):
        self.lock = threading.Lock()
        self.initial, self.restart_ms = initial, restart_ms
        self.version, self.version_tuple = version, parse_version(version)
        self.worker_id = "127.0.0.1:0"
        self.hang_release = threading.Event()
        self.reset()

    def reset(self):
        self.connectors = {}
        for name, config in self.initial:
            self.connectors[name] = Connector(name, config)
        self.rebalance_until, self.rebalance_scope = 0.0, "writes"
        self.log = []
        standin_http.clear_fault(self)

    def tick(self):
        """Ends the restarts whose time has come: the instance takes its target state."""
        now = time.monotonic()
        for c in self.connectors.values():
            if c.pending is not None and now >= c.pending:
                c.pending, c.state, c.trace = None, TARGET_STATE[c.target], None
            for t in c.tasks:
                if t.pending is not None and now >= t.pending:
                    t.pending, t.state, t.trace = None, TARGET_STATE[c.target], None

    def rebalancing(self):
        return time.monotonic() < self.rebalance_until

    def get(self, name, message):
        c = self.connectors.get(name)
        if c is None:
            raise ConnectError(404, message % name)
        return c

    # Bodies ------------------------------------------------------------------------------

    def status(self, c):
        conn = {"state": c.state, "worker_id": self.worker_id}
        if c.trace:
            conn["trace"] = c.trace
        return {"name": c.name, "connector": conn,
                "tasks": [self.task_status(t) for t in c.tasks], "type": c.type}

    def task_status(self, t):
        out = {"id": t.id, "state": t.state, "worker_id": self.worker_id}
        if t.trace:
            out["trace"] = t.trace
        return out

    @staticmethod
    def info(c, tasks=True):
        return {"name": c.name, "config": dict(c.config),
                "tasks": [{"connector": c.name, "task": t.id} for t in c.tasks] if tasks else [],
                "type": c.type}

    def dump(self):
        now = time.monotonic()

        def pending(p):
            return None if p is None else max(0, int((p - now) * 1000))
        return {
            "worker_id": self.worker_id, "restart_ms": self.restart_ms, "fault": self.fault,
            "version": self.version,
            "rebalance": {"remaining_s": round(max(0.0, self.rebalance_until - now), 3),
                          "scope": self.rebalance_scope} if self.rebalancing() else None,
            "connectors": {n: {"target": c.target, "state": c.state, "trace": c.trace,
                               "pending_ms": pending(c.pending), "type": c.type,
                               "created": c.created, "config": c.config,
                               "tasks": [{"id": t.id, "state": t.state, "trace": t.trace,
                                          "pending_ms": pending(t.pending)} for t in c.tasks]}
                           for n, c in self.connectors.items()},
            "log_entries": len(self.log)}


def startup_config(name, tasks, topics):
    return {"connector.class": ES_SINK, "tasks.max": str(tasks), "topics": topics,
            "connection.url": os.environ.get("SYNCTOP_SEARCH_URL") or "http://localhost:9200",
            "key.ignore": "false", "schema.ignore": "true", "behavior.on.null.values": "delete",
            "write.method": "upsert", "name": name}


# ----------------------------------------------------------------------------------------
# HTTP (the plumbing: standin_http.py)
# ----------------------------------------------------------------------------------------

# Requests the herder must serve (DistributedHerder: checkRebalanceNeeded, or the leader):
# they answer 409 while a rebalance runs. GET /connectors, status, pause and resume do not.
HERDER_ROUTES = {"create", "info", "config_get", "config_put", "tasks", "restart",
                 "task_restart", "stop", "delete", "tasks_config"}


class Handler(standin_http.StandinHandler):
    server_version = "synctop-connect-standin"
    error_class = ConnectError
    FAULT_MALFORMED = b'{"name":"products-sink","connector":{"state":"RUNN'

    def send_body(self, status, body, headers=(), length=None, head=False,
                  ctype="application/json"):
        """One answer. A dict or list is JSON; bytes go as they are; None is no body (204
        has no Content-Length at all, RFC 9110; every other answer has one). An answer to
        HEAD has no body, whatever head says."""
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        else:
            data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        if data or length:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        if status != 204:
            self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.send_answer(data if data and self.command != "HEAD" else b"")

    def malformed_body(self, code, message):
        return {"error_code": code, "message": message or "Bad Request"}

    def internal_error_body(self, e):
        return {"error_code": 500, "message": repr(e)}

    def truncate_body(self):
        return {"version": self.store.version, "commit": CONNECT_COMMIT,
                "kafka_cluster_id": self.server.cluster_id}

    def fault_body(self, status):
        return {"error_code": status, "message": "standin fault: status %d" % status}

    def api(self, segs, params, raw):
        route, args = self.match(segs)
        with self.store.lock:
            self.store.tick()
            return self.serve(route, args, params, raw)

    def after_request(self, segs, params, status):
        """The request log of GET /_standin/log: what a client asked to change, whatever
        the answer (refused by authentication, a fault or a rebalance included)."""
        if self.command in ("GET", "HEAD", "OPTIONS") or segs[:1] != ["connectors"]:
            return
        n, last = len(segs), segs[-1]
        action = {(1, "POST"): "create", (2, "DELETE"): "delete"}.get((n, self.command))
        if n == 3:
            action = {("config", "PUT"): "config", ("restart", "POST"): "restart",
                      ("pause", "PUT"): "pause", ("resume", "PUT"): "resume",
                      ("stop", "PUT"): "stop"}.get((last, self.command))
        elif n == 5 and segs[2] == "tasks" and last == "restart" and self.command == "POST":
            action = "task_restart"
        entry = {"at": now_iso(), "t": round(time.time(), 3), "method": self.command,
                 "path": self.path, "action": action or "other",
                 "connector": segs[1] if n > 1 else None, "status": status}
        if action == "task_restart":
            entry["task"] = int(segs[3]) if segs[3].lstrip("-").isdigit() else segs[3]
        if action == "restart":
            entry["includeTasks"] = query_bool(params, "includeTasks")
            entry["onlyFailed"] = query_bool(params, "onlyFailed")
        with self.store.lock:
            self.store.log.append(entry)

    def check_auth(self):
        """BasicAuthSecurityRestExtension: JaasBasicAuthFilter aborts with 401 and a bare
        string entity; no WWW-Authenticate challenge."""
        if not self.auth:
            return
        scheme, _, cred = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "basic":
            try:
                user, sep, password = base64.b64decode(cred.strip(), validate=True).decode(
                    "utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                user, sep, password = "", "", ""
            if sep and user and (user, password) == (self.auth["user"], self.auth["password"]):
                return
        raise ConnectError(401, b"User cannot access the resource.")

    # ------------------------------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------------------------------

    def match(self, segs):
        """(route, args) for a path; the methods each route allows are checked in serve()."""
        n = len(segs)
        if n == 0:
            return "root", ()
        if segs[0] == "connector-plugins" and n == 1:
            return "plugins", ()
        if segs[0] != "connectors":
            raise http_error(404)
        if n == 1:
            return "connectors", ()
        name = segs[1]
        if n == 2:
            return "connector", (name,)
        sub = segs[2]
        if sub == "stop" and self.store.version_tuple < (3, 5, 0):
            raise http_error(404)  # KIP-875 came with Kafka 3.5
        if n == 3 and sub in ("config", "status", "tasks", "restart", "pause", "resume", "stop",
                              "topics", "tasks-config"):
            return sub.replace("-", "_"), (name,)
        if n in (5, 6) and sub == "tasks":
            try:
                tid = int(segs[3])  # Jersey: an Integer path parameter that is not one is 404
            except ValueError:
                raise http_error(404) from None
            if n == 5 and segs[4] in ("status", "restart"):
                return "task_" + segs[4], (name, tid)
        raise http_error(404)

    ALLOWED = {"root": ("GET",), "plugins": ("GET",), "connectors": ("GET", "POST"),
               "connector": ("GET", "DELETE"), "config": ("GET", "PUT"), "status": ("GET",),
               "tasks": ("GET", "POST"), "restart": ("POST",), "pause": ("PUT",),
               "resume": ("PUT",), "stop": ("PUT",), "topics": ("GET",),
               "tasks_config": ("GET",), "task_status": ("GET",), "task_restart": ("POST",)}

    def json_body(self, raw):
        """The request entity as Jackson reads it: no body is null; bad JSON is a 500."""
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError as e:
            raise jackson_error(e) from None

    @staticmethod
    def string_map(obj, what):
        """A Map<String, String> as Jackson binds it: scalars become strings."""
        if obj is None:
            return None
        if not isinstance(obj, dict):
            raise ConnectError(500, "Cannot deserialize value of type `%s` from %s value" % (
                what, "Array" if isinstance(obj, list) else "Scalar"))
        out = {}
        for k, v in obj.items():
            if isinstance(v, (dict, list)):
                raise ConnectError(500, "Cannot deserialize value of type `java.lang.String` "
                                   "from %s value" % ("Object" if isinstance(v, dict) else "Array"))
            out[str(k)] = None if v is None else (
                ("true" if v else "false") if isinstance(v, bool) else str(v))
        return out

    def serve(self, route, args, params, raw):
        m, store = self.command, self.store
        if m == "HEAD":
            m = "GET"
        if m not in self.ALLOWED[route]:
            raise http_error(405)
        if route not in ("root", "plugins"):
            ctype = self.headers.get("Content-Type")
            if ctype is not None and ctype.split(";")[0].strip().lower() != "application/json":
                raise http_error(415)  # @Consumes(MediaType.APPLICATION_JSON)
        kind = {("connectors", "POST"): "create", ("connector", "GET"): "info",
                ("connector", "DELETE"): "delete", ("config", "GET"): "config_get",
                ("config", "PUT"): "config_put"}.get((route, m), route)
        if store.rebalancing() and (kind in HERDER_ROUTES or store.rebalance_scope == "all") \
                and route not in ("root", "plugins"):
            raise ConnectError(409, REBALANCE_MSG)
        return getattr(self, "r_" + kind)(params, raw, *args)

    # ------------------------------------------------------------------------------------
    # The REST API
    # ------------------------------------------------------------------------------------

    def r_root(self, params, raw):
        return 200, {"version": self.store.version, "commit": CONNECT_COMMIT,
                     "kafka_cluster_id": self.server.cluster_id}, []

    def r_plugins(self, params, raw):
        return 200, copy.deepcopy(PLUGINS[:1] if query_bool(params, "connectorsOnly") or
                                  "connectorsOnly" not in params else PLUGINS), []

    def r_connectors(self, params, raw):
        store = self.store
        names = sorted(store.connectors)
        if "expand" not in params:
            return 200, names, []
        out = {}
        for name in names:
            c, entry = store.connectors[name], {}
            for exp in params["expand"]:
                if exp == "status":
                    entry["status"] = store.status(c)
                elif exp == "info":
                    entry["info"] = store.info(c)
            out[name] = entry
        return 200, out, []

    def validate(self, name, config):
        """The herder's checks of a connector config, with its messages."""
        if not config.get("connector.class"):
            shown = ", ".join("%s=%s" % kv for kv in config.items())
            raise ConnectError(400, "Connector config {%s} contains no connector type" % shown)
        errors = []
        if not name.strip():
            errors.append("Invalid value %s for configuration name: String may not be empty"
                          % name)
        if "tasks.max" in config:
            try:
                if int(str(config["tasks.max"]).strip()) < 1:
                    errors.append("Invalid value %s for configuration tasks.max: Value must "
                                  "be at least 1" % config["tasks.max"])
            except ValueError:
                errors.append("Invalid value %s for configuration tasks.max: Not a number of "
                              "type INT" % config["tasks.max"])
        if errors:
            raise ConnectError(400, CONFIG_INVALID % (len(errors), "\n".join(errors)))

    @staticmethod
    def name_in_url(name, config):
        included = config.get("name")
        if included is not None and included != name:
            raise ConnectError(400, "Connector name configuration (%s) doesn't match connector "
                               "name in the URL (%s)" % (included, name))
        config["name"] = name

    def location(self, name):
        host = self.headers.get("Host") or self.store.worker_id
        return [("Location", "http://%s/connectors/%s" % (host, urllib.parse.quote(name)))]

    def r_create(self, params, raw):
        body = self.json_body(raw)
        if body is None:
            raise ConnectError(500, None)  # Jersey hands the resource a null entity: an NPE
        if not isinstance(body, dict):
            raise ConnectError(500, "Cannot deserialize value of type `org.apache.kafka.connect."
                               "runtime.rest.entities.CreateConnectorRequest` from %s value" %
                               ("Array" if isinstance(body, list) else "Scalar"))
        name = str(body.get("name") or "").strip()
        config = self.string_map(body.get("config"), "java.util.Map<java.lang.String,"
                                 "java.lang.String>") or {}
        self.name_in_url(name, config)
        initial = body.get("initial_state")
        target = {None: "STARTED", "RUNNING": "STARTED", "PAUSED": "PAUSED",
                  "STOPPED": "STOPPED"}.get(initial)
        if target is None:
            raise ConnectError(400, "Invalid initial state: %s" % (initial,))
        self.validate(name, config)
        if name in self.store.connectors:
            raise ConnectError(409, "Connector %s already exists" % name)
        c = Connector(name, config, target)
        self.store.connectors[name] = c
        # The answer is written before the connector generated its task configurations.
        return 201, self.store.info(c, tasks=False), self.location(name)

    def r_info(self, params, raw, name):
        return 200, self.store.info(self.store.get(name, "Connector %s not found")), []

    def r_config_get(self, params, raw, name):
        return 200, dict(self.store.get(name, "Connector %s not found").config), []

    def r_config_put(self, params, raw, name):
        config = self.string_map(self.json_body(raw), "java.util.Map<java.lang.String,"
                                 "java.lang.String>")
        if config is None:
            raise ConnectError(500, None)
        self.name_in_url(name, config)
        self.validate(name, config)
        c = self.store.connectors.get(name)
        if c is None:
            c = Connector(name, config)
            self.store.connectors[name] = c
            return 201, self.store.info(c, tasks=False), self.location(name)
        if config != c.config:
            # A new configuration restarts the connector and replaces its tasks: a FAILED
            # one comes back too.
            c.config = config
            c.state, c.trace, c.pending = TARGET_STATE[c.target], None, None
            c.generate_tasks()
        return 200, self.store.info(c), []

    def r_status(self, params, raw, name):
        return 200, self.store.status(self.store.get(name, "No status found for connector %s")), []

    def r_tasks(self, params, raw, name):
        if self.command == "POST":  # the workers' internal endpoint: needs a signature
            raise ConnectError(400, "Internal request missing required signature")
        c = self.store.get(name, "Connector %s not found")
        return 200, [{"id": {"connector": name, "task": t.id}, "config": c.task_config(t.id)}
                     for t in c.tasks], []

    def r_tasks_config(self, params, raw, name):
        c = self.store.get(name, "Connector %s not found")
        return 200, {"%s-%d" % (name, t.id): c.task_config(t.id) for t in c.tasks}, []

    def r_topics(self, params, raw, name):
        c = self.store.get(name, "Connector %s not found")
        topics = [t.strip() for t in str(c.config.get("topics") or "").split(",") if t.strip()]
        return 200, {name: {"topics": topics}}, []

    def r_task_status(self, params, raw, name, tid):
        c = self.store.connectors.get(name)
        t = c.task(tid) if c else None
        if t is None:
            raise ConnectError(404, "No status found for task %s-%d" % (name, tid))
        return 200, self.store.task_status(t), []

    def r_pause(self, params, raw, name):
        self.set_target(self.store.get(name, "Unknown connector %s"), "PAUSED")
        return 202, None, []

    def r_resume(self, params, raw, name):
        self.set_target(self.store.get(name, "Unknown connector %s"), "STARTED")
        return 202, None, []

    def r_stop(self, params, raw, name):
        self.set_target(self.store.get(name, "Unknown connector %s"), "STOPPED")
        return 204, None, []

    @staticmethod
    def set_target(c, target):
        """A new target state: what runs takes it; what FAILED stays FAILED; what is
        restarting takes it when the restart ends. Leaving STOPPED regenerates the tasks."""
        was = c.target
        c.target = target
        if target == "STOPPED":
            c.state, c.trace, c.pending, c.tasks = "STOPPED", None, None, []
            return
        state = TARGET_STATE[target]
        if c.pending is None and (c.state != "FAILED" or was == "STOPPED"):
            c.state, c.trace = state, None
        if was == "STOPPED":
            c.generate_tasks()
            return
        for t in c.tasks:
            if t.pending is None and t.state != "FAILED":
                t.state = state

    def r_restart(self, params, raw, name):
        store = self.store
        include_tasks, only_failed = query_bool(params, "includeTasks"), query_bool(
            params, "onlyFailed")
        if store.version_tuple < (3, 0, 0):  # before KIP-745: no such query parameters
            include_tasks = only_failed = False
        c = store.get(name, "Unknown connector: %s")
        if not include_tasks and not only_failed:
            # The connector instance is stopped and started again before the answer; its
            # tasks are not touched (a FAILED task stays FAILED).
            c.state, c.trace, c.pending = TARGET_STATE[c.target], None, None
            return 204, None, []
        deadline = time.monotonic() + store.restart_ms / 1000.0
        if not only_failed or c.state == "FAILED":
            c.state, c.trace, c.pending = "RESTARTING", None, deadline
        if include_tasks:
            for t in c.tasks:
                if not only_failed or t.state == "FAILED":
                    t.state, t.trace, t.pending = "RESTARTING", None, deadline
        return 202, store.status(c), []

    def r_task_restart(self, params, raw, name, tid):
        c = self.store.get(name, "Unknown connector: %s")
        t = c.task(tid)
        if t is None:
            raise ConnectError(404, "Unknown task: %s-%d" % (name, tid))
        t.state, t.trace, t.pending = TARGET_STATE[c.target], None, None
        return 204, None, []

    def r_delete(self, params, raw, name):
        self.store.get(name, "Connector %s not found")
        del self.store.connectors[name]
        return 204, None, []

    # ------------------------------------------------------------------------------------
    # Control endpoints
    # ------------------------------------------------------------------------------------

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ConnectError(400, "bad JSON: %s" % e) from None
        if not isinstance(body, dict):
            raise ConnectError(400, "the body must be a JSON object")
        action = (self.command, what)
        with store.lock:
            store.tick()
            if action == ("POST", "task_fail"):
                c, t = self.control_task(body)
                t.state, t.pending = "FAILED", None
                t.trace = str(body.get("trace") or DEFAULT_TASK_TRACE)
                return 200, store.status(c)
            if action == ("POST", "connector_fail"):
                c = self.control_connector(body)
                c.state, c.pending = "FAILED", None
                c.trace = str(body.get("trace") or DEFAULT_CONNECTOR_TRACE)
                return 200, store.status(c)
            if action == ("POST", "set_state"):
                state = body.get("state")
                if state not in STATES:
                    raise ConnectError(400, "state must be one of %s" % ", ".join(STATES))
                if "task" in body:
                    c, obj = self.control_task(body)
                else:
                    c = obj = self.control_connector(body)
                obj.state, obj.pending = state, None
                obj.trace = str(body["trace"]) if body.get("trace") else None
                return 200, store.status(c)
            if action == ("POST", "worker_restart"):
                try:
                    seconds = float(body.get("seconds", 0))
                except (TypeError, ValueError):
                    raise ConnectError(400, "seconds must be a number") from None
                for c in store.connectors.values():
                    c.state, c.trace, c.pending = TARGET_STATE[c.target], None, None
                    for t in c.tasks:
                        t.state, t.trace, t.pending = TARGET_STATE[c.target], None, None
                store.rebalance_until = time.monotonic() + max(0.0, seconds)
                store.rebalance_scope = "writes"
                return 200, {"acknowledged": True, "connectors": {
                    n: store.status(c) for n, c in store.connectors.items()}}
            if action == ("POST", "rebalance"):
                try:
                    seconds = float(body.get("seconds", 5))
                except (TypeError, ValueError):
                    raise ConnectError(400, "seconds must be a number") from None
                if body.get("scope", "writes") not in ("writes", "all"):
                    raise ConnectError(400, "scope must be writes or all")
                store.rebalance_until = time.monotonic() + max(0.0, seconds)
                store.rebalance_scope = body.get("scope", "writes")
                return 200, {"acknowledged": True, "seconds": seconds,
                             "scope": store.rebalance_scope}
            if action == ("DELETE", "rebalance"):
                store.rebalance_until = 0.0
                return 200, {"acknowledged": True}
            if action == ("POST", "fault"):
                if body.get("mode") not in ("hang", "malformed", "truncate", "status", "delay"):
                    raise ConnectError(400, "mode must be hang, malformed, truncate, status or "
                                       "delay")
                try:
                    fault = {k: body[k] for k in ("mode", "status", "path_prefix", "count", "ms")
                             if k in body}
                    if "status" in fault:
                        fault["status"] = int(fault["status"])
                        if not 100 <= fault["status"] <= 599:
                            raise ValueError(fault["status"])
                    if "count" in fault:
                        fault["count"] = int(fault["count"])
                except (TypeError, ValueError):
                    raise ConnectError(400, "status and count must be numbers") from None
                store.fault = fault
                return 200, {"acknowledged": True, "fault": store.fault}
            if action == ("DELETE", "fault"):
                standin_http.clear_fault(store)
                return 200, {"acknowledged": True}
            if action == ("GET", "state"):
                return 200, store.dump()
            if action == ("DELETE", "state"):
                store.reset()
                return 200, {"acknowledged": True}
            if action == ("GET", "log"):
                return 200, {"requests": list(store.log)}
            if action == ("DELETE", "log"):
                store.log = []
                return 200, {"acknowledged": True}
        raise ConnectError(400, "unknown control endpoint [%s %s]" % (self.command, self.path))

    def control_connector(self, body):
        c = self.store.connectors.get(str(body.get("connector")))
        if c is None:
            raise ConnectError(404, "no connector %r" % body.get("connector"))
        return c

    def control_task(self, body):
        c = self.control_connector(body)
        try:
            t = c.task(int(body.get("task", 0)))
        except (TypeError, ValueError):
            t = None
        if t is None:
            raise ConnectError(404, "connector %s has no task %r (it has %d)" % (
                c.name, body.get("task", 0), len(c.tasks)))
        return c, t


# ----------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------

def parse_connector(spec):
    """NAME:TASKS[:TOPICS] -> (name, config); 'none' -> None."""
    if spec == "none":
        return None
    parts = spec.split(":", 2)
    try:
        tasks = int(parts[1]) if len(parts) > 1 and parts[1] else 1
        if tasks < 1 or not parts[0]:
            raise ValueError(spec)
    except ValueError:
        raise argparse.ArgumentTypeError("expected NAME:TASKS[:TOPICS], got %r" % spec) from None
    return parts[0], startup_config(parts[0], tasks, parts[2] if len(parts) > 2 else
                                    "shop.products")


def main(argv=None):
    ap = standin_http.argument_parser("A Kafka Connect REST API stand-in for synctop")
    standin_http.add_credentials(ap)
    standin_http.add_log(ap)
    ap.add_argument("--connector", action="append", default=[], type=parse_connector,
                    metavar="NAME:TASKS[:TOPICS]", help="a sink connector to create at start")
    ap.add_argument("--restart-ms", type=int, default=500,
                    help="how long an asynchronous restart shows RESTARTING")
    ap.add_argument("--version", default=CONNECT_VERSION,
                    help="the Kafka version the worker plays (GET /; /stop from 3.5, "
                    "restart?includeTasks from 3.0)")
    a = ap.parse_args(argv)

    if a.user:
        password = ""
        if a.password_file:
            password = standin_http.read_secret(a.password_file)
        Handler.auth = {"user": a.user, "password": password}
    Handler.store = Store([c for c in a.connector if c], max(0, a.restart_ms), a.version)
    standin_http.open_log(Handler, a.log, a.record)
    server = standin_http.make_server(Handler, a.port, a.tls_cert, a.tls_key)
    port = server.server_address[1]
    server.cluster_id = base64.urlsafe_b64encode(os.urandom(16)).decode()[:22]
    Handler.store.worker_id = "127.0.0.1:%d" % port
    return standin_http.serve(server, Handler, a.port_file, "Kafka Connect %s" % a.version,
                              ", connectors %s" % (",".join(Handler.store.connectors) or "none"))


if __name__ == "__main__":
    sys.exit(main())
