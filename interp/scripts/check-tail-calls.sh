#!/usr/bin/env bash
# Checks the machine code of the tail-call backend (interp/src/exec/threaded.rs)
# in an optimised x86-64 build: every handler must reach the next op's handler
# by a jump, never by a call, or each executed op would take native stack.
# Handlers are loaded from the op stream, so a call to one is an indirect call
# through a register or a register-based address. The only indirect calls a
# handler may make are to libc through the GOT (RIP-relative) and, in the two
# grow handlers, to the embedder's resource limiter (a trait object).
# tests/tail_calls.rs shows the stack stays bounded for the ops it runs; this
# covers every handler, including those no test runs for long. Needs objdump
# (binutils). Run from the repository root.
set -euo pipefail

exe=$(cargo test --release -p kestrel-interp --features tail-call-dispatch \
    --test tail_calls --no-run 2>&1 | sed -n 's/.*Executable tests\/tail_calls.rs (\(.*\))/\1/p' | tail -n 1)
[ -n "$exe" ] || { echo "check-tail-calls: test binary not found" >&2; exit 1; }

objdump -d --no-show-raw-insn -C "$exe" | awk '
    /^[0-9a-f]+ <.*>:$/ {
        name = $0
        threaded = index(name, "kestrel_interp::exec::threaded::") > 0
        limiter = name ~ /threaded::control::(MemoryGrow|TableGrow)>/
        next
    }
    threaded && /jmp +\*%r[a-z0-9]+$/ { jumps[name] = 1 }
    threaded && /call +\*/ && !/\(%rip\)/ && !(limiter && /call +\*0x[0-9a-f]+\(%r[a-z0-9]+\)$/) {
        print "calls through a register: " name " " $0; bad++
    }
    END {
        n = 0; for (f in jumps) n++
        printf "check-tail-calls: %d functions of exec::threaded jump to the next handler; %d call one\n", n, bad + 0
        # Every op has a handler; far fewer than the op count means the
        # backend was not compiled in, or the pattern no longer matches.
        if (n < 300 || bad > 0) exit 1
    }'
