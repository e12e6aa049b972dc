#!/usr/bin/env python3
"""Footprint tables of the Kestrel firmware, for footprint.sh.

Reads the builds that footprint.sh left in a folder (an ELF file and the
QEMU console log per build, named `<variant>-O<level>.elf` / `.log`) and
prints Markdown tables:

1. flash and static RAM: the sections of the whole firmware, and the part of
   `.text`, `.rodata`, `.data` and `.bss` that belongs to Kestrel (the crates
   kestrel-core, kestrel-interp, kestrel-wasi and their libm), to wasmparser,
   to Rust's own libraries (core, alloc, compiler_builtins) and to the
   firmware (board crates, cortex-m, the allocator, the guest programs);
2. RAM at run time, per guest: the heap high-water mark (the linear memory
   included), the linear memory, the stack high-water mark, and what a board
   needs beyond the linear memory (heap peak - linear memory + stack peak);
3. the largest Kestrel and wasmparser symbols, to show what the flash goes to.

How bytes are attributed. Named symbols by their demangled (v0) path: the
crate of the path, or for code of a generic library function instantiated
for a crate's type (`alloc::vec::Vec<kestrel_core::...>::push`) that crate.
Anonymous constants (`.Lanon.*`: string literals, panic locations, tables)
have no name, so they take the owner of the code that loads their address
(literal pools and movw/movt pairs in the disassembly) or of the constant
that points to them; constants left over take the majority owner of their
compilation unit (the hash in `.Lanon.<hash>.<n>`). Bytes in no symbol
(alignment padding) are "unattributed". Code that LTO inlined into another
crate's function counts for that crate: Kestrel code inlined into the
firmware's runner counts as firmware.
"""

import bisect
import collections
import os
import re
import struct
import subprocess
import sys

KESTREL = {"kestrel_core", "kestrel_interp", "kestrel_wasi", "libm"}
WASMPARSER = {"wasmparser", "bitflags"}
RUST = {"core", "alloc", "compiler_builtins", "std", "__rustc"}
CLASSES = ["Kestrel", "wasmparser", "Rust core/alloc", "firmware"]
SECTIONS = [".text", ".rodata", ".data", ".bss"]

TOOLS = os.environ.get("LLVM_TOOLS", "")


def tool(name):
    return os.path.join(TOOLS, name) if TOOLS else name


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


# ---------------------------------------------------------------- ELF reading


