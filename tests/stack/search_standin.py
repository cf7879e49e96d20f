#!/usr/bin/python3
"""search_standin.py: an Elasticsearch 8 stand-in for synctop's tests and demo.

Elasticsearch cannot be installed on the test machines. This server speaks the parts of the
ES 8 REST API that synctop reads and writes, with the documented response bodies and the
refresh semantics that matter to a sync pipeline: _count, _search and _stats see a document
only once a refresh made it visible; refresh_interval -1 stops periodic refreshes; an index
with no explicit refresh_interval that was not searched for index.search.idle.after (30s) is
search-idle: periodic refreshes are skipped until the next search, which refreshes first.
Python 3 standard library only. tests/stack/search.sh starts it; tests/fixtures/search/
holds the reference bodies it is compared with; standin_http.py, next to it, holds the HTTP
plumbing it shares with connect_standin.py.

    search_standin.py --port N --port-file PATH [--flavor elasticsearch|opensearch]
                      [--user U --password-file F] [--api-key-file F] [--log PATH]
                      [--record PATH]

--record appends one JSON line per client request (method, path, time, status; never the
/_standin/ ones): see standin_http.py.

Control endpoints (never authenticated), for tests and demo faults:
    POST   /_standin/fault   {"mode": "hang"|"malformed"|"truncate"|"status"|"delay",
                              "status": 503, "ms": 300 (delay: each answer, the right one,
                              that much later), "path_prefix": "/orders", "count": N (fire N
                              times, then clear)}
    DELETE /_standin/fault   clear the fault (hung requests are then dropped unanswered)
    POST   /_standin/refresh_fault {"mode": "fail"|"unavailable", "index": "orders*" (a pattern
                              of concrete index names; all by default), "shards": N (how
                              many primaries of each index; all by default), "status": 500
                              (of each failure), "count": N}: POST /{index}/_refresh then
                              lists those shards in _shards.failures (fail) or counts them
                              nowhere (unavailable: no shard copy active), and the index
                              does not refresh; nothing succeeded: 503 (unavailable) or the
                              failures' status. DELETE clears it
    POST   /_standin/health  {"status": "yellow", "unassigned_shards": 3}; DELETE clears
    POST   /_standin/delete_hidden {"index": "x", "ids": [...]} or {"index": "x", "count": N}
    GET    /_standin/state   a JSON dump of indices, counters and faults
    DELETE /_standin/state   forget every index, alias, data stream, template and fault
"""

import base64
import copy
import datetime
import fnmatch
import json
import os
import re
import secrets
import sys
import threading
import time

# The HTTP plumbing shared with connect_standin.py, from this script's own directory,
# whatever the current one; no __pycache__ (python3 -B, a read-only tree under distcheck).
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import standin_http  # noqa: E402

# ----------------------------------------------------------------------------------------
# Constants and small helpers
# ----------------------------------------------------------------------------------------

ES_VERSION = dict(number="8.15.3", build_flavor="default", build_type="tar",
                  build_hash="f97532e680b555c3a05e73a74c28afb666923018",
                  build_date="2024-10-09T22:08:00.328917561Z", build_snapshot=False,
                  lucene_version="9.11.1", minimum_wire_compatibility_version="7.17.0",
                  minimum_index_compatibility_version="7.0.0")
OS_VERSION = dict(distribution="opensearch", number="2.17.1", build_type="tar",
                  build_hash="1893d20797e30110e5877170e44d42275ce5951e",
                  build_date="2024-09-26T21:59:52.691008096Z", build_snapshot=False,
                  lucene_version="9.11.1", minimum_wire_compatibility_version="7.10.0",
                  minimum_index_compatibility_version="7.0.0")
CLUSTER_NAME = "synctop-standin"
INDEX_VERSION_CREATED = "8512000"
# Index settings shown under "defaults" by GET _settings?include_defaults (a subset of ES's).
INDEX_DEFAULTS = {
    "index.refresh_interval": "1s", "index.search.idle.after": "30s", "index.hidden": "false",
    "index.auto_expand_replicas": "false", "index.codec": "default",
    "index.max_result_window": "10000", "index.max_refresh_listeners": "1000",
    "index.gc_deletes": "60s", "index.mapping.total_fields.limit": "1000",
    "index.mapping.nested_objects.limit": "10000", "index.translog.durability": "REQUEST",
    "index.translog.sync_interval": "5s", "index.write.wait_for_active_shards": "1",
    "index.blocks.write": "false", "index.blocks.read_only": "false"}
STATIC_SETTINGS = {"index.number_of_shards", "index.uuid", "index.creation_date",
                   "index.provided_name", "index.version.created"}
DATE_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$")
TIME_RE = re.compile(r"^(\d+(?:\.\d+)?)(nanos|micros|ms|s|m|h|d)$")
TIME_UNITS = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
              "d": 86400.0}
NUMERIC_TYPES = {"long", "integer", "short", "byte", "double", "float", "half_float",
                 "scaled_float", "unsigned_long"}
# _stats metric groups, in ES's order, with their fields; values are 0 unless computed.
STATS_FIELDS = {
    "docs": "count deleted",
    "shard_stats": "total_count",
    "store": "size_in_bytes total_data_set_size_in_bytes reserved_in_bytes",
    "indexing": "index_total index_time_in_millis index_current index_failed delete_total "
                "delete_time_in_millis delete_current noop_update_total is_throttled "
                "throttle_time_in_millis write_load",
    "get": "total time_in_millis exists_total exists_time_in_millis missing_total "
           "missing_time_in_millis current",
    "search": "open_contexts query_total query_time_in_millis query_current fetch_total "
              "fetch_time_in_millis fetch_current scroll_total scroll_time_in_millis "
              "scroll_current suggest_total suggest_time_in_millis suggest_current",
    "merges": "current current_docs current_size_in_bytes total total_time_in_millis "
              "total_docs total_size_in_bytes total_stopped_time_in_millis "
              "total_throttled_time_in_millis total_auto_throttle_in_bytes",
    "refresh": "total total_time_in_millis external_total external_total_time_in_millis "
               "listeners",
    "flush": "total periodic total_time_in_millis",
    "warmer": "current total total_time_in_millis",
    "query_cache": "memory_size_in_bytes total_count hit_count miss_count cache_size "
                   "cache_count evictions",
    "fielddata": "memory_size_in_bytes evictions",
    "completion": "size_in_bytes",
    "segments": "count memory_in_bytes terms_memory_in_bytes stored_fields_memory_in_bytes "
                "term_vectors_memory_in_bytes norms_memory_in_bytes points_memory_in_bytes "
                "doc_values_memory_in_bytes index_writer_memory_in_bytes "
                "version_map_memory_in_bytes fixed_bit_set_memory_in_bytes "
                "max_unsafe_auto_id_timestamp file_sizes",
    "translog": "operations size_in_bytes uncommitted_operations uncommitted_size_in_bytes "
                "earliest_last_modified_age",
    "request_cache": "memory_size_in_bytes evictions hit_count miss_count",
    "recovery": "current_as_source current_as_target throttle_time_in_millis",
    "bulk": "total_operations total_time_in_millis total_size_in_bytes avg_time_in_millis "
            "avg_size_in_bytes"}
STATS_CONST = {"indexing.is_throttled": False, "indexing.write_load": 0.0,
               "segments.max_unsafe_auto_id_timestamp": -1, "segments.file_sizes": {},
               "merges.total_auto_throttle_in_bytes": 20971520}


def now_ms():
    return int(time.time() * 1000)


def new_uuid():
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()[:22]


def auto_id():  # 20 characters, like ES's time-based ids
    return base64.urlsafe_b64encode(secrets.token_bytes(15)).decode()


def parse_time(value):
    """An ES time value in seconds; None for -1 (disabled); ValueError when malformed."""
    s = str(value).strip()
    if s in ("-1", "0"):
        return None if s == "-1" else 0.0
    m = TIME_RE.match(s)
    if not m:
        raise ValueError(s)
    return float(m.group(1)) * TIME_UNITS[m.group(2)]


