"""mongo_commands.py: the database commands of tests/stack/mongo_standin.py that read and write
data (imported, never run): count, find, aggregate, listCollections, listDatabases, insert,
update, delete, drop. Each is run(store, db, body) -> the answer document, under store.lock,
raising mongo_store.CommandError for a failure. The answers' shapes follow the reference of
each command (https://www.mongodb.com/docs/manual/reference/command/<name>/); see
tests/fixtures/mongodb/README.md.
"""

import copy
import datetime

from bson.int64 import Int64
from bson.objectid import ObjectId

import mongo_store as ms
from mongo_store import CommandError, bad_value


def _coll_name(body, name):
    coll = body.get(name)
    if not isinstance(coll, str) or not coll:
        raise CommandError(73, "InvalidNamespace",
                           "collection name has invalid type %s" % type(coll).__name__)
    return coll


def _cursor(ns, batch):
    return {"cursor": {"firstBatch": batch, "id": Int64(0), "ns": ns}, "ok": 1.0}


def _doc_arg(body, name):
    v = body.get(name)
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise CommandError(14, "TypeMismatch", "BSON field '%s' is the wrong type '%s', expected type 'object'"
                           % (name, type(v).__name__))
    return v


def _int_arg(body, name):
    v = body.get(name, 0)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise CommandError(14, "TypeMismatch", "BSON field '%s' is the wrong type" % name)
    return int(v)


def count(store, db, body):
    coll = store.get(db, _coll_name(body, "count"))
    if coll is None:
        return {"n": 0, "ok": 1.0}  # as mongod: a collection that does not exist counts 0
    query, skip, limit = _doc_arg(body, "query"), _int_arg(body, "skip"), abs(_int_arg(body, "limit"))
    n = coll.total() if not query else len(coll.candidates(query, None, None))
    n = max(0, n - skip)
    return {"n": min(n, limit) if limit else n, "ok": 1.0}


def find(store, db, body):
    name = _coll_name(body, "find")
    flt, sort, proj = _doc_arg(body, "filter"), _doc_arg(body, "sort"), _doc_arg(body, "projection")
    skip, limit = _int_arg(body, "skip"), abs(_int_arg(body, "limit"))
    coll = store.get(db, name)
    docs = [] if coll is None else coll.candidates(flt, sort, limit + skip if limit else None)
    docs = ms.sort_docs(docs, sort)[skip:]
    if limit:
        docs = docs[:limit]
    return _cursor("%s.%s" % (db, name), [ms.project(copy.deepcopy(d), proj) for d in docs])


# ----------------------------------------------------------------------------------------
# aggregate
# ----------------------------------------------------------------------------------------

class _Whole:
    """A whole collection not made into documents yet (the fast paths)."""

    def __init__(self, coll):
        self.coll = coll


def _docs(data):
    if isinstance(data, _Whole):
        return [] if data.coll is None else data.coll.candidates({}, None, None)
    return data


def _expr(doc, e):
    if isinstance(e, str) and e.startswith("$"):
        v = ms.get_path(doc, e[1:])
        return None if v is ms._MISSING else v
    if isinstance(e, dict):
        return {k: _expr(doc, v) for k, v in e.items()}
    return e


def _accumulate(op, arg, docs):
    if op == "$sum":
        total = 0
        for d in docs:
            v = _expr(d, arg)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                total += v
        return total
    if op == "$count":
        return len(docs)
    if op in ("$max", "$min"):
        vals = [v for v in (_expr(d, arg) for d in docs) if v is not None]
        if not vals:
            return None
        pick = max if op == "$max" else min
        return pick(vals, key=ms.sort_key)
    if op in ("$first", "$last"):
        return _expr(docs[0 if op == "$first" else -1], arg) if docs else None
    raise CommandError(15952, "Location15952", "unknown group operator '%s'" % op)


def _accumulators(spec):
    out = []
    for field, acc in spec.items():
        if field == "_id":
            continue
        if not (isinstance(acc, dict) and len(acc) == 1):
            raise CommandError(40234, "Location40234",
                               "The field '%s' must be an accumulator object" % field)
        (op, arg), = acc.items()
        out.append((field, op, arg))
    return out


