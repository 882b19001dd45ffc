#!/usr/bin/env python3
"""Fails if two modules of a crate import each other (directly or around a longer cycle).

For every file module of every crate given (a folder with Cargo.toml and src/lib.rs or
src/main.rs), it reads the `use` declarations and the `crate::`/`super::`/`self::` paths in the
code (comments and the `#[cfg(test)]` tail of each file left out), resolves each path to the
module that defines the item (following `pub use` re-exports), and draws an edge from the
importing module to that module. A re-export is an edge too. Any cycle in that graph fails,
with the modules and the lines that close it.

Usage: scripts/module_cycles.py CRATE_DIR...
"""
import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for line in text.split("\n"):
        # Keep string contents simple: drop `//` comments outside strings (good enough here).
        cut = None
        in_str = False
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            if not in_str and line.startswith("//", i):
                cut = i
                break
            i += 1
        out.append(line if cut is None else line[:cut])
    return "\n".join(out)


def code_part(text):
    """The file without its test module (by convention the tail from `#[cfg(test)]`)."""
    m = re.search(r"^#\[cfg\(test\)\]\s*\n(#\[[^\n]*\]\s*\n)*(pub(\([a-z]+\))?\s+)?mod ", text, flags=re.M)
    return text[: m.start()] if m else text


def expand_tree(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e'] (`as` renames dropped)."""
    tree = re.sub(r"\s+as\s+" + IDENT, "", tree)
    tree = re.sub(r"\s+", "", tree)

    def go(prefix, t):
        if "{" not in t:
            return [prefix + t]
        head, rest = t.split("{", 1)
        body = rest[: rest.rfind("}")]
        parts, depth, cur = [], 0, ""
        for ch in body:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        out = []
        for p in parts:
            if p == "self":
                out.append((prefix + head).rstrip(":"))
            elif p:
                out += go(prefix + head, p)
        return out

    return go("", tree)


class Crate:
    def __init__(self, root_dir):
        self.dir = root_dir
        src = os.path.join(root_dir, "src")
        root = os.path.join(src, "lib.rs")
        if not os.path.exists(root):
            root = os.path.join(src, "main.rs")
        self.files = {}  # module path tuple -> file
        self.walk((), root)
        self.texts = {m: code_part(strip_comments(open(f).read())) for m, f in self.files.items()}
        self.reexports = {m: self.find_reexports(m) for m in self.files}

    def walk(self, path, file):
        self.files[path] = file
        text = code_part(strip_comments(open(file).read()))
        base = os.path.dirname(file)
        stem = os.path.splitext(os.path.basename(file))[0]
        here = base if stem in ("lib", "main", "mod") else os.path.join(base, stem)
        for m in re.finditer(r"^\s*(?:pub(?:\([a-z]+\))?\s+)?mod\s+(" + IDENT + r")\s*;", text, re.M):
            name = m.group(1)
            for candidate in (os.path.join(here, name + ".rs"), os.path.join(here, name, "mod.rs")):
                if os.path.exists(candidate):
                    self.walk(path + (name,), candidate)
                    break

    def uses(self, module):
        """(path text, line) for every use declaration and inline crate/super/self path."""
        text = self.texts[module]
        found = []
        for m in re.finditer(r"^\s*(pub(?:\([a-z]+\))?\s+)?use\s+([^;]+);", text, re.M):
            line = text[: m.start()].count("\n") + 1
            for p in expand_tree(m.group(2)):
                found.append((p, line, bool(m.group(1))))
        body = re.sub(r"^\s*(pub(?:\([a-z]+\))?\s+)?use\s+[^;]+;", "", text, flags=re.M)
        for m in re.finditer(r"\b((?:crate|super|self)(?:::" + IDENT + r")+)", body):
            line = body[: m.start()].count("\n") + 1
            found.append((m.group(1), line, False))
        return found

    def find_reexports(self, module):
        out = {}
        text = self.texts[module]
        for m in re.finditer(r"^\s*pub(?:\([a-z]+\))?\s+use\s+([^;]+);", text, re.M):
            raw = m.group(1).strip()
            for p in expand_tree(m.group(1)):
                alias = re.search(r"\sas\s+(" + IDENT + r")$", raw) if "{" not in raw else None
                name = alias.group(1) if alias else p.split("::")[-1]
                out[name] = p
        return out

    def absolute(self, module, path):
        segs = path.split("::")
        if segs[0] == "crate":
            return list(segs[1:])
        cur = list(module)
        while segs and segs[0] in ("self", "super"):
            if segs[0] == "super":
                cur = cur[:-1]
            segs = segs[1:]
        if path.split("::")[0] in ("self", "super"):
            return cur + segs
        # A path relative to this module: a child module or a re-export, else external.
        if tuple(cur + segs[:1]) in self.files:
            return cur + segs
        return None

    def resolve(self, segs, depth=0):
        """The module defining the item at absolute path `segs`."""
        cur = ()
        i = 0
        while i < len(segs) and cur + (segs[i],) in self.files:
            cur = cur + (segs[i],)
            i += 1
        if i < len(segs) and depth < 20:
            target = self.reexports.get(cur, {}).get(segs[i])
            if target is not None:
                absolute = self.absolute(cur, target)
                if absolute is not None:
                    return self.resolve(absolute + segs[i + 1 :], depth + 1)
        return cur

    def edges(self):
        graph = {m: {} for m in self.files}
        for module in self.files:
            for path, line, _ in self.uses(module):
                absolute = self.absolute(module, path)
                if absolute is None:
                    continue
                target = self.resolve(absolute)
                if target != module and target in graph:
                    graph[module].setdefault(target, (path, line))
        return graph


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
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
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            strong(v)
    return out


def name(module):
    return "crate" + "".join("::" + s for s in module)


def main():
    failed = False
    total = 0
    for crate_dir in sys.argv[1:]:
        crate = Crate(crate_dir)
        graph = crate.edges()
        total += len(graph)
        for comp in cycles(graph):
            failed = True
            members = set(comp)
            print(f"{crate_dir}: modules import each other: {', '.join(sorted(name(m) for m in comp))}")
            for m in sorted(comp):
                for target, (path, line) in sorted(graph[m].items()):
                    if target in members:
                        print(f"  {crate.files[m]}:{line}: {name(m)} -> {name(target)} ({path})")
    if failed:
        sys.exit(1)
    print(f"module_cycles: {total} modules in {len(sys.argv) - 1} crates, no two import each other")


if __name__ == "__main__":
    main()
