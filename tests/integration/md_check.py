#!/usr/bin/python3
"""md_check.py: what a markdown file renders to, for format_markdown.sh.

usage: md_check.py outline FILE   parse FILE with cmark (CommonMark) and cmark-gfm -e table
                                  and print its outline, one line each: "H<level> TEXT" for a
                                  heading, "ITEM TEXT" for a list item's first paragraph,
                                  "ROW CELL<TAB>CELL..." for each table row (cmark-gfm),
                                  "HTML TEXT" for raw HTML either parser saw (none expected),
                                  "TABLES N" how many tables cmark-gfm found.
       md_check.py cells FILE     the GFM table check of our own: every table's header row,
                                  delimiter row and body rows have the same number of cells
                                  (a cell ends at an unescaped |); exit 1 naming the first row
                                  that does not.
Stdlib only; cmark and cmark-gfm are Debian's."""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET


def tag(e):
    return e.tag.rsplit("}", 1)[-1]


def text(e):
    out = []
    for n in e.iter():
        t = tag(n)
        if t in ("text", "code") and n.text:
            out.append(n.text)
        elif t in ("softbreak", "linebreak"):
            out.append(" ")
    return "".join(out)


def parse(cmd, path):
    xml = subprocess.run(cmd + ["--to", "xml", path], check=True, capture_output=True).stdout
    return ET.fromstring(xml)


def outline(path):
    cm = parse(["cmark"], path)
    gfm = parse(["cmark-gfm", "-e", "table"], path)
    for e in cm.iter():
        t = tag(e)
        if t == "heading":
            print(f"H{e.get('level')} {text(e)}")
        elif t == "item":
            para = next((c for c in e if tag(c) == "paragraph"), None)
            print(f"ITEM {text(para) if para is not None else ''}")
    tables = 0
    for root in (cm, gfm):
        for e in root.iter():
            if tag(e) in ("html_inline", "html_block"):
                print(f"HTML {e.text or ''}".rstrip())
    for e in gfm.iter():
        t = tag(e)
        if t == "table":
            tables += 1
        elif t in ("table_header", "table_row"):
            print("ROW " + "\t".join(text(c) for c in e if tag(c) == "table_cell"))
    print(f"TABLES {tables}")
    return 0


DELIM = re.compile(r"^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def cells(line):
    """The cells of a pipe table row: split at | not escaped by a backslash."""
    s = line.strip()
    parts, cur, i = [], "", 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            cur += s[i : i + 2]
            i += 2
            continue
        if c == "|":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    if s.startswith("|"):
        parts = parts[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        parts = parts[:-1]
    return len(parts)


def check_cells(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    tables = 0
    i = 0
    while i + 1 < len(lines):
        if "|" in lines[i] and DELIM.match(lines[i + 1]):
            tables += 1
            want = cells(lines[i])
            j = i + 1
            while j < len(lines) and lines[j].strip() and "|" in lines[j]:
                if cells(lines[j]) != want:
                    print(f"{path}:{j + 1}: {cells(lines[j])} cells, the header has {want}: {lines[j]}")
                    return 1
                j += 1
            i = j
        else:
            i += 1
    print(f"{tables} tables, every row with its header's number of cells")
    return 0


def main(argv):
    if len(argv) != 3 or argv[1] not in ("outline", "cells"):
        print(__doc__, file=sys.stderr)
        return 2
    return outline(argv[2]) if argv[1] == "outline" else check_cells(argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