def _group_whole(coll, spec):
    """$group with a constant _id over a whole collection, without making its documents;
    None when the shape needs the documents."""
    if coll is None:
        return []
    key = spec["_id"]
    if isinstance(key, dict) or isinstance(key, str) and key.startswith("$"):
        return None
    accs = _accumulators(spec)
    if not all(op in ("$sum", "$count", "$max", "$min") for _, op, _ in accs):
        return None
    if not all(op != "$sum" or isinstance(arg, (int, float)) and not isinstance(arg, bool) for _, op, arg in accs):
        return None
    if coll.total() == 0:
        return []
    out = {"_id": spec["_id"]}
    ends = [coll.synthetic(1), coll.synthetic(coll.count)] if coll.count else []
    for field, op, arg in accs:
        if op == "$sum":
            out[field] = arg * coll.total()
        elif op == "$count":
            out[field] = coll.total()
        else:
            out[field] = _accumulate(op, arg, ends + coll.docs)
    return [out]


def _group(data, spec):
    if "_id" not in spec:
        raise CommandError(15955, "Location15955", "a group specification must include an _id")
    if isinstance(data, _Whole):
        fast = _group_whole(data.coll, spec)
        if fast is not None:
            return fast
    accs = _accumulators(spec)
    groups = {}
    for d in _docs(data):
        key = _expr(d, spec["_id"])
        groups.setdefault(repr(ms.sort_key(key)), (key, []))[1].append(d)
    out = []
    for key, docs in groups.values():
        g = {"_id": key}
        for field, op, arg in accs:
            g[field] = _accumulate(op, arg, docs)
        out.append(g)
    return out


def _stage(data, stage, db, name):
    if not (isinstance(stage, dict) and len(stage) == 1):
        raise CommandError(40323, "Location40323",
                           "A pipeline stage specification object must contain exactly one field.")
    (op, arg), = stage.items()
    if op == "$match":
        if isinstance(data, _Whole) and not arg:
            return data
        if isinstance(data, _Whole):
            return [] if data.coll is None else data.coll.candidates(arg, None, None)
        return [d for d in data if ms.matches(d, arg)]
    if op == "$group":
        return _group(data, arg)
    if op == "$count":
        if isinstance(data, _Whole):
            n = 0 if data.coll is None else data.coll.total()
        else:
            n = len(data)
        return [{arg: n}] if n else []
    if op == "$collStats":
        n = 0 if not isinstance(data, _Whole) or data.coll is None else data.coll.total()
        return [{"ns": "%s.%s" % (db, name), "host": "localhost", "localTime": datetime.datetime.now(ms.UTC),
                 "count": n}]
    if op == "$sort":
        return ms.sort_docs(list(_docs(data)), arg)
    if op == "$skip":
        return _docs(data)[int(arg):]
    if op == "$limit":
        return _docs(data)[:int(arg)]
    if op == "$project":
        return [ms.project(d, arg) for d in _docs(data)]
    raise CommandError(40324, "Location40324", "Unrecognized pipeline stage name: '%s'" % op)


def aggregate(store, db, body):
    name = _coll_name(body, "aggregate")
    pipeline = body.get("pipeline")
    if not isinstance(pipeline, list):
        raise CommandError(14, "TypeMismatch", "'pipeline' option must be specified as an array")
    if "cursor" not in body and not body.get("explain"):
        raise CommandError(9, "FailedToParse",
                           "The 'cursor' option is required, except for aggregate with the explain argument")
    data = _Whole(store.get(db, name))
    for stage in pipeline:
        data = _stage(data, stage, db, name)
    return _cursor("%s.%s" % (db, name), copy.deepcopy(_docs(data)))


# ----------------------------------------------------------------------------------------
# Catalogue
# ----------------------------------------------------------------------------------------

def list_collections(store, db, body):
    flt = _doc_arg(body, "filter")
    name_only = bool(body.get("nameOnly"))
    out = []
    for name in sorted(store.dbs.get(db, {})):
        entry = {"name": name, "type": "collection"}
        if not name_only:
            entry.update({"options": {}, "info": {"readOnly": False},
                          "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"}})
        if ms.matches(entry, flt):
            out.append(entry)
    return _cursor("%s.$cmd.listCollections" % db, out)


def list_databases(store, db, body):
    names = sorted(store.dbs)
    if body.get("nameOnly"):
        return {"databases": [{"name": n} for n in names], "ok": 1.0}
    return {"databases": [{"name": n, "sizeOnDisk": Int64(8192), "empty": False} for n in names],
            "totalSize": Int64(8192 * len(names)), "totalSizeMb": Int64(0), "ok": 1.0}