class Elf:
    """Just enough of a 32-bit little-endian ELF: section headers and bytes."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 1 or d[5] != 1:
            raise SystemExit(f"{path}: not a 32-bit little-endian ELF")
        shoff, = struct.unpack_from("<I", d, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", d, 0x2E)
        raw = [struct.unpack_from("<IIIIIIIIII", d, shoff + i * shentsize) for i in range(shnum)]
        names = raw[shstrndx]
        self.sections = {}
        for s in raw:
            start = names[4] + s[0]
            name = d[start:d.index(b"\0", start)].decode()
            # name -> (type, addr, offset, size)
            self.sections[name] = (s[1], s[3], s[4], s[5])

    def size(self, name):
        return self.sections.get(name, (0, 0, 0, 0))[3]

    def words(self, name):
        """(address, 32-bit value) of every aligned word of a section."""
        typ, addr, off, size = self.sections.get(name, (0, 0, 0, 0))
        if typ == 8:  # NOBITS
            return
        for i in range(0, size - 3, 4):
            yield addr + i, struct.unpack_from("<I", self.data, off + i)[0]


# ------------------------------------------------------------ classification

# The first segment of every path in a demangled name: an identifier followed
# by `::` (and maybe a v0 crate disambiguator) that does not itself follow `::`.
TOKEN = re.compile(r"(?<![\w:\]])([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::")
BUILTIN = re.compile(r"^(__aeabi_|__gnu_|__(u|)(div|mod|mul)|mem(cpy|move|set|cmp)$|bcmp$|__[a-z]+[sdt]f[0-9]|__clz|__ctz|__popcount)")


def crate_class(crate):
    if crate in KESTREL:
        return "Kestrel"
    if crate in WASMPARSER:
        return "wasmparser"
    if crate in RUST:
        return "Rust core/alloc"
    return "firmware"


# A Kestrel path's crate and module: `kestrel_interp::exec`, `libm::math`.
KESTREL_MODULE = re.compile(r"(?<![\w:\]])(kestrel_core|kestrel_interp|kestrel_wasi|libm)(?:\[[0-9a-f]+\])?::(\w+)")


def classify(name):
    """The owner of a named symbol, from its demangled path: a class, or
    for Kestrel `Kestrel:<crate>::<module>`."""
    if "kestrel_firmware" in name and "guests" in name:
        return "guests"
    crates = TOKEN.findall(name)
    if not crates:
        # `<char>::escape_debug_ext`, `<str>::find`: methods of primitive
        # types; `memcpy`, `__aeabi_uldivmod`: compiler_builtins.
        if name.startswith("<") or BUILTIN.match(name):
            return "Rust core/alloc"
        return "firmware"
    for crate in crates:
        if crate not in RUST:
            cls = crate_class(crate)
            if cls == "Kestrel":
                m = KESTREL_MODULE.search(name)
                return f"Kestrel:{m.group(1)}::{m.group(2)}" if m else f"Kestrel:{crate}"
            return cls
    return "Rust core/alloc"


def coarse(owner):
    return "Kestrel" if owner.startswith("Kestrel:") else owner


def classify_mangled(name):
    """Owner of a `.Lswitch.table.<mangled>`-style local: by crate names in it."""
    for crate in sorted(KESTREL | WASMPARSER | {"kestrel_firmware"}):
        if crate in name:
            if crate == "kestrel_firmware":
                return "guests" if "guests" in name else "firmware"
            cls = crate_class(crate)
            return f"Kestrel:{crate}" if cls == "Kestrel" else cls
    return None


class Symbols:
    def __init__(self, elf_path):
        self.syms = []  # (addr, size, kind, name)
        for line in run(tool("llvm-nm"), "-S", "-C", "--defined-only", elf_path).splitlines():
            parts = line.split(None, 3)
            if len(parts) != 4:
                continue
            addr, size, kind, name = int(parts[0], 16), int(parts[1], 16), parts[2], parts[3]
            if kind in "tT":
                addr &= ~1  # Thumb bit
            self.syms.append((addr, size, kind, name))
        self.syms.sort()
        self.starts = [s[0] for s in self.syms]

    def at(self, addr):
        """Index of the symbol whose range holds addr, or None."""
        i = bisect.bisect_right(self.starts, addr) - 1
        # A few symbols may share a start address (aliases); look at them all.
        while i >= 0 and addr - self.syms[i][0] < 1 << 20:
            start, size = self.syms[i][0], self.syms[i][1]
            if start <= addr < start + size:
                return i
            if i > 0 and self.syms[i - 1][0] == start:
                i -= 1
                continue
            return None
        return None


def section_of(kind):
    return {"t": ".text", "r": ".rodata", "d": ".data", "b": ".bss"}.get(kind.lower())


# Output sections counted as each of the four reported ones (cortex-m-rt's
# vector table is code-side flash; riscv-rt and cortex-m-rt put
# uninitialised statics in .uninit).
GROUPS = {".vector_table": ".text", ".text": ".text", ".rodata": ".rodata",
          ".data": ".data", ".bss": ".bss", ".uninit": ".bss"}


def section_ranges(elf):
    return [(addr, addr + size, GROUPS[name]) for name, (typ, addr, off, size) in elf.sections.items()
            if name in GROUPS and size]


def section_at(ranges, addr, kind):
    for start, end, group in ranges:
        if start <= addr < end:
            return group
    return section_of(kind)


def references(dis, symbols):
    """For every function, the addresses its code loads: literal pool words
    and movw/movt pairs."""
    refs = collections.defaultdict(set)
    func = None
    movw = {}
    for line in dis.splitlines():
        m = re.match(r"^([0-9a-f]+) <", line)
        if m:
            func = symbols.at(int(m.group(1), 16))
            movw = {}
            continue
        if func is None:
            continue
        m = re.search(r"\.word\s+0x([0-9a-f]+)", line)
        if m:
            refs[func].add(int(m.group(1), 16))
            continue
        m = re.search(r"\bmovw\s+(\w+), #0x([0-9a-f]+)", line)
        if m:
            movw[m.group(1)] = int(m.group(2), 16)
            continue
        m = re.search(r"\bmovt\s+(\w+), #0x([0-9a-f]+)", line)
        if m and m.group(1) in movw:
            refs[func].add((int(m.group(2), 16) << 16) | movw.pop(m.group(1)))
    return refs


def attribute(elf_path):
    """Bytes per (class, section) and the symbol list with owners."""
    elf = Elf(elf_path)
    symbols = Symbols(elf_path)
    owner = {}
    anon = []
    for i, (addr, size, kind, name) in enumerate(symbols.syms):
        if name.startswith(".L") or name.startswith("$"):
            cls = classify_mangled(name) if name.startswith(".Lswitch") else None
            if cls:
                owner[i] = cls
            else:
                anon.append(i)
        else:
            owner[i] = classify(name)
            if owner[i] == "guests" and kind in "tT":
                owner[i] = "firmware"  # the loader's code; "guests" is data

    # Anonymous constants take the owner of what refers to them: code first,
    # then constants that point to them, until nothing changes.
    dis = run(tool("llvm-objdump"), "-d", "--no-show-raw-insn", elf_path)
    refs = []  # (referrer symbol, referenced address)
    for func, addrs in references(dis, symbols).items():
        refs.extend((func, a) for a in addrs)
    for section in (".rodata", ".data"):
        for addr, value in elf.words(section):
            i = symbols.at(addr)
            if i is not None:
                refs.append((i, value))
    edges = collections.defaultdict(set)  # referrer -> referenced symbols
    for i, a in refs:
        j = symbols.at(a)
        if j is not None and j != i:
            edges[i].add(j)
    votes = collections.defaultdict(collections.Counter)
    changed = True
    while changed:
        changed = False
        for i, targets in edges.items():
            if i not in owner:
                continue
            for j in targets:
                if j not in owner:
                    votes[j][owner[i]] += 1
        for j, count in list(votes.items()):
            if j not in owner:
                # The guests' bytes are referred to by the guest table and by
                # the loader's code; they are guest data all the same.
                owner[j] = "guests" if "guests" in count else count.most_common(1)[0][0]
                changed = True
        votes.clear()
    # Left over: the majority owner of the same compilation unit.
    unit = collections.defaultdict(collections.Counter)

    def unit_of(name):
        parts = name.split(".")
        return parts[2] if len(parts) > 3 and parts[1] == "Lanon" else None

    for i in anon:
        u = unit_of(symbols.syms[i][3])
        if u and i in owner:
            unit[u][owner[i]] += symbols.syms[i][1]
    for i in anon:
        u = unit_of(symbols.syms[i][3])
        if i not in owner and u and unit[u]:
            owner[i] = unit[u].most_common(1)[0][0]

    # Bytes of .rodata in no symbol at all: merged string literals. Each
    # address something refers to starts a piece that runs to the next such
    # address (or symbol); the piece takes its referrers' owner.
    gap_sizes = collections.defaultdict(int)
    _, ro_start, _, ro_size = elf.sections.get(".rodata", (0, 0, 0, 0))
    covered = sorted((a, a + size) for a, size, kind, _ in symbols.syms if size and ro_start <= a < ro_start + ro_size)
    gaps, cursor = [], ro_start
    for a, end in covered + [(ro_start + ro_size, ro_start + ro_size)]:
        if a > cursor:
            gaps.append((cursor, a))
        cursor = max(cursor, end)
    gap_starts = [g[0] for g in gaps]
    into = collections.defaultdict(collections.Counter)  # address -> owners
    for i, a in refs:
        k = bisect.bisect_right(gap_starts, a) - 1
        if k >= 0 and a < gaps[k][1] and i in owner:
            into[a][owner[i]] += 1
    for start, end in gaps:
        points = sorted(a for a in into if start <= a < end)
        for n, a in enumerate(points):
            piece_end = points[n + 1] if n + 1 < len(points) else end
            gap_sizes[into[a].most_common(1)[0][0]] += piece_end - a

    sizes = collections.defaultdict(int)
    for cls, n in gap_sizes.items():
        sizes[(coarse(cls), ".rodata")] += n
        if cls != coarse(cls):
            sizes[(cls, ".rodata")] += n
    ranges = section_ranges(elf)
    placed = []
    for i, (addr, size, kind, name) in enumerate(symbols.syms):
        section = section_at(ranges, addr, kind)
        placed.append(section)
        if section:
            fine = owner.get(i, "unattributed")
            sizes[(coarse(fine), section)] += size
            if fine != coarse(fine):
                sizes[(fine, section)] += size
    for section in SECTIONS:
        total = sum(elf.size(name) for name, group in GROUPS.items() if group == section)
        named = sum(v for (c, s), v in sizes.items() if s == section)
        sizes[("unattributed", section)] += max(total - named, 0)
        sizes[("total", section)] = total
    return sizes, [((a, size, placed[i] or "?", name), owner.get(i, "unattributed"))
                   for i, (a, size, kind, name) in enumerate(symbols.syms)]


# ------------------------------------------------------------------- reports


def kib(n):
    return f"{n / 1024:.1f}"


def measurements(log_path):
    """The `# guest: key=value ...` lines of a console log."""
    out = {}
    with open(log_path) as f:
        for line in f:
            m = re.match(r"^# (\w+): (.*)$", line.strip())
            if m:
                out[m.group(1)] = {k: int(v) for k, v in (kv.split("=") for kv in m.group(2).split())}
    return out


def main():
    folder = sys.argv[1]
    builds = sorted(f[:-4] for f in os.listdir(folder) if f.endswith(".elf"))
    order = {"translate": 0, "precompiled": 1}
    builds.sort(key=lambda b: (order.get(b.split("-O")[0], 9), b))
    results = {b: attribute(os.path.join(folder, b + ".elf")) for b in builds}

    print("### Flash and static RAM (bytes)\n")
    print("| build | opt-level | part | .text | .rodata | .data | .bss | flash (.text+.rodata+.data) |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for b in builds:
        variant, level = b.split("-O")
        sizes, _ = results[b]
        for part in ["total"] + CLASSES + ["guests", "unattributed"]:
            row = [sizes.get((part, s), 0) for s in SECTIONS]
            if part not in ("total", "Kestrel", "wasmparser") and not any(row):
                continue
            label = {"total": "**whole firmware**", "Kestrel": "**Kestrel**",
                     "guests": "guest programs", "firmware": "firmware, runtime, allocator"}.get(part, part)
            flash = row[0] + row[1] + row[2]
            print(f"| {variant} | \"{level}\" | {label} | " + " | ".join(str(v) for v in row) + f" | {flash} ({kib(flash)} KiB) |")
    print()

    print("### RAM at run time (bytes)\n")
    print("| build | opt-level | guest | heap peak | linear memory | stack peak | beyond linear memory (heap + stack) |")
    print("|---|---|---|---:|---:|---:|---:|")
    for b in builds:
        variant, level = b.split("-O")
        m = measurements(os.path.join(folder, b + ".log"))
        for guest in ("hello", "compute", "recursion"):
            g = m.get(guest)
            if not g:
                print(f"| {variant} | \"{level}\" | {guest} | missing | | | |")
                continue
            beyond = g["heap_peak"] - g["linear_memory"] + g["stack_peak"]
            print(f"| {variant} | \"{level}\" | {guest} | {g['heap_peak']} | {g['linear_memory']} | {g['stack_peak']} | {beyond} ({kib(beyond)} KiB) |")
    print()

    print("### Against the targets (opt-level \"s\")\n")
    for b in builds:
        variant, level = b.split("-O")
        if level != "s":
            continue
        sizes, _ = results[b]
        k = sum(sizes.get(("Kestrel", s), 0) for s in SECTIONS[:3])
        w = sum(sizes.get(("wasmparser", s), 0) for s in SECTIONS[:3])
        limit = 128 if variant == "translate" else 48
        verdict = lambda n: "met" if n <= limit * 1024 else f"missed by {kib(n - limit * 1024)} KiB"
        print(f"- {variant}: Kestrel {kib(k)} KiB of flash ({verdict(k)} for <= {limit} KiB); "
              f"with wasmparser {kib(k + w)} KiB ({verdict(k + w)})")
        m = measurements(os.path.join(folder, b + ".log"))
        for guest in ("hello", "compute"):
            g = m.get(guest)
            if g:
                beyond = g["heap_peak"] - g["linear_memory"] + g["stack_peak"]
                print(f"  - {guest}: {kib(beyond)} KiB of RAM beyond its linear memory "
                      f"({'met' if beyond <= 16 * 1024 else 'missed by ' + kib(beyond - 16 * 1024) + ' KiB'} for <= 16 KiB)")
    print()

    print("### Kestrel's flash by crate and module, opt-level \"s\" (bytes of .text + .rodata)\n")
    variants = [b for b in builds if b.endswith("-Os")]
    print("| crate::module | " + " | ".join(b.split("-O")[0] for b in variants) + " |")
    print("|---|" + "---:|" * len(variants))
    modules = collections.defaultdict(dict)
    for b in variants:
        for (part, section), n in results[b][0].items():
            if part.startswith("Kestrel:") and section in (".text", ".rodata"):
                modules[part[8:]][b] = modules[part[8:]].get(b, 0) + n
    crate_totals = collections.defaultdict(dict)
    for module, per in modules.items():
        crate = module.split("::")[0]
        for b, n in per.items():
            crate_totals[crate][b] = crate_totals[crate].get(b, 0) + n
    for crate in sorted(crate_totals):
        print(f"| **{crate}** | " + " | ".join(f"**{crate_totals[crate].get(b, 0)}**" for b in variants) + " |")
        for module in sorted(m for m in modules if m.split("::")[0] == crate):
            per = modules[module]
            if max(per.values()) < 512:
                continue
            print(f"| {module} | " + " | ".join(str(per.get(b, 0)) for b in variants) + " |")
    print("\n(Modules under 512 bytes in every build are left out of the list, not of the totals.)\n")

    top = int(os.environ.get("FOOTPRINT_TOP", "15"))
    for b in builds:
        variant, level = b.split("-O")
        if level != "s":
            continue
        _, syms = results[b]
        for part in ("Kestrel", "wasmparser", "Rust core/alloc"):
            rows = sorted(((s[1], s[3], s[2]) for s, o in syms if coarse(o) == part and s[2] in (".text", ".rodata")), reverse=True)
            if not rows:
                continue
            print(f"### Largest {part} symbols: {variant}, opt-level \"{level}\"\n")
            print("| bytes | section | symbol |")
            print("|---:|---|---|")
            for size, name, section in rows[:top if part != "Rust core/alloc" else 8]:
                name = name if len(name) <= 110 else name[:107] + "..."
                print(f"| {size} | {section} | `{name}` |")
            print()


if __name__ == "__main__":
    main()
