# shellcheck shell=bash
# nagios_lib.sh: the monitoring-plugin guideline, checked on what --format nagios printed. Source
# it after lib.sh.
#
#   nagios_check FILE RC   FILE (an output) against the guideline, with RC its exit code: the
#                          first line is SYNCTOP STATUS - text [| perfdata], STATUS the word of
#                          RC and of the worst stage line (PIPELINE/STAGE: STATUS - ...); the
#                          long output's text lines until one carries '|', then perfdata;
#                          each item 'label'=value[UOM];warn;crit;[min];[max] (a label quoted when
#                          it holds a space, = or ', '' for '; value a plain decimal or U, UOM one
#                          of s % B c or none, none on U; warn and crit ranges or empty); no
#                          control character; no label twice. Prints the items, one a line:
#                          LABEL<TAB>VALUE<TAB>UOM<TAB>WARN<TAB>CRIT<TAB>MIN<TAB>MAX; what is
#                          wrong on stderr (and fails).
#   perf LABEL             "VALUEUOM;WARN;CRIT;MIN;MAX" of LABEL in $PERF (nagios_check's
#                          output), "" when absent

nagios_check() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import re, sys
out = open(sys.argv[1], encoding="utf-8").read()
rc = int(sys.argv[2])
def fail(msg):
    sys.stderr.write("guideline: " + msg + "\n")
    sys.exit(1)
if not out.endswith("\n"):
    fail("the output does not end with a newline")
if re.search(r"[\x00-\x09\x0b-\x1f\x7f]", out):
    fail("a control character")
lines = out[:-1].split("\n")
first = re.fullmatch(r"SYNCTOP (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?)(?: \| (.*))?", lines[0])
if not first:
    fail("the first line is not 'SYNCTOP STATUS - text | perfdata': " + lines[0])
word = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}.get(rc)
if first.group(1) != word:
    fail("status %s but exit code %d" % (first.group(1), rc))
perf = first.group(3) or ""
# The long output: text lines (a line per stage) until one carries '|'; the rest is perfdata.
order = {"OK": 0, "UNKNOWN": 1, "WARN": 2, "CRIT": 3}
worst = 0
for i, line in enumerate(lines[1:]):
    text, bar, more = line.partition("|")
    st = re.match(r"[^ ]+/[a-z]+: (OK|WARN|CRIT|UNKNOWN) - ", text)
    if not st:
        fail("a long output line is not 'PIPELINE/STAGE: STATUS - figures': " + line)
    worst = max(worst, order[st.group(1)])
    if bar:
        perf += " " + more + " " + " ".join(lines[i + 2:])
        break
if ["OK", "UNKNOWN", "WARNING", "CRITICAL"][worst] != word:
    fail("status %s but the worst stage line says %s" % (word, list(order)[worst]))
NUM = r"-?[0-9]+(?:\.[0-9]+)?"
RANGE = r"(@?)(?:(~|%s):)?(%s)?" % (NUM, NUM)
ITEM = re.compile(r"('(?:[^']|'')+'|[^' =]+)=(U|%s)(s|%%|B|c)?;(%s);(%s);(%s)?;(%s)?(?= |$)" % (NUM, RANGE, RANGE, NUM, NUM))
items = []
perf = perf.strip()
pos = 0
while pos < len(perf):
    m = ITEM.match(perf, pos)
    if not m:
        fail("a perfdata item is not 'label'=value[UOM];warn;crit;min;max at: " + perf[pos:pos + 80])
    label, value, uom, warn, _, ws, we, crit, _, cs, ce, mn, mx = m.groups()
    if label.startswith("'"):
        label = label[1:-1].replace("''", "'")
    elif re.search(r"[ =']", label):
        fail("label %r needs quotes" % label)
    if value == "U" and uom:
        fail("%s: a unit on U" % label)
    for r, start, end in ((warn, ws, we), (crit, cs, ce)):
        if r in ("", "@"):
            if r == "@":
                fail("%s: an empty range" % label)
            continue
        if start not in (None, "~") and end is not None and float(start) > float(end):
            fail("%s: range %s starts above its end" % (label, r))
    items.append("\t".join([label, value, uom or "", warn, crit, mn or "", mx or ""]))
    pos = m.end()
    while pos < len(perf) and perf[pos] == " ":
        pos += 1
if not items:
    fail("no perfdata")
labels = [i.split("\t")[0] for i in items]
if len(set(labels)) != len(labels):
    fail("a label twice")
print("\n".join(items))
PY
}

perf() {
	awk -F'\t' -v l="$1" '$1 == l { print $2 $3 ";" $4 ";" $5 ";" $6 ";" $7 }' <<<"$PERF"
}
