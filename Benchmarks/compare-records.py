"""Compare two NDJSON outputs ignoring volatile fields; exit 1 on any difference, duplicate or bad line."""
import json, sys

VOLATILE = ("at", "ms", "attempts", "ratelimit")

def load(path):
    records = {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        sys.exit(f"{path}: last line is torn")
    for n, line in enumerate(text.splitlines(), 1):
        try:
            record = json.loads(line)
        except ValueError:
            sys.exit(f"{path}:{n}: not JSON")
        for key in VOLATILE:
            record.pop(key, None)
        if record["key"] in records:
            sys.exit(f"{path}:{n}: duplicate key {record['key']}")
        records[record["key"]] = json.dumps(record, sort_keys=True)
    return records

reference, candidate = load(sys.argv[1]), load(sys.argv[2])
if reference != candidate:
    missing = reference.keys() - candidate.keys()
    extra = candidate.keys() - reference.keys()
    changed = [k for k in reference.keys() & candidate.keys() if reference[k] != candidate[k]]
    sys.exit(f"differ: {len(missing)} missing, {len(extra)} extra, {len(changed)} changed")
print(f"{len(reference)} records, identical to the uninterrupted run, no duplicate, no invalid line")
