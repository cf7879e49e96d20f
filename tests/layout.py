#!/usr/bin/env python3
"""layout.py: the layout rules of the source tree, checked (tests/integration/layout.sh runs it).

    layout.py SRCDIR   prints one line per violation, CHECK<TAB>FILE<TAB>WHAT, and the
                       checks that ran as "# CHECK" lines; exits 0 (the caller judges)

Checks (each names the offending file):
  circle     no #include circle among the "..." includes of src/ (a file that includes, through
             any chain, itself)
  module-circle no circle among the modules of src/, a module being a .c with its .h (foo.c and
             foo.h): health.c including rules.h whose rules.c includes health.h is one
  long       no C file (src/, tests/, contrib/, bench/) over MAX_LINES lines
  kind-name  no code outside src/kinds/ and tests/ names a kind: no KIND_X/STAGE_X constant of a
             kind X (or KIND__/STAGE__ sentinel, or enum stage_kind), no X_kind descriptor, no
             #include of kinds/X/ (the kinds: the directories of src/kinds/)
  ui-backend no file of src/ui/ includes, through any chain, a header of src/backend/
  probe-curses no src/kinds/*/probe.c includes, through any chain, curses or a header of src/ui/
An include "x.h" resolves as the compiler resolves it: beside the including file, else in src/.
"""
import os
import re
import sys

MAX_LINES = 800
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
CURSES = re.compile(r'^(n?curses|ncursesw/)')


def strip_c(text):
    """The code of a C file without its comments and string/char literals (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append('\n' * text.count('\n', i, j))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c and text[j] != '\n':
                j += 2 if text[j] == '\\' else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def c_files(root, tops):
    found = []
    for top in tops:
        for d, dirs, files in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(x for x in dirs if not x.startswith('.'))
            for f in sorted(files):
                if f.endswith(('.c', '.h')):
                    found.append(os.path.relpath(os.path.join(d, f), root))
    return found


def main():
    root = sys.argv[1]
    src = c_files(root, ['src'])
    text = {f: open(os.path.join(root, f), encoding='utf-8', errors='replace').read() for f in src}

    # The include graph of src/: "..." includes resolved to files; <...> ones kept by name.
    local, system = {}, {}
    for f in src:
        local[f], system[f] = [], []
        for line in text[f].splitlines():
            m = INCLUDE.match(line)
            if not m:
                continue
            if m.group(1) == '<':
                system[f].append(m.group(2))
                continue
            for cand in (os.path.join(os.path.dirname(f), m.group(2)), os.path.join('src', m.group(2))):
                cand = os.path.normpath(cand)
                if cand in text:
                    local[f].append(cand)
                    break

    def closure(f):
        """Every file f includes through a chain, nearest first: {file: the file including it}."""
        seen, todo = {f: None}, [f]
        for g in todo:
            for h in local[g]:
                if h not in seen:
                    seen[h] = g
                    todo.append(h)
        return seen

    def chain(seen, h):
        path = [h]
        while seen[path[-1]] is not None:
            path.append(seen[path[-1]])
        return ' -> '.join(reversed(path))

    out = []

    def circles(graph):
        """Strongly connected components of more than one node, or a node reaching itself."""
        index, low, stack, on, sccs = {}, {}, [], set(), []
        sys.setrecursionlimit(100000)

        def visit(v):
            index[v] = low[v] = len(index)
            stack.append(v)
            on.add(v)
            for w in graph[v]:
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in graph[v]:
                    sccs.append(sorted(comp))

        for v in sorted(graph):
            if v not in index:
                visit(v)
        return sorted(sccs)

    # circle: files including themselves through a chain.
    print('# circle')
    for comp in circles(local):
        out.append(('circle', comp[0], 'include circle through ' + ', '.join(comp)))

    # module-circle: the same over modules (foo.c and foo.h are one node).
    print('# module-circle')
    modules = {}
    for f in src:
        m = os.path.splitext(f)[0]
        modules.setdefault(m, set())
        modules[m].update(os.path.splitext(h)[0] for h in local[f] if os.path.splitext(h)[0] != m)
    for comp in circles(modules):
        edges = ['%s -> %s' % (a, b) for a in comp for b in sorted(modules[a]) if b in comp]
        out.append(('module-circle', comp[0] + '.c', 'modules in a circle: ' + ', '.join(edges)))

    # long
    print('# long')
    for f in c_files(root, ['src', 'tests', 'contrib', 'bench']):
        with open(os.path.join(root, f), encoding='utf-8', errors='replace') as fh:
            lines = sum(1 for _ in fh)
        if lines > MAX_LINES:
            out.append(('long', f, '%d lines (at most %d)' % (lines, MAX_LINES)))

    # kind-name
    print('# kind-name')
    kinds_dir = os.path.join(root, 'src', 'kinds')
    kinds = sorted(d for d in os.listdir(kinds_dir) if os.path.isdir(os.path.join(kinds_dir, d)))
    alt = '|'.join(map(re.escape, kinds))
    names = re.compile(r'\b(?:(?:KIND|STAGE)_(?:%s|_)\w*|enum\s+stage_kind\b|(?:%s)_kind\b)'
                       % ('|'.join(k.upper() for k in kinds), alt))
    kind_inc = re.compile(r'^(?:\.\./)*(?:src/)?kinds/(%s)/' % alt)
    for f in c_files(root, ['src', 'contrib', 'bench']):
        if f.startswith('src/kinds/'):
            continue
        body = text.get(f) or open(os.path.join(root, f), encoding='utf-8', errors='replace').read()
        for no, line in enumerate(body.splitlines(), 1):
            m = INCLUDE.match(line)
            if m and m.group(1) == '"' and kind_inc.match(m.group(2)):
                out.append(('kind-name', f, 'line %d includes %s' % (no, m.group(2))))
        for no, line in enumerate(strip_c(body).splitlines(), 1):
            for m in names.finditer(line):
                out.append(('kind-name', f, 'line %d names %s' % (no, m.group(0))))

    # ui-backend
    print('# ui-backend')
    for f in src:
        if not f.startswith('src/ui/'):
            continue
        seen = closure(f)
        bad = [h for h in seen if h.startswith('src/backend/')]
        if bad:  # the nearest names the culprit; the rest come through it
            out.append(('ui-backend', f, 'includes ' + chain(seen, bad[0])))

    # probe-curses
    print('# probe-curses')
    for f in src:
        if not re.match(r'src/kinds/[^/]+/probe\.c$', f):
            continue
        seen = closure(f)
        bad = [(h, 'includes ' + chain(seen, h)) for h in seen if h.startswith('src/ui/')]
        bad += [(h, 'includes <%s> through %s' % (s, chain(seen, h))) for h in seen for s in system[h]
                if CURSES.match(s)]
        if bad:
            out.append(('probe-curses', f, bad[0][1]))

    for check, f, what in out:
        print('%s\t%s\t%s' % (check, f, what))


if __name__ == '__main__':
    main()
