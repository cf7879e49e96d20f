#!/usr/bin/python3
"""json_validate.py: checks --once JSON snapshots against share/synctop-snapshot.schema.json.

usage: json_validate.py SCHEMA FILE...  exit 0 when every FILE is one JSON document that the
schema accepts; else 1, with one line per error ("FILE: PATH: MESSAGE") on stderr. Run it with
Debian's /usr/bin/python3 (python3-jsonschema)."""
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for name in argv[2:]:
        try:
            with open(name, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{name}: not JSON: {e}", file=sys.stderr)
            bad += 1
            continue
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            path = "/".join(str(p) for p in err.absolute_path) or "(top)"
            print(f"{name}: {path}: {err.message}", file=sys.stderr)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
