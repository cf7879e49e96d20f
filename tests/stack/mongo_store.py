"""mongo_store.py: the data of tests/stack/mongo_standin.py (imported, never run): databases
of collections, each holding synthetic documents (a count and the newest value of one
freshness field, set through the control port) and real ones (inserted by clients), and the
query language the commands use, as far as synctop's document stage and the demo's indexer
need it.

Synthetic documents: a collection set to {"count": N, "newest": T, "field": F} holds N
documents {_id: 1..N, F: T - (i - 1) seconds} (document 1 the newest, BSON datetimes); with
"newest": null their F is null, without "newest" they have no F. They are made on demand,
never stored: a count of millions costs nothing, and `find` sorted on F (or _id) with a limit
makes only what it answers. A filter on them must be empty ({}); real documents take any
filter of the subset below.

Filters: {field: value} (equality, an array field matching one of its elements), dotted paths,
$eq $ne $gt $gte $lt $lte $in $nin $exists, $and $or. Sort: {field: 1|-1, ...} in BSON's
order of types (null < numbers < strings < documents < ObjectId < booleans < datetimes).
Projection: inclusion or exclusion of top-level fields, _id included unless excluded.
Pipelines: $match, $group (_id a constant or "$field"; $sum 1 or "$f", $max, $min, $first,
$last, $count), $count, $sort, $skip, $limit, $project; on a whole synthetic collection,
[$match {}], $group with a constant _id and $count are computed without making documents.
Updates: $set, $unset, $inc, or a replacement document; upsert.
"""

import datetime
import threading

from bson.objectid import ObjectId

UTC = datetime.timezone.utc
MAX_MADE = 1000000  # synthetic documents made for one command, at most


class CommandError(Exception):
    """A command's failure as the server answers it: ok 0, errmsg, code, codeName."""

    def __init__(self, code, name, msg):
        super().__init__(msg)
        self.code, self.name, self.msg = code, name, msg

    def doc(self):
        return {"ok": 0.0, "errmsg": self.msg, "code": self.code, "codeName": self.name}


def bad_value(msg):
    return CommandError(2, "BadValue", msg)


# ----------------------------------------------------------------------------------------
# Values: BSON's comparison order
# ----------------------------------------------------------------------------------------

def _rank(v):
    if v is None:
        return 1
    if isinstance(v, bool):
        return 8
    if isinstance(v, (int, float)):
        return 2
    if isinstance(v, str):
        return 3
    if isinstance(v, dict):
        return 4
    if isinstance(v, list):
        return 5
    if isinstance(v, bytes):
        return 6
    if isinstance(v, ObjectId):
        return 7
    if isinstance(v, datetime.datetime):
        return 9
    return 10


def sort_key(v):
    if isinstance(v, datetime.datetime) and v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    r = _rank(v)
    if r in (1,):
        return (r, 0)
    if r in (4, 5, 10):
        return (r, repr(v))
    return (r, v)


def compare(a, b):
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)


_MISSING = object()


def get_path(doc, path):
    for part in path.split("."):
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        else:
            return _MISSING
    return doc


# ----------------------------------------------------------------------------------------
# Filters
# ----------------------------------------------------------------------------------------

def _op_match(value, op, arg):
    present = value is not _MISSING
    v = value if present else None
    if op == "$exists":
        return present == bool(arg)
    if op == "$eq":
        return _equal(v, arg)
    if op == "$ne":
        return not _equal(v, arg)
    if op == "$in":
        return any(_equal(v, a) for a in arg)
    if op == "$nin":
        return not any(_equal(v, a) for a in arg)
    if op in ("$gt", "$gte", "$lt", "$lte"):
        cands = v if isinstance(v, list) else [v]
        for c in cands:
            if not present or _rank(c) != _rank(arg):  # MongoDB compares within a type
                continue
            r = compare(c, arg)
            if {"$gt": r > 0, "$gte": r >= 0, "$lt": r < 0, "$lte": r <= 0}[op]:
                return True
        return False
    raise bad_value("unknown operator: %s" % op)


def _equal(v, arg):
    if isinstance(v, list) and not isinstance(arg, list):
        return any(_equal(e, arg) for e in v)
    return _rank(v) == _rank(arg) and compare(v, arg) == 0


