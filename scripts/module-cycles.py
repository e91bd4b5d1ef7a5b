"""Fails when the modules of a crate import each other in a cycle.

    python3 scripts/module-cycles.py SRC_DIR [top|file]

Reads every `crate::` and `super::` path of the non-test code under SRC_DIR, builds the
graph of which module uses which (`top`: by top-level module, `file`: by file), prints it
and its strongly connected components, and exits 1 when one has more than one module.
A layered crate keeps its dependencies pointing one way; a cycle is where that broke.
"""
import os, re, sys, itertools
root = sys.argv[1]
level = sys.argv[2] if len(sys.argv) > 2 else 'top'
mods = {}
for dp, dn, fn in os.walk(root):
    for f in fn:
        if not f.endswith('.rs'): continue
        p = os.path.join(dp, f)
        rel = os.path.relpath(p, root)[:-3].replace(os.sep, '::')
        rel = re.sub(r'(::)?(mod|lib|main)$', '', rel)
        mods[rel or 'crate'] = p
def key(m):
    if level == 'top': return m.split('::')[0] if m else 'crate'
    return m
edges = {}
for m, p in mods.items():
    src = open(p).read()
    # drop comments and doc comments, and #[cfg(test)] mod tests blocks (roughly: from '#[cfg(test)]\nmod tests' to end)
    src = re.sub(r'#\[cfg\(test\)\]\s*mod tests \{.*', '', src, flags=re.S)
    src = '\n'.join(l for l in src.split('\n') if not l.strip().startswith('//'))
    targets = set()
    for t in re.findall(r'\bcrate::([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)', src):
        parts = t.split('::')
        # longest prefix that is a module
        for i in range(len(parts), 0, -1):
            cand = '::'.join(parts[:i])
            if cand in mods: targets.add(cand); break
    # super:: references
    for t in re.findall(r'\bsuper::([a-z_][a-z0-9_]*)', src):
        parent = m.rsplit('::', 1)[0] if '::' in m else ''
        # file module 'a::b' -> super is 'a'; target super::x = a::x
        base = parent
        cand = (base + '::' + t) if base else t
        if cand in mods: targets.add(cand)
    a = key(m)
    for t in targets:
        b = key(t)
        if a != b: edges.setdefault(a, set()).add(b)
# find cycles (Tarjan SCC)
index = {}; low = {}; stack = []; on = set(); sccs = []; c = [0]
def strong(v):
    index[v] = low[v] = c[0]; c[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v: break
        if len(comp) > 1: sccs.append(comp)
sys.setrecursionlimit(10000)
for v in list(edges): 
    if v not in index: strong(v)
for k in sorted(edges): print(k, '->', ', '.join(sorted(edges[k])))
print('CYCLES:', sccs if sccs else 'none')
sys.exit(1 if sccs else 0)