def drop(store, db, body):
    name = _coll_name(body, "drop")
    if not store.drop(db, name):
        raise CommandError(26, "NamespaceNotFound", "ns not found")
    return {"nIndexesWas": 1, "ns": "%s.%s" % (db, name), "ok": 1.0}


# ----------------------------------------------------------------------------------------
# Writes
# ----------------------------------------------------------------------------------------

def _has_id(coll, _id):
    if isinstance(_id, int) and not isinstance(_id, bool) and 1 <= _id <= coll.count:
        return True
    return any(ms._equal(d.get("_id"), _id) for d in coll.docs)


def _dup_error(db, name, index, _id):
    return {"index": index, "code": 11000,
            "errmsg": "E11000 duplicate key error collection: %s.%s index: _id_ dup key: { _id: %r }"
                      % (db, name, _id)}


def insert(store, db, body):
    name = _coll_name(body, "insert")
    docs = body.get("documents")
    if not isinstance(docs, list):
        raise CommandError(40414, "Location40414", "BSON field 'insert.documents' is missing but a required field")
    coll, n, errors = store.create(db, name), 0, []
    for i, d in enumerate(docs):
        d = dict(d)
        d.setdefault("_id", ObjectId())
        d = {"_id": d.pop("_id"), **d}
        if _has_id(coll, d["_id"]):
            errors.append(_dup_error(db, name, i, d["_id"]))
            if body.get("ordered", True):
                break
            continue
        coll.docs.append(d)
        n += 1
    out = {"n": n, "ok": 1.0}
    if errors:
        out["writeErrors"] = errors
    return out


def _apply(doc, u):
    """doc updated by u (operators or a replacement); True when it changed."""
    before = copy.deepcopy(doc)
    if any(k.startswith("$") for k in u):
        for op, fields in u.items():
            for path, v in fields.items():
                if "." in path:
                    raise bad_value("the stand-in updates top-level fields only: %s" % path)
                if op == "$set":
                    doc[path] = v
                elif op == "$unset":
                    doc.pop(path, None)
                elif op == "$inc":
                    doc[path] = doc.get(path, 0) + v
                elif op == "$setOnInsert":
                    pass
                else:
                    raise CommandError(9, "FailedToParse", "Unknown modifier: %s" % op)
    else:
        _id = doc["_id"]
        doc.clear()
        doc.update({"_id": _id, **{k: v for k, v in u.items() if k != "_id"}})
    return doc != before


def update(store, db, body):
    name = _coll_name(body, "update")
    updates = body.get("updates")
    if not isinstance(updates, list):
        raise CommandError(40414, "Location40414", "BSON field 'update.updates' is missing but a required field")
    coll = store.create(db, name)
    n = modified = 0
    upserted = []
    for i, up in enumerate(updates):
        q, u = up.get("q") or {}, up.get("u") or {}
        hits = [d for d in coll.docs if ms.matches(d, q)]
        if not up.get("multi"):
            hits = hits[:1]
        for d in hits:
            modified += _apply(d, u)
        n += len(hits)
        if not hits and up.get("upsert"):
            doc = {k: v for k, v in q.items() if not k.startswith("$") and not isinstance(v, dict)}
            doc.setdefault("_id", ObjectId())
            doc = {"_id": doc.pop("_id"), **doc}
            _apply(doc, u)
            for k, v in (u.get("$setOnInsert") or {}).items():
                doc[k] = v
            coll.docs.append(doc)
            upserted.append({"index": i, "_id": doc["_id"]})
            n += 1
    out = {"n": n, "nModified": modified, "ok": 1.0}
    if upserted:
        out["upserted"] = upserted
    return out


def delete(store, db, body):
    name = _coll_name(body, "delete")
    deletes = body.get("deletes")
    if not isinstance(deletes, list):
        raise CommandError(40414, "Location40414", "BSON field 'delete.deletes' is missing but a required field")
    coll, n = store.get(db, name), 0
    for d in deletes:
        if coll is None:
            break
        hits = [doc for doc in coll.docs if ms.matches(doc, d.get("q") or {})]
        if d.get("limit"):
            hits = hits[:1]
        ids = {id(h) for h in hits}
        coll.docs = [doc for doc in coll.docs if id(doc) not in ids]
        n += len(hits)
    return {"n": n, "ok": 1.0}


COMMANDS = {"count": count, "find": find, "aggregate": aggregate, "listCollections": list_collections,
            "listDatabases": list_databases, "drop": drop, "insert": insert, "update": update,
            "delete": delete}