def matches(doc, flt):
    for key, cond in (flt or {}).items():
        if key == "$and":
            if not all(matches(doc, f) for f in cond):
                return False
        elif key == "$or":
            if not any(matches(doc, f) for f in cond):
                return False
        elif key.startswith("$"):
            raise bad_value("unknown top level operator: %s" % key)
        else:
            value = get_path(doc, key)
            if isinstance(cond, dict) and cond and all(k.startswith("$") for k in cond):
                if not all(_op_match(value, op, arg) for op, arg in cond.items()):
                    return False
            elif not _op_match(value, "$eq", cond):
                return False
    return True


def project(doc, projection):
    if not projection:
        return doc
    spec = {k: v for k, v in projection.items()}
    keep_id = spec.pop("_id", 1)
    if any(spec.values()):
        out = {"_id": doc["_id"]} if keep_id and "_id" in doc else {}
        for k, v in spec.items():
            if v and k in doc:
                out[k] = doc[k]
        return out
    out = {k: v for k, v in doc.items() if k not in spec}
    if not keep_id:
        out.pop("_id", None)
    return out


def sort_docs(docs, sort):
    for field, direction in reversed(list((sort or {}).items())):
        if direction not in (1, -1):
            raise bad_value("$sort key ordering must be 1 (for ascending) or -1 (for descending)")
        docs.sort(key=lambda d: sort_key(_none(get_path(d, field))), reverse=direction == -1)
    return docs


def _none(v):
    return None if v is _MISSING else v


# ----------------------------------------------------------------------------------------
# Collections
# ----------------------------------------------------------------------------------------

class Collection:
    def __init__(self):
        self.count = 0  # synthetic documents
        self.field = "updated_at"
        self.newest = _MISSING  # epoch seconds, None (null) or _MISSING (no field)
        self.docs = []  # real ones, in insertion order

    def synthetic(self, i):
        """Synthetic document i (1 = the newest)."""
        doc = {"_id": i}
        if self.newest is not _MISSING:
            doc[self.field] = None if self.newest is None else datetime.datetime.fromtimestamp(
                self.newest - (i - 1), UTC)
        return doc

    def describe(self):
        return {"count": self.count, "field": self.field, "documents": len(self.docs),
                "newest": None if self.newest is _MISSING else self.newest,
                "has_field": self.newest is not _MISSING}

    def total(self):
        return self.count + len(self.docs)

    def candidates(self, flt, sort, limit):
        """The documents a find or a pipeline starts from: the real ones matching flt, and
        enough synthetic ones to answer sort + limit (all of them without a limit)."""
        real = [d for d in self.docs if matches(d, flt)]
        if not self.count:
            return real
        if flt:
            raise bad_value("the stand-in filters only real documents; this collection has %d synthetic "
                            "ones (filter them with {})" % self.count)
        k = self.count if not limit else min(self.count, limit)
        if k > MAX_MADE:
            raise bad_value("the stand-in makes at most %d synthetic documents a command (this one needs %d: "
                            "give a limit, or count with {} alone)" % (MAX_MADE, k))
        field, direction = (list((sort or {}).items()) or [(None, 0)])[0]
        # _id 1 is the newest: the oldest first is _id descending or the field ascending
        if (field, direction) in (("_id", -1), (self.field, 1)):
            ids = range(self.count, self.count - k, -1)
        else:
            ids = range(1, k + 1)
        return real + [self.synthetic(i) for i in ids]


class Store:
    """What the stand-in holds; every access under .lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.dbs = {}  # db -> {name -> Collection}
        self.fault = None  # standin_http's (never set: the wire fault is .wire_fault)
        self.hang_release = threading.Event()
        self.wire_fault = None
        self.wire_release = threading.Event()

    def get(self, db, name):
        return self.dbs.get(db, {}).get(name)

    def create(self, db, name):
        return self.dbs.setdefault(db, {}).setdefault(name, Collection())

    def drop(self, db, name):
        colls = self.dbs.get(db, {})
        gone = colls.pop(name, None)
        if not colls:
            self.dbs.pop(db, None)
        return gone is not None