def parse_date(value):
    """strict_date_optional_time||epoch_millis, ES's default date format -> epoch ms or None."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, (int, float)) or value.isdigit():
        return int(value)
    m = DATE_RE.match(value)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, tz = m.groups()
    try:
        dt = datetime.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0),
                               int(ss or 0), tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    ms = int(dt.timestamp()) * 1000 + int((frac or "0").ljust(3, "0")[:3])
    if tz and tz != "Z":
        digits = tz[1:].replace(":", "")
        ms -= (1 if tz[0] == "+" else -1) * (int(digits[:2]) * 60 + int(digits[2:] or 0)) * 60000
    return ms


def format_date(ms):
    """Epoch ms -> ES's default output format, e.g. 2026-11-22T10:00:00.000Z."""
    dt = datetime.datetime.fromtimestamp(int(ms) // 1000, tz=datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (int(ms) % 1000)


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def nest(flat):
    out = {}
    for key, v in sorted(flat.items()):
        node, parts = out, key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return out


def normalize_settings(settings):
    """A settings body ({"index": {...}}, {"refresh_interval": ...}, dotted keys) -> flat
    "index.*" keys with string values, as ES stores them; None means "reset to default"."""
    out = {}
    for k, v in flatten(settings).items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        out[k if k.startswith("index.") else "index." + k] = None if v is None else str(v)
    return out


def content_type(headers):
    return headers.get("Content-Type", "").split(";")[0].strip().lower()


def filter_path(obj, patterns):
    """ES's filter_path: dotted paths, * within a name, ** across levels; arrays are
    transparent; what matches nothing is dropped (an empty answer is {})."""
    if isinstance(obj, list):
        kept = [filter_path(v, patterns) for v in obj]
        return [v for v in kept if v is not None]
    if not isinstance(obj, dict):
        return None
    out = {}
    for k, v in obj.items():
        subs, whole = [], False
        for pat in patterns:
            if pat and pat[0] == "**":
                subs.append(pat)  # ** may go on matching deeper
                if len(pat) > 1 and fnmatch.fnmatchcase(k, pat[1]):
                    whole = whole or len(pat) == 2
                    subs.append(pat[2:])
            elif pat and fnmatch.fnmatchcase(k, pat[0]):
                whole = whole or len(pat) == 1
                subs.append(pat[1:])
        if whole:
            out[k] = v
        elif [p for p in subs if p]:
            kept = filter_path(v, [p for p in subs if p])
            if kept not in (None, {}, []):
                out[k] = kept
    return out


# ----------------------------------------------------------------------------------------
# Errors, shaped as Elasticsearch shapes them
# ----------------------------------------------------------------------------------------

class EsError(Exception):
    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or []


def es_error(status, etype, reason, extra=None, caused_by=None):
    cause = dict({"type": etype, "reason": reason}, **(extra or {}))
    top = dict(cause, caused_by=caused_by) if caused_by else dict(cause)
    return EsError(status, {"error": dict({"root_cause": [cause]}, **top), "status": status})


def simple_error(status, message):  # ES's bare {"error": "...", "status": N} answers
    return EsError(status, {"error": message, "status": status})


def not_found(name):
    return es_error(404, "index_not_found_exception", "no such index [%s]" % name, {
        "resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_",
        "index": name})


def bad_request(reason):
    return es_error(400, "illegal_argument_exception", reason)


def jackson_reason(e):
    return "%s\n at [Source: (byte[]); line: %d, column: %d]" % (e.msg, e.lineno, e.colno)


FAULT_TYPES = {
    400: ("illegal_argument_exception", "standin fault: bad request"),
    403: ("security_exception", "action [indices:data/read/search] is unauthorized"),
    404: ("resource_not_found_exception", "standin fault: not found"),
    409: ("version_conflict_engine_exception", "standin fault: version conflict"),
    429: ("es_rejected_execution_exception",
          "rejected execution of coordinating operation [coordinating_and_primary_bytes=0, "
          "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=52428800, "
          "max_coordinating_and_primary_bytes=53687091]"),
    500: ("exception", "standin fault: internal error"),
    503: ("cluster_block_exception", "blocked by: [SERVICE_UNAVAILABLE/2/no master];")}


def fault_body(status):
    etype, reason = FAULT_TYPES.get(status, ("exception", "standin fault: status %d" % status))
    return es_error(status, etype, reason).body


# ----------------------------------------------------------------------------------------
# The model: indices, aliases, data streams, index templates
# ----------------------------------------------------------------------------------------

class Index:
    """One index of one primary shard. live holds the documents (id -> [source, version,
    seq_no, lucene_docs]); visible is the view of the last external refresh, which _count,
    _search and _stats read. lucene_docs is 1 + the number of nested objects."""

    COUNTERS = ("index_total index_ms index_failed delete_total delete_ms refresh_total "
                "refresh_ms ext_total ext_ms get_total get_exists get_missing query_total")

    def __init__(self, name, settings, mappings, hidden=False, data_stream=None):
        self.name, self.uuid, self.created = name, new_uuid(), now_ms()
        self.data_stream = data_stream
        self.explicit = {"index.routing.allocation.include._tier_preference": "data_content"}
        if hidden:
            self.explicit["index.hidden"] = "true"
        self.explicit.update({k: v for k, v in settings.items() if v is not None})
        self.explicit.setdefault("index.number_of_shards", "1")
        self.explicit.setdefault("index.number_of_replicas", "1")
        self.explicit.update({"index.uuid": self.uuid, "index.creation_date": str(self.created),
                              "index.provided_name": name,
                              "index.version.created": INDEX_VERSION_CREATED})
        self.mappings = mappings or {}
        self.aliases = {}
        self.live, self.visible, self.tombstones = {}, {}, {}
        self.seq_no = self.visible_seq = -1
        self.dirty = False            # changes since the last external refresh
        self.pending_refresh = False  # a scheduled refresh was skipped: search-idle
        self.waiters = 0              # refresh=wait_for requests waiting for a refresh
        self.last_access = time.monotonic()  # last search or count
        self.deleted_pending = self.deleted = 0
        self.c = dict.fromkeys(self.COUNTERS.split(), 0)
        self.reschedule()

    def setting(self, key):
        return self.explicit.get(key, INDEX_DEFAULTS.get(key))

    def shards(self):
        return int(self.setting("index.number_of_shards"))

    def replicas(self):
        return int(self.setting("index.number_of_replicas"))

    def interval(self):
        return parse_time(self.setting("index.refresh_interval"))

    def hidden(self):
        return self.setting("index.hidden") == "true"

    def health(self):  # one node: replicas stay unassigned
        return "yellow" if self.replicas() > 0 else "green"

    def reschedule(self):
        self.next_tick = time.monotonic() + (self.interval() or 0.0)

    def refresh(self, external=True):
        """An external refresh makes the live documents visible; an internal one (a realtime
        get) only refreshes the internal reader: refresh.total counts both."""
        t = time.monotonic()
        if external:
            self.visible = dict(self.live)
            self.visible_seq = self.seq_no
            self.dirty = self.pending_refresh = False
            self.deleted += self.deleted_pending
            self.deleted_pending = 0
        ms = (time.monotonic() - t) * 1000
        self.c["refresh_total"] += 1
        self.c["refresh_ms"] += ms
        if external:
            self.c["ext_total"] += 1
            self.c["ext_ms"] += ms


class DataStream:
    def __init__(self, name, template):
        self.name, self.template, self.indices, self.generation = name, template, [], 0


class Store:
    def __init__(self, flavor):
        self.flavor = flavor
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.cluster_uuid = new_uuid()
        self.hang_release = threading.Event()
        self.reset()

    def reset(self):
        self.indices, self.streams, self.templates = {}, {}, {}
        self.health_override = self.refresh_fault = None
        standin_http.clear_fault(self)

    def alias_map(self):
        out = {}
        for ix in self.indices.values():
            for a, props in ix.aliases.items():
                out.setdefault(a, {})[ix.name] = props
        return out

    def resolve(self, target, allow_missing=False):
        """The concrete indices a read over TARGET covers (a comma list of indices, aliases,
        data streams and wildcards); index_not_found for a missing explicit name."""
        names, aliases = [], self.alias_map()
        for part in (target or "_all").split(","):
            part = "*" if part in ("_all", "") else part
            if "*" in part:
                names += [n for n, ix in self.indices.items()
                          if fnmatch.fnmatchcase(n, part) and not ix.hidden()]
                for a, members in aliases.items():
                    names += list(members) if fnmatch.fnmatchcase(a, part) else []
                for s, ds in self.streams.items():
                    names += ds.indices if fnmatch.fnmatchcase(s, part) else []
            elif part in self.indices:
                names.append(part)
            elif part in self.streams:
                names += self.streams[part].indices
            elif part in aliases:
                names += list(aliases[part])
            elif not allow_missing:
                raise not_found(part)
        return list(dict.fromkeys(names))

    def write_index(self, target, create=True):
        """The index a write to TARGET goes to: an index, an alias's write index (or its only
        index), a data stream's newest backing index; a missing index is created."""
        if target in self.indices:
            return self.indices[target]
        if target in self.streams:
            return self.indices[self.streams[target].indices[-1]]
        members = self.alias_map().get(target)
        if members:
            writers = [n for n, p in members.items() if p.get("is_write_index")]
            if writers:
                return self.indices[writers[0]]
            if len(members) == 1 and next(iter(members.values())).get("is_write_index") is None:
                return self.indices[next(iter(members))]
            raise bad_request(
                "no write index is defined for alias [%s]. The write index may be explicitly "
                "disabled using is_write_index=false or the alias points to multiple indices "
                "without one being designated as a write index" % target)
        if not create:
            raise not_found(target)
        tmpl = self.match_template(target)
        if tmpl and "data_stream" in tmpl:
            return self.indices[self.create_stream(target).indices[-1]]
        return self.create_index(target, {})

    def match_template(self, name):
        hits = [t for t in self.templates.values()
                if any(fnmatch.fnmatchcase(name, p) for p in t["index_patterns"])]
        return max(hits, key=lambda t: t.get("priority", 0)) if hits else None

    def create_index(self, name, body, hidden=False, data_stream=None):
        if name in self.indices:
            ix = self.indices[name]
            raise es_error(400, "resource_already_exists_exception", "index [%s/%s] already "
                           "exists" % (name, ix.uuid), {"index_uuid": ix.uuid, "index": name})
        if name in self.streams or name in self.alias_map():
            raise bad_request("Invalid index name [%s], already exists as alias" % name)
        bad = None
        if name != name.lower():
            bad = "must be lowercase"
        elif name[:1] in "_-+" and not data_stream:
            bad = "must not start with '_', '-', or '+'"
        elif any(c in name for c in '\\/*?"<>| ,#:'):
            bad = "must not contain the following characters [' ','\"','*',',','/','<','>'," \
                  "'?','\\\\','|']"
        if bad:
            raise es_error(400, "invalid_index_name_exception", "Invalid index name [%s], %s"
                           % (name, bad), {"index_uuid": "_na_", "index": name})
        settings, mappings = {}, {}
        tmpl = self.match_template(name)
        if tmpl:
            settings.update(normalize_settings(tmpl.get("template", {}).get("settings", {})))
            mappings = copy.deepcopy(tmpl.get("template", {}).get("mappings", {}))
        settings.update(normalize_settings(body.get("settings") or {}))
        validate_settings(settings)
        merge_mappings(mappings, body.get("mappings") or {})
        ix = Index(name, settings, mappings, hidden, data_stream)
        for a, props in (body.get("aliases") or {}).items():
            ix.aliases[a] = alias_props(props)
        self.indices[name] = ix
        return ix

    def create_stream(self, name):
        tmpl = self.match_template(name)
        if not tmpl or "data_stream" not in tmpl:
            raise bad_request("no matching index template found for data stream [%s]" % name)
        ds = self.streams[name] = DataStream(name, tmpl)
        self.roll_stream(ds)
        return ds

    def roll_stream(self, ds):
        """A new backing index .ds-NAME-YYYY.MM.DD-GGGGGG becomes the write index."""
        ds.generation += 1
        day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y.%m.%d")
        name = ".ds-%s-%s-%06d" % (ds.name, day, ds.generation)
        ts = {"mappings": {"properties": {"@timestamp": {"type": "date"}}}}
        self.create_index(name, ts, hidden=True, data_stream=ds.name)
        ds.indices.append(name)
        return name


def alias_props(props):
    out = {k: props[k] for k in ("filter", "index_routing", "search_routing", "is_write_index",
                                 "is_hidden") if props and k in props}
    if props and "routing" in props:
        out["index_routing"] = out["search_routing"] = str(props["routing"])
    return out


def validate_settings(settings):
    for key in ("index.refresh_interval", "index.search.idle.after", "index.gc_deletes"):
        if settings.get(key) is not None:
            try:
                parse_time(settings[key])
            except ValueError:
                raise bad_request("failed to parse setting [%s] with value [%s] as a time "
                                  "value: unit is missing or unrecognized"
                                  % (key, settings[key])) from None
    for key in ("index.number_of_shards", "index.number_of_replicas"):
        v = settings.get(key)
        if v is not None and (not v.isdigit() or (key.endswith("shards") and v == "0")):
            raise bad_request("Failed to parse value [%s] for setting [%s]" % (v, key))


# ----------------------------------------------------------------------------------------
# Mappings and documents
# ----------------------------------------------------------------------------------------

def merge_mappings(dst, src):
    props = dst.setdefault("properties", {})
    for k, v in src.items():
        if k != "properties":
            dst[k] = v
    for f, spec in src.get("properties", {}).items():
        if f in props and "properties" in spec:
            merge_mappings(props[f], spec)
        else:
            props[f] = copy.deepcopy(spec)


def value_location(raw, field):
    """[line:column] of FIELD's value in the raw JSON, as Jackson locates a token."""
    i = raw.find('"%s"' % field) if raw else -1
    if i < 0:
        return "[1:1]"
    j = raw.find(":", i + len(field) + 2) + 1
    while j < len(raw) and raw[j] in " \t\r\n":
        j += 1
    return "[%d:%d]" % (raw.count("\n", 0, j) + 1, j - raw.rfind("\n", 0, j))


def dynamic_type(v):
    """ES's dynamic mapping, date detection included (strict_date_optional_time)."""
    if isinstance(v, bool):
        return {"type": "boolean"}
    if isinstance(v, (int, float)):
        return {"type": "long" if isinstance(v, int) else "float"}
    if isinstance(v, dict):
        return {"properties": {}}
    if isinstance(v, str) and DATE_RE.match(v) and parse_date(v) is not None:
        return {"type": "date"}
    return {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}


def map_document(mappings, source, raw, doc_id, prefix=""):
    """Checks SOURCE against the mappings, adding dynamic fields as ES does; returns the
    number of nested Lucene documents it makes. Raises document_parsing_exception."""
    props, nested = mappings.setdefault("properties", {}), 0
    for field, value in source.items():
        path, values = prefix + field, value if isinstance(value, list) else [value]
        values = [v for v in values if v is not None]
        if field not in props:
            if not values:
                continue
            props[field] = dynamic_type(values[0])
        ftype = props[field].get("type", "object")
        for v in values:
            where = value_location(raw, field)
            if ftype in ("object", "nested"):
                if not isinstance(v, dict):
                    raise es_error(400, "document_parsing_exception", "%s object mapping for "
                                   "[%s] tried to parse field [%s] as object, but found a "
                                   "concrete value" % (where, path, field))
                nested += map_document(props[field], v, raw, doc_id, path + ".")
                nested += ftype == "nested"
                continue
            if ftype in ("date", "date_nanos") and parse_date(v) is None:
                cause = {"type": "illegal_argument_exception", "reason": "failed to parse date "
                         "field [%s] with format [strict_date_optional_time||epoch_millis]" % v,
                         "caused_by": {"type": "date_time_parse_exception",
                                       "reason": "Failed to parse with all enclosed parsers"}}
            elif ftype in NUMERIC_TYPES and (isinstance(v, (bool, dict, list)) or
                                             not re.match(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$",
                                                          str(v))):
                cause = {"type": "number_format_exception",
                         "reason": 'For input string: "%s"' % v}
            else:
                continue
            raise es_error(400, "document_parsing_exception", "%s failed to parse field [%s] of "
                           "type [%s] in document with id '%s'. Preview of field's value: '%s'"
                           % (where, path, ftype, doc_id, v), caused_by=cause)
    return nested


def field_spec(mappings, path):
    spec = mappings
    for part in path.split("."):
        spec = spec.get("properties", {}).get(part)
        if spec is None:
            return None
    return spec


def field_values(source, path):
    vals = [source]
    for part in path.split("."):
        vals = [item[part] for v in vals for item in (v if isinstance(v, list) else [v])
                if isinstance(item, dict) and part in item]
    out = []
    for v in vals:
        out += v if isinstance(v, list) else [v]
    return [v for v in out if v is not None]


# ----------------------------------------------------------------------------------------
# Writes (the caller holds the store lock)
# ----------------------------------------------------------------------------------------

def shards_header(ix):
    return {"total": 1 + ix.replicas(), "successful": 1, "failed": 0}


def index_doc(store, target, doc_id, source, raw, op_type="index"):
    """Indexes one document; returns (status, body, index)."""
    ix = store.write_index(target)
    t = time.monotonic()
    if ix.data_stream and op_type != "create":
        raise bad_request("only write ops with an op_type of create are allowed in data streams")
    if ix.data_stream and "@timestamp" not in source:
        ix.c["index_failed"] += 1
        raise es_error(400, "document_parsing_exception", "[1:%d] failed to parse: data stream "
                       "timestamp field [@timestamp] is missing" % max(1, len(raw)), caused_by={
                           "type": "illegal_argument_exception",
                           "reason": "data stream timestamp field [@timestamp] is missing"})
    doc_id = auto_id() if doc_id is None else doc_id
    old = ix.live.get(doc_id)
    if op_type == "create" and old is not None:
        ix.c["index_failed"] += 1
        raise es_error(409, "version_conflict_engine_exception", "[%s]: version conflict, "
                       "document already exists (current version [%d])" % (doc_id, old[1]),
                       {"index_uuid": ix.uuid, "shard": "0", "index": ix.name})
    mappings = copy.deepcopy(ix.mappings)
    try:
        nested = map_document(mappings, source, raw, doc_id)
    except EsError:
        ix.c["index_failed"] += 1
        raise
    ix.mappings = mappings
    version = (old[1] if old else ix.tombstones.pop(doc_id, 0)) + 1
    ix.seq_no += 1
    ix.deleted_pending += old[3] if old else 0
    ix.live[doc_id] = [source, version, ix.seq_no, 1 + nested]
    ix.dirty = True
    ix.c["index_total"] += 1
    ix.c["index_ms"] += (time.monotonic() - t) * 1000
    return (200 if old else 201), {
        "_index": ix.name, "_id": doc_id, "_version": version,
        "result": "updated" if old else "created", "_shards": shards_header(ix),
        "_seq_no": ix.seq_no, "_primary_term": 1}, ix


def delete_doc(store, target, doc_id):
    ix = store.write_index(target, create=False)
    t = time.monotonic()
    old = ix.live.pop(doc_id, None)
    ix.seq_no += 1
    version = (old[1] if old else ix.tombstones.get(doc_id, 0)) + 1
    if old:
        ix.tombstones[doc_id] = version
        ix.deleted_pending += old[3]
        ix.dirty = True
    ix.c["delete_total"] += 1
    ix.c["delete_ms"] += (time.monotonic() - t) * 1000
    return (200 if old else 404), {
        "_index": ix.name, "_id": doc_id, "_version": version,
        "result": "deleted" if old else "not_found", "_shards": shards_header(ix),
        "_seq_no": ix.seq_no, "_primary_term": 1}, ix


def parse_refresh(params):
    v = params.get("refresh", "false")
    if v in ("", "true", "false", "wait_for"):
        return v or "true"
    raise bad_request("Unknown value for refresh: [%s]." % v)


# RestStatus's names of the statuses a shard failure may carry.
STATUS_NAMES = {400: "BAD_REQUEST", 404: "NOT_FOUND", 429: "TOO_MANY_REQUESTS",
                500: "INTERNAL_SERVER_ERROR", 503: "SERVICE_UNAVAILABLE"}


def take_refresh_fault(store, name):
    """The refresh fault set by POST /_standin/refresh_fault that covers index NAME, if any
    (one use of its count)."""
    f = store.refresh_fault
    if not f or not fnmatch.fnmatchcase(name, f.get("index") or "*"):
        return None
    if f.get("count") is not None:
        f["count"] -= 1
        if f["count"] <= 0:
            store.refresh_fault = None
    return f


def refresh(store, names):
    """POST /{target}/_refresh over NAMES: a broadcast to every shard copy. On one node a
    replica is never assigned: it counts in total, neither successful nor failed. A refresh
    fault fails some primaries (listed in failures) or makes them unavailable (counted
    nowhere); an index refreshes only when all its primaries did. The status is ES's
    RestStatus.status(successful, total, failures): 503 when nothing succeeded and nothing
    failed, the worst failure's status when nothing succeeded, 200 otherwise."""
    total = ok = 0
    failures = []
    for x in names:
        ix = store.indices[x]
        total += ix.shards() * (1 + ix.replicas())
        f = take_refresh_fault(store, x)
        bad = 0 if f is None else min(ix.shards(), int(f.get("shards") or ix.shards()))
        ok += ix.shards() - bad
        if f is not None and f.get("mode") == "fail":
            status = int(f.get("status") or 500)
            failures += [{"shard": k, "index": x, "status": STATUS_NAMES.get(status, str(status)),
                          "reason": {"type": "refresh_failed_engine_exception",
                                     "reason": "Refresh failed", "index_uuid": ix.uuid,
                                     "shard": str(k), "index": x}} for k in range(bad)]
        if not bad:
            ix.refresh()
    store.cond.notify_all()
    shards = {"total": total, "successful": ok, "failed": len(failures)}
    if failures:
        shards["failures"] = failures
    status = 200
    if ok == 0 and total > 0:
        status = max([STATUS_NAMES_REV.get(fl["status"], 500) for fl in failures] or [503])
    return status, {"_shards": shards}


STATUS_NAMES_REV = {v: k for k, v in STATUS_NAMES.items()}


def after_write(store, mode, touched, bodies):
    """refresh=true refreshes the indices written to; wait_for waits for a refresh that
    covers the write (forever with refresh_interval -1, as ES does)."""
    touched = list(dict.fromkeys(touched))
    if mode == "true":
        for ix in touched:
            ix.refresh()
        store.cond.notify_all()
        for b in bodies:
            b["forced_refresh"] = True
    elif mode == "wait_for":
        targets = [(ix, ix.seq_no) for ix in touched]
        for ix, _ in targets:
            ix.waiters += 1
        try:
            while any(ix.visible_seq < seq and store.indices.get(ix.name) is ix
                      for ix, seq in targets):
                store.cond.wait(0.1)
        finally:
            for ix, _ in targets:
                ix.waiters -= 1


def bulk(store, default_index, raw, mode):
    t = time.monotonic()
    if not raw.endswith("\n"):
        raise bad_request("The bulk request must be terminated by a newline [\\n]")
    lines, items, touched, ok_bodies, i = raw.split("\n"), [], [], [], 0
    while i < len(lines):
        i += 1
        if not lines[i - 1].strip():
            continue
        try:
            action = json.loads(lines[i - 1])
        except json.JSONDecodeError:
            raise bad_request("Malformed action/metadata line [%d], expected START_OBJECT or "
                              "END_OBJECT but found [VALUE_STRING]" % i) from None
        if not isinstance(action, dict) or len(action) != 1:
            raise bad_request("Malformed action/metadata line [%d], expected START_OBJECT" % i)
        op, meta = next(iter(action.items()))
        if op not in ("index", "create", "delete"):
            raise bad_request("Malformed action/metadata line [%d], expected field [create], "
                              "[delete], [index] or [update] but found [%s]" % (i, op))
        meta = meta if isinstance(meta, dict) else {}
        target, doc_id = meta.get("_index", default_index), meta.get("_id")
        if target is None:
            raise es_error(400, "action_request_validation_exception",
                           "Validation Failed: 1: index is missing;")
        src = None
        if op != "delete":
            if i >= len(lines) or not lines[i].strip():
                raise es_error(400, "action_request_validation_exception",
                               "Validation Failed: 1: source is missing;")
            src, i = lines[i], i + 1
        try:
            if op == "delete":
                status, body, ix = delete_doc(store, target, str(doc_id))
            else:
                try:
                    source = json.loads(src)
                except json.JSONDecodeError as e:
                    raise es_error(400, "document_parsing_exception", "[%d:%d] failed to parse"
                                   % (e.lineno, e.colno), caused_by={
                                       "type": "json_parse_exception",
                                       "reason": jackson_reason(e)}) from None
                status, body, ix = index_doc(store, target, None if doc_id is None else
                                             str(doc_id), source, src,
                                             "create" if op == "create" else "index")
            touched.append(ix)
            ok_bodies.append(body)
        except EsError as e:
            err = e.body.get("error", {})
            status, body = e.status, {"_index": target, "_id": doc_id, "error": {
                k: v for k, v in err.items() if k != "root_cause"}}
        body["status"] = status
        items.append({op: body})
    after_write(store, mode, touched, ok_bodies)
    return {"errors": any("error" in next(iter(it.values())) for it in items),
            "took": int((time.monotonic() - t) * 1000), "items": items}


# ----------------------------------------------------------------------------------------
# Reads: _count, _search, _stats, _settings
# ----------------------------------------------------------------------------------------

def search_active(ix):
    """A search or count marks the shard search-active; a search-idle shard whose scheduled
    refresh was skipped refreshes before answering (ES waits for that refresh)."""
    ix.last_access = time.monotonic()
    if ix.pending_refresh and ix.dirty:
        ix.refresh()
    ix.pending_refresh = False


def matches(source, query):
    if not query:
        return True
    if not isinstance(query, dict) or len(query) != 1:
        raise es_error(400, "parsing_exception", "[query] malformed query, expected "
                       "[END_OBJECT] but found [FIELD_NAME]", {"line": 1, "col": 1})
    kind, spec = next(iter(query.items()))
    if kind in ("match_all", "match_none"):
        return kind == "match_all"
    if kind in ("term", "match") and isinstance(spec, dict) and len(spec) == 1:
        field, want = next(iter(spec.items()))
        want = want.get("value", want.get("query")) if isinstance(want, dict) else want
        field = field[:-8] if field.endswith(".keyword") else field
        return any(v == want or str(v) == str(want) for v in field_values(source, field))
    raise es_error(400, "parsing_exception", "unknown query [%s] (the stand-in knows "
                   "match_all, match_none, term and match)" % kind, {"line": 1, "col": 1})


def metric_agg(store, names, docs, kind, spec):
    field = spec.get("field") or ""
    ftype = None
    for n in names:
        ftype = (field_spec(store.indices[n].mappings, field) or {}).get("type", ftype)
    if ftype is not None and ftype not in NUMERIC_TYPES | {"date", "date_nanos", "boolean"}:
        raise bad_request("Field [%s] of type [%s] is not supported for aggregation [%s]"
                          % (field, ftype, kind))
    vals = []
    for _ix, _id, entry in docs:
        for v in field_values(entry[0], field):
            v = parse_date(v) if ftype in ("date", "date_nanos") else v
            try:
                vals.append(float(v))
            except (TypeError, ValueError):
                pass
    value = (max(vals) if kind == "max" else min(vals)) if vals else None
    out = {"value": value}
    if value is not None and ftype in ("date", "date_nanos"):
        out["value_as_string"] = format_date(value)
    return out


def search(store, target, body, params, count_only=False):
    t = time.monotonic()
    names = store.resolve(target)
    for n in names:
        search_active(store.indices[n])
    query = body.get("query")
    docs = [(store.indices[n], doc_id, e) for n in names
            for doc_id, e in store.indices[n].visible.items() if matches(e[0], query)]
    total = sum(store.indices[n].shards() for n in names)
    shards = {"total": total, "successful": total, "skipped": 0, "failed": 0}
    if count_only:
        return {"count": len(docs), "_shards": shards}
    try:
        size = int(params.get("size", body.get("size", 10)))
        start = int(params.get("from", body.get("from", 0)))
    except (TypeError, ValueError):
        raise bad_request("Failed to parse int parameter [size] with value [%s]"
                          % params.get("size")) from None
    for n in names:
        store.indices[n].c["query_total"] += 1
    hits = [{"_index": ix.name, "_id": doc_id, "_score": 1.0, "_source": e[0]}
            for ix, doc_id, e in docs[start:start + size]]
    track = body.get("track_total_hits", 10000)
    track = len(docs) if track is True else 0 if track is False else int(track)
    out = {"took": int((time.monotonic() - t) * 1000), "timed_out": False, "_shards": shards,
           "hits": {"total": {"value": min(len(docs), track),
                              "relation": "eq" if len(docs) <= track else "gte"},
                    "max_score": 1.0 if hits else None, "hits": hits}}
    if body.get("track_total_hits") is False:
        del out["hits"]["total"]
    aggs = body.get("aggs", body.get("aggregations"))
    if aggs:
        out["aggregations"] = {}
        for name, spec in aggs.items():
            kind = next((k for k in spec if k in ("max", "min")), None)
            if kind is None:
                raise es_error(400, "parsing_exception", "the stand-in knows only the max and "
                               "min aggregations", {"line": 1, "col": 1})
            out["aggregations"][name] = metric_agg(store, names, docs, kind, spec[kind])
    return out


def stats_block(ix, metrics):
    c = ix.c
    size = sum(len(json.dumps(e[0])) for e in ix.live.values()) + (227 if ix.live else 0)
    computed = {
        "docs.count": sum(e[3] for e in ix.visible.values()), "docs.deleted": ix.deleted,
        "shard_stats.total_count": ix.shards(), "store.size_in_bytes": size,
        "store.total_data_set_size_in_bytes": size,
        "indexing.index_total": c["index_total"], "indexing.index_failed": c["index_failed"],
        "indexing.index_time_in_millis": int(c["index_ms"]),
        "indexing.delete_total": c["delete_total"],
        "indexing.delete_time_in_millis": int(c["delete_ms"]),
        "get.total": c["get_total"], "get.exists_total": c["get_exists"],
        "get.missing_total": c["get_missing"], "search.query_total": c["query_total"],
        "search.fetch_total": c["query_total"], "refresh.total": c["refresh_total"],
        "refresh.total_time_in_millis": int(c["refresh_ms"]),
        "refresh.external_total": c["ext_total"],
        "refresh.external_total_time_in_millis": int(c["ext_ms"]),
        "refresh.listeners": ix.waiters, "warmer.total": c["ext_total"],
        "segments.count": 1 if ix.visible else 0, "translog.operations": ix.seq_no + 1,
        "translog.uncommitted_operations": ix.seq_no + 1,
        "translog.size_in_bytes": 55 + size, "translog.uncommitted_size_in_bytes": 55 + size}
    out = {}
    for m in metrics:
        m = "merges" if m == "merge" else m
        out[m] = {f: copy.deepcopy(computed.get(m + "." + f, STATS_CONST.get(m + "." + f, 0)))
                  for f in STATS_FIELDS[m].split()}
    return out


def add_blocks(a, b):
    for k, v in b.items():
        if isinstance(v, dict):
            add_blocks(a.setdefault(k, {}), v)
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0:
            a[k] = a.get(k, 0) + v
        else:
            a[k] = v


def shard_stats(ix, block):
    """level=shards: one started primary per index (replicas stay unassigned on one node);
    search_idle and search_idle_time as ES 8.9 and later report them."""
    idle_ms = int((time.monotonic() - ix.last_access) * 1000)
    idle_after = parse_time(ix.setting("index.search.idle.after")) or 0
    copy0 = {"routing": {"state": "STARTED", "primary": True, "node": "standin-node-0-id",
                         "relocating_node": None}}
    copy0.update(copy.deepcopy(block))
    copy0.update({
        "commit": {"id": ix.uuid, "generation": 1, "user_data": {}, "num_docs":
                   sum(e[3] for e in ix.visible.values())},
        "seq_no": {"max_seq_no": ix.seq_no, "local_checkpoint": ix.seq_no,
                   "global_checkpoint": ix.seq_no},
        "shard_path": {"state_path": "/standin", "data_path": "/standin",
                       "is_custom_data_path": False},
        "search_idle": idle_ms >= idle_after * 1000, "search_idle_time": idle_ms})
    return {str(i): [copy0] for i in range(ix.shards())}


def stats(store, target, metric_str, path, level=None):
    names = store.resolve(target)
    metrics = list(STATS_FIELDS) if metric_str in (None, "", "_all") else metric_str.split(",")
    bad = [m for m in metrics if m not in STATS_FIELDS and m != "merge"]
    if bad:
        raise bad_request("request [%s] contains unrecognized metric%s: [%s]"
                          % (path, "s" if len(bad) > 1 else "", ", ".join(bad)))
    allp, indices, total, ok = {}, {}, 0, 0
    for n in names:
        ix = store.indices[n]
        total += ix.shards() * (1 + ix.replicas())
        ok += ix.shards()
        block = stats_block(ix, metrics)
        add_blocks(allp, block)
        indices[n] = {"uuid": ix.uuid, "health": ix.health(), "status": "open",
                      "primaries": block, "total": copy.deepcopy(block)}
        if level == "shards":
            indices[n]["shards"] = shard_stats(ix, block)
    return {"_shards": {"total": total, "successful": ok, "failed": 0},
            "_all": {"primaries": allp, "total": copy.deepcopy(allp)}, "indices": indices}


def get_settings(store, target, params, name_filter=None):
    flat = params.get("flat_settings") in ("", "true")
    pats = (name_filter or "*").split(",")
    out = {}
    for n in store.resolve(target):
        ix = store.indices[n]
        keep = {k: v for k, v in sorted(ix.explicit.items())
                if any(fnmatch.fnmatchcase(k, p) for p in pats)}
        out[n] = {"settings": keep if flat else nest(keep)}
        if params.get("include_defaults") in ("", "true"):
            d = {k: v for k, v in sorted(INDEX_DEFAULTS.items())
                 if k not in ix.explicit and any(fnmatch.fnmatchcase(k, p) for p in pats)}
            out[n]["defaults"] = d if flat else nest(d)
    return out


def put_settings(store, target, body):
    if list(body) == ["settings"] and isinstance(body["settings"], dict):
        body = body["settings"]
    new = normalize_settings(body)
    validate_settings(new)
    names = store.resolve(target)
    static = sorted(k for k in new if k in STATIC_SETTINGS)
    if static:
        raise bad_request("Can't update non dynamic settings [[%s]] for open indices [%s]" % (
            ", ".join(static), ", ".join("[%s/%s]" % (n, store.indices[n].uuid) for n in names)))
    for n in names:
        ix = store.indices[n]
        for k, v in new.items():
            if v is None:
                ix.explicit.pop(k, None)
            else:
                ix.explicit[k] = v
        if "index.refresh_interval" in new:
            ix.reschedule()
    return {"acknowledged": True}


# ----------------------------------------------------------------------------------------
# Cluster, aliases, data streams
# ----------------------------------------------------------------------------------------

def root_info(store):
    opensearch = store.flavor == "opensearch"
    return {"name": "standin-node-0", "cluster_name": CLUSTER_NAME,
            "cluster_uuid": store.cluster_uuid,
            "version": dict(OS_VERSION if opensearch else ES_VERSION),
            "tagline": "The OpenSearch Project: https://opensearch.org/" if opensearch
            else "You Know, for Search"}


def cluster_health(store, names):
    active = sum(store.indices[n].shards() for n in names)
    unassigned = sum(store.indices[n].shards() * store.indices[n].replicas() for n in names)
    status, ov = ("yellow" if unassigned else "green"), store.health_override or {}
    status = ov.get("status", status)
    unassigned = ov.get("unassigned_shards", unassigned)
    out = {"cluster_name": CLUSTER_NAME, "status": status, "timed_out": False,
           "number_of_nodes": 1, "number_of_data_nodes": 1}
    if store.flavor == "opensearch":
        out.update(discovered_master=True, discovered_cluster_manager=True)
    out.update(active_primary_shards=active, active_shards=active, relocating_shards=0,
               initializing_shards=0, unassigned_shards=unassigned)
    if store.flavor != "opensearch":
        out["unassigned_primary_shards"] = ov.get("unassigned_primary_shards",
                                                  1 if status == "red" else 0)
    out.update(delayed_unassigned_shards=0, number_of_pending_tasks=0,
               number_of_in_flight_fetch=0, task_max_waiting_in_queue_millis=0,
               active_shards_percent_as_number=100.0 * active / (active + unassigned)
               if active + unassigned else 100.0)
    return out


def stream_info(store, ds):
    tsettings = normalize_settings(ds.template.get("template", {}).get("settings", {}))
    ilm = tsettings.get("index.lifecycle.name")
    managed = "Index Lifecycle Management" if ilm else "Unmanaged"
    indices = []
    for n in ds.indices:
        item = {"index_name": n, "index_uuid": store.indices[n].uuid, "prefer_ilm": True}
        item.update({"ilm_policy": ilm} if ilm else {})
        item["managed_by"] = managed
        indices.append(item)
    out = {"name": ds.name, "timestamp_field": {"name": "@timestamp"}, "indices": indices,
           "generation": ds.generation}
    out.update({"_meta": ds.template["_meta"]} if ds.template.get("_meta") else {})
    out.update(status="YELLOW" if any(store.indices[n].replicas() for n in ds.indices)
               else "GREEN", template=ds.template["name"], next_generation_managed_by=managed,
               prefer_ilm=True)
    out.update({"ilm_policy": ilm} if ilm else {})
    out.update(hidden=False, system=False, allow_custom_routing=False, replicated=False,
               rollover_on_write=False)
    return out


def alias_missing(name):
    return es_error(404, "aliases_not_found_exception", "aliases [%s] missing" % name,
                    {"resource.type": "aliases", "resource.id": name})


def alias_actions(store, body):
    if not isinstance(body.get("actions"), list):
        raise es_error(400, "action_request_validation_exception",
                       "Validation Failed: 1: no actions;")
    for act in body["actions"]:
        if not isinstance(act, dict) or len(act) != 1:
            raise bad_request("[aliases] malformed action")
        kind, spec = next(iter(act.items()))
        if kind not in ("add", "remove", "remove_index"):
            raise bad_request("[aliases] unknown field [%s]" % kind)
        aliases = spec.get("aliases") or [spec.get("alias")]
        for n in [x for i in (spec.get("indices") or [spec.get("index")])
                  for x in store.resolve(i)]:
            ix = store.indices[n]
            if kind == "remove_index":
                del store.indices[n]
            for a in aliases if kind != "remove_index" else []:
                if kind == "add":
                    ix.aliases[a] = alias_props(spec)
                elif ix.aliases.pop(a, None) is None and spec.get("must_exist") is not False:
                    raise alias_missing(a)
    return {"acknowledged": True, "errors": False}


def get_aliases(store, index_target, alias_pattern):
    names = store.resolve(index_target) if index_target else [
        n for n, ix in store.indices.items() if not ix.hidden()]
    out = {}
    for n in names:
        al = store.indices[n].aliases
        if alias_pattern:
            pats = alias_pattern.split(",")
            al = {a: p for a, p in al.items() if any(
                pat in ("_all", "*") or fnmatch.fnmatchcase(a, pat) for pat in pats)}
            if not al:
                continue
        out[n] = {"aliases": dict(al)}
    if alias_pattern and not out and "*" not in alias_pattern:
        raise simple_error(404, "alias [%s] missing" % alias_pattern)
    return out


# ----------------------------------------------------------------------------------------
# The periodic refresher
# ----------------------------------------------------------------------------------------

def refresher(store, stop):
    """ES's scheduled refresh: every refresh_interval, an index with changes refreshes,
    unless it is search-idle (no explicit refresh_interval, no search for
    index.search.idle.after, nobody waiting): then the refresh is skipped and left pending."""
    while not stop.wait(0.05):
        with store.lock:
            now = time.monotonic()
            for ix in list(store.indices.values()):
                iv = ix.interval()
                if not iv or now < ix.next_tick:
                    continue
                ix.next_tick = now + iv
                if not ix.dirty:
                    continue
                idle_after = parse_time(ix.setting("index.search.idle.after")) or 0
                if ("index.refresh_interval" not in ix.explicit and not ix.waiters
                        and now - ix.last_access >= idle_after):
                    ix.pending_refresh = True
                else:
                    ix.refresh()
            store.cond.notify_all()


# ----------------------------------------------------------------------------------------
# HTTP: ES's answers, error bodies and authentication (the plumbing: standin_http.py)
# ----------------------------------------------------------------------------------------

class Handler(standin_http.StandinHandler):
    server_version = "synctop-search-standin"
    error_class = EsError
    params = {}
    FAULT_MALFORMED = b'{"cluster_name": "synctop-standin", "status": gre'

    def request_params(self, params):
        self.params = {k: v[-1] for k, v in params.items()}

    def send_body(self, status, body, headers=(), length=None, head=False):
        if isinstance(body, dict) and self.params.get("filter_path") and status < 300:
            body = filter_path(body, [f.split(".") for f in self.params["filter_path"].split(",")])
        if body is None or isinstance(body, bytes):
            data = body or b""
        elif self.params.get("pretty") in ("", "true"):
            data = (json.dumps(body, indent=2, separators=(",", " : ")) + "\n").encode()
        else:
            data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        if self.store.flavor == "elasticsearch":
            self.send_header("X-elastic-product", "Elasticsearch")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data) if length is None else length))
        self.end_headers()
        self.send_answer(data if data and not head else b"")

    def malformed_body(self, code, message):
        return {"error": message or "bad request", "status": code}

    def internal_error_body(self, e):
        return dict(fault_body(500), standin_error=repr(e))

    def truncate_body(self):
        return root_info(self.store)

    def fault_body(self, status):
        return fault_body(status)

    def api(self, segs, params, raw):
        with self.store.lock:
            status, body = self.route(segs, raw)
        return status, body, ()

    def check_auth(self):
        """ES security: Basic or ApiKey (base64 "id:key", as ES's "encoded")."""
        if not self.auth:
            return
        challenge = ['Basic realm="security" charset="UTF-8"', "ApiKey"]
        extra = {"header": {"WWW-Authenticate": challenge}}
        scheme, _, cred = self.headers.get("Authorization", "").partition(" ")
        try:
            user, _, secret = base64.b64decode(cred, validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            user, secret = "", None
        anon = ("unable to authenticate with provided credentials and anonymous access is not "
                "allowed for this request")
        if not scheme:
            e = es_error(401, "security_exception", "missing authentication credentials for "
                         "REST request [%s]" % self.path, extra)
        elif scheme.lower() == "basic":
            if self.auth["user"] is not None and (user, secret) == (self.auth["user"],
                                                                    self.auth["password"]):
                return
            e = es_error(401, "security_exception", "unable to authenticate user [%s] for REST "
                         "request [%s]" % (user, self.path), extra)
        elif scheme.lower() == "apikey":
            if self.auth["api_key"] is not None and cred.strip() == self.auth["api_key"]:
                return
            e = es_error(401, "security_exception", anon, dict(
                additional_unsuccessful_credentials="API key: unable to find apikey with id %s"
                % user, **extra))
        else:
            e = es_error(401, "security_exception", anon, extra)
        e.headers = [("WWW-Authenticate", ", ".join(challenge))]
        raise e

    def json_body(self, raw, required=False, document=False):
        """The request's JSON object; ES's errors for a missing body, a Content-Type it does
        not accept (406) and bad JSON (json_parse_exception; document_parsing_exception for a
        document's source)."""
        if not raw.strip():
            if document:
                raise es_error(400, "action_request_validation_exception",
                               "Validation Failed: 1: source is missing;")
            if required:
                raise es_error(400, "parse_exception", "request body is required")
            return {}
        ctype = content_type(self.headers)
        if ctype not in ("application/json", "application/x-ndjson") and not ctype.startswith(
                "application/vnd.elasticsearch+"):
            raise simple_error(406, "Content-Type header [%s] is not supported"
                               % self.headers.get("Content-Type", ""))
        try:
            body = json.loads(raw.decode("utf-8", "replace"))
        except json.JSONDecodeError as e:
            if document:
                raise es_error(400, "document_parsing_exception", "[%d:%d] failed to parse" % (
                    e.lineno, e.colno), caused_by={"type": "json_parse_exception",
                                                   "reason": jackson_reason(e)}) from None
            raise es_error(400, "json_parse_exception", jackson_reason(e)) from None
        if not isinstance(body, dict):
            raise es_error(400, "document_parsing_exception" if document else "parse_exception",
                           "[1:1] failed to parse" if document else "request body or source "
                           "parameter is required")
        return body

    def need(self, *allowed):
        if self.command not in allowed:
            raise simple_error(405, "Incorrect HTTP method for uri [%s] and method [%s], "
                               "allowed: [%s]" % (self.path, self.command, ", ".join(allowed)))

    # ------------------------------------------------------------------------------------
    # HTTP: the REST API (routes run with the store lock held)
    # ------------------------------------------------------------------------------------

    def route(self, segs, raw):
        m, store, p, n = self.command, self.store, self.params, len(segs)
        s0, s1 = (segs + [None, None])[:2]
        last = segs[-1] if segs else None
        target = s0 if n >= 2 else None  # /{target}/_api...
        if n == 0:
            self.need("GET", "HEAD")
            return 200, root_info(store)
        if s0 == "_cluster" and s1 == "health" and n <= 3:
            self.need("GET")
            if n == 3 and any("*" not in x and not store.resolve(x, allow_missing=True)
                              for x in segs[2].split(",")):
                return self.health_timeout()
            return 200, cluster_health(store, store.resolve(segs[2]) if n == 3
                                       else list(store.indices))
        if last == "_refresh" and n <= 2:
            self.need("GET", "POST")
            return refresh(store, store.resolve(target))
        if last == "_bulk" and n <= 2:
            self.need("POST", "PUT")
            mode = parse_refresh(p)
            if content_type(self.headers) not in ("application/json", "application/x-ndjson"):
                raise simple_error(406, "Content-Type header [%s] is not supported"
                                   % self.headers.get("Content-Type", ""))
            if not raw.strip():
                raise es_error(400, "parse_exception", "request body is required")
            return 200, bulk(store, target, raw.decode("utf-8", "replace"), mode)
        if s0 == "_aliases" and n == 1:
            self.need("POST")
            return 200, alias_actions(store, self.json_body(raw, True))
        if s0 == "_alias" and n <= 2:
            self.need("GET")
            return 200, get_aliases(store, None, s1)
        if s1 in ("_alias", "_aliases") and n <= 3:
            if m == "GET":
                return 200, get_aliases(store, s0, segs[2] if n == 3 else None)
            self.need("GET", "PUT", "POST", "DELETE")
            if n != 3:
                raise bad_request("alias name is required")
            for x in store.resolve(s0):
                if m != "DELETE":
                    store.indices[x].aliases[segs[2]] = alias_props(self.json_body(raw))
                elif store.indices[x].aliases.pop(segs[2], None) is None:
                    raise alias_missing(segs[2])
            return 200, {"acknowledged": True}
        if s0 == "_index_template" and n <= 2:
            return self.templates(s1, raw)
        if s0 == "_data_stream" and n <= 2:
            return self.data_streams(s1)
        if "_settings" in (s0, s1) and n <= 3 and (s0 == "_settings") == (n == 1):
            if m == "PUT":
                return 200, put_settings(store, target, self.json_body(raw, True))
            self.need("GET", "PUT")
            return 200, get_settings(store, target, p, segs[2] if n == 3 else None)
        if "_stats" in (s0, s1) and n <= 3:
            self.need("GET")
            metric = segs[1] if s0 == "_stats" and n == 2 else (segs[2] if n == 3 else None)
            return 200, stats(store, None if s0 == "_stats" else s0, metric, self.path,
                              p.get("level"))
        if last in ("_count", "_search") and n <= 2:
            self.need("GET", "POST")
            return 200, search(store, target, self.json_body(raw), p, last == "_count")
        if s1 == "_rollover" and n == 2:
            self.need("POST")
            return 200, self.rollover(s0)
        if s1 in ("_doc", "_create") and n in (2, 3) and not s0.startswith("_"):
            return self.documents(s0, s1, segs[2] if n == 3 else None, raw)
        if n == 1 and not s0.startswith("_"):
            return self.index_api(s0, raw)
        raise simple_error(400, "no handler found for uri [%s] and method [%s]" % (self.path, m))

    def health_timeout(self):
        """Health of a missing index: ES waits for it until the timeout, then answers 408."""
        try:
            wait = parse_time(self.params.get("timeout", "30s")) or 0.0
        except ValueError:
            wait = 30.0
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            self.store.cond.wait(deadline - time.monotonic())
        return 408, dict(cluster_health(self.store, []), status="red", timed_out=True)

    def index_api(self, name, raw):
        m, store = self.command, self.store
        if m == "PUT":
            ix = store.create_index(name, self.json_body(raw))
            return 200, {"acknowledged": True, "shards_acknowledged": True, "index": ix.name}
        if m == "HEAD":
            return (200 if store.resolve(name, allow_missing=True) else 404), None
        if m == "DELETE":
            if "*" not in name and name not in store.indices and name in store.alias_map():
                raise bad_request("The provided expression [%s] matches an alias, specify the "
                                  "corresponding concrete indices instead." % name)
            for x in store.resolve(name):
                ds = store.streams.get(store.indices[x].data_stream or "")
                if ds and ds.indices[-1] == x:
                    raise bad_request("index [%s] is the write index for data stream [%s] and "
                                      "cannot be deleted" % (x, ds.name))
                if ds:
                    ds.indices.remove(x)
                del store.indices[x]
            store.cond.notify_all()
            return 200, {"acknowledged": True}
        self.need("GET", "HEAD", "PUT", "DELETE")
        out = {}
        for x in store.resolve(name):
            ix = store.indices[x]
            out[x] = {"aliases": dict(ix.aliases), "mappings": ix.mappings,
                      "settings": nest(ix.explicit)}
            out[x].update({"data_stream": ix.data_stream} if ix.data_stream else {})
        return 200, out

    def documents(self, target, kind, doc_id, raw):
        m, store, p = self.command, self.store, self.params
        if kind == "_doc" and doc_id is not None and m in ("GET", "HEAD"):
            names = store.resolve(target)
            if len(names) != 1:
                raise bad_request("alias [%s] has more than one index associated with it %s, "
                                  "can't execute a single index op" % (target, names))
            ix = store.indices[names[0]]
            entry = ix.live.get(doc_id)
            ix.c["get_total"] += 1
            ix.last_access = time.monotonic()  # a get counts as search activity (search-idle)
            if not entry:
                ix.c["get_missing"] += 1
                return 404, {"_index": ix.name, "_id": doc_id, "found": False}
            if p.get("realtime") != "false" and ix.visible.get(doc_id) is not entry:
                ix.refresh(external=False)  # a realtime get refreshes the internal reader
            ix.c["get_exists"] += 1
            return 200, {"_index": ix.name, "_id": doc_id, "_version": entry[1],
                         "_seq_no": entry[2], "_primary_term": 1, "found": True,
                         "_source": entry[0]}
        mode = parse_refresh(p)
        if kind == "_doc" and m == "DELETE" and doc_id is not None:
            status, body, ix = delete_doc(store, target, doc_id)
        elif m in ("PUT", "POST") and (doc_id is not None or (kind, m) == ("_doc", "POST")):
            source = self.json_body(raw, document=True)
            op = "create" if kind == "_create" or p.get("op_type") == "create" else "index"
            if doc_id is None and target in store.streams:
                op = "create"
            status, body, ix = index_doc(store, target, doc_id, source,
                                         raw.decode("utf-8", "replace"), op)
        else:
            self.need(*(("PUT", "POST") if kind == "_create" else ("POST",) if doc_id is None
                        else ("GET", "HEAD", "PUT", "POST", "DELETE")))
            raise bad_request("unsupported document request")
        after_write(store, mode, [ix], [body])
        return status, body

    def rollover(self, target):
        if target not in self.store.streams:
            raise bad_request("the stand-in rolls over data streams only; [%s] is not one"
                              % target)
        ds = self.store.streams[target]
        old = ds.indices[-1]
        return {"acknowledged": True, "shards_acknowledged": True, "old_index": old,
                "new_index": self.store.roll_stream(ds), "rolled_over": True,
                "dry_run": False, "lazy": False, "conditions": {}}

    def data_streams(self, name):
        m, store = self.command, self.store
        if m == "PUT" and name:
            if name in store.streams:
                raise es_error(400, "resource_already_exists_exception",
                               "data_stream [%s] already exists" % name)
            store.create_stream(name)
            return 200, {"acknowledged": True}
        self.need("GET", "PUT", "DELETE")
        hits = [ds for s, ds in store.streams.items()
                if any(fnmatch.fnmatchcase(s, pt) for pt in (name or "*").split(","))]
        if name and not hits and "*" not in name:
            raise not_found(name)
        if m == "DELETE":
            for ds in hits:
                for x in store.streams.pop(ds.name).indices:
                    store.indices.pop(x, None)
            return 200, {"acknowledged": True}
        return 200, {"data_streams": [stream_info(store, ds) for ds in hits]}

    def templates(self, name, raw):
        """Composable index templates: enough for data streams (index_patterns, data_stream,
        template.settings/mappings, priority, _meta)."""
        if self.command in ("PUT", "POST") and name:
            body = self.json_body(raw, True)
            pats = body.get("index_patterns")
            if not pats:
                raise es_error(400, "action_request_validation_exception",
                               "Validation Failed: 1: index patterns are missing;")
            body.update(index_patterns=[pats] if isinstance(pats, str) else pats, name=name)
            self.store.templates[name] = body
            return 200, {"acknowledged": True}
        self.need("GET", "PUT", "DELETE")
        if name and name not in self.store.templates:
            raise es_error(404, "resource_not_found_exception",
                           "index template matching [%s] not found" % name)
        if self.command == "DELETE":
            del self.store.templates[name]
            return 200, {"acknowledged": True}
        return 200, {"index_templates": [
            {"name": k, "index_template": {x: y for x, y in t.items() if x != "name"}}
            for k, t in self.store.templates.items() if name in (None, k)]}

    # ------------------------------------------------------------------------------------
    # HTTP: control endpoints
    # ------------------------------------------------------------------------------------

    def control(self, segs, raw):
        store, what = self.store, (segs or [""])[0]
        try:
            body = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as e:
            raise es_error(400, "json_parse_exception", jackson_reason(e)) from None
        action = (self.command, what)
        with store.lock:
            if action == ("POST", "fault"):
                if body.get("mode") not in ("hang", "malformed", "truncate", "status", "delay"):
                    raise bad_request("mode must be hang, malformed, truncate, status or delay")
                store.fault = {k: body[k] for k in ("mode", "status", "path_prefix", "count", "ms")
                               if k in body}
                return 200, {"acknowledged": True, "fault": store.fault}
            if action == ("DELETE", "fault"):
                standin_http.clear_fault(store)
                return 200, {"acknowledged": True}
            if action == ("POST", "refresh_fault"):
                if body.get("mode") not in ("fail", "unavailable"):
                    raise bad_request("mode must be fail or unavailable")
                try:
                    f = {k: int(body[k]) for k in ("shards", "status", "count") if k in body}
                except (TypeError, ValueError):
                    raise bad_request("shards, status and count must be numbers") from None
                f.update(mode=body["mode"], index=str(body.get("index") or "*"))
                store.refresh_fault = f
                return 200, {"acknowledged": True, "refresh_fault": f}
            if action == ("DELETE", "refresh_fault"):
                store.refresh_fault = None
                return 200, {"acknowledged": True}
            if action == ("POST", "health"):
                if body.get("status") not in ("green", "yellow", "red"):
                    raise bad_request("status must be green, yellow or red")
                store.health_override = body
                return 200, {"acknowledged": True}
            if action == ("DELETE", "health"):
                store.health_override = None
                return 200, {"acknowledged": True}
            if action == ("POST", "delete_hidden"):
                ix = store.write_index(str(body.get("index")), create=False)
                ids = body.get("ids")
                ids = list(ix.live)[: int(body.get("count", 0))] if ids is None else ids
                gone = 0
                for i in map(str, ids):
                    entry = ix.live.pop(i, None)
                    if entry:
                        ix.visible.pop(i, None)
                        ix.deleted += entry[3]
                        gone += 1
                return 200, {"index": ix.name, "deleted": gone}
            if action == ("GET", "state"):
                return 200, self.dump()
            if action == ("DELETE", "state"):
                store.reset()
                return 200, {"acknowledged": True}
        raise simple_error(400, "unknown control endpoint [%s %s]" % (self.command, self.path))

    def dump(self):
        store, now = self.store, time.monotonic()
        return {
            "flavor": store.flavor, "fault": store.fault, "health_override": store.health_override,
            "refresh_fault": store.refresh_fault,
            "indices": {n: {"uuid": ix.uuid, "live": len(ix.live), "visible": len(ix.visible),
                            "dirty": ix.dirty, "pending_refresh": ix.pending_refresh,
                            "unsearched_for_s": round(now - ix.last_access, 3),
                            "settings": ix.explicit, "aliases": ix.aliases,
                            "data_stream": ix.data_stream, "mappings": ix.mappings,
                            "counters": ix.c, "seq_no": ix.seq_no}
                        for n, ix in store.indices.items()},
            "data_streams": {s: ds.indices for s, ds in store.streams.items()},
            "templates": list(store.templates)}


# ----------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------

def main(argv=None):
    ap = standin_http.argument_parser("An Elasticsearch 8 stand-in for synctop's tests")
    ap.add_argument("--flavor", choices=("elasticsearch", "opensearch"), default="elasticsearch")
    standin_http.add_credentials(ap)
    ap.add_argument("--api-key-file", help="holds the base64 id:key that clients send")
    standin_http.add_log(ap)
    a = ap.parse_args(argv)

    secret = standin_http.read_secret
    if a.user or a.api_key_file:
        Handler.auth = {"user": a.user, "password": secret(a.password_file) if a.password_file
                        else "", "api_key": secret(a.api_key_file) if a.api_key_file else None}
    Handler.store = Store(a.flavor)
    standin_http.open_log(Handler, a.log, a.record)
    server = standin_http.make_server(Handler, a.port, a.tls_cert, a.tls_key)
    stop = threading.Event()
    threading.Thread(target=refresher, args=(Handler.store, stop), daemon=True).start()
    return standin_http.serve(server, Handler, a.port_file, a.flavor, on_exit=stop.set)


if __name__ == "__main__":
    sys.exit(main())
