#!/usr/bin/env bash
# Measures the Cortex-M4F firmware (mps2-an386): flash and static RAM by
# crate, heap and stack at run time. Builds it at opt-level "s" and "3",
# each with the translator (Wasm binaries in flash) and with the
# `precompiled` feature (bytecode images, no translator, no wasmparser), runs
# every build under QEMU, and prints Markdown tables (footprint.py explains
# how bytes are attributed to crates).
#
#   bash examples/firmware/footprint.sh            # tables on stdout
#
# Builds go to target/footprint-O{s,3} with v0 symbol mangling, whose
# demangled names keep the type arguments of generic code, so code that
# Rust's libraries instantiate for Kestrel's types counts as Kestrel's.
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never

source ./setup.sh >&2
rustup component add llvm-tools >&2

out=target/footprint
mkdir -p "$out"
rm -f "$out"/*.elf "$out"/*.log

for level in s 3; do
    for variant in translate precompiled; do
        features=()
        if [ "$variant" = precompiled ]; then
            features=(--no-default-features --features precompiled)
        fi
        echo "--- footprint: $variant, opt-level \"$level\"" >&2
        CARGO_PROFILE_RELEASE_OPT_LEVEL=$level \
        RUSTFLAGS="-C symbol-mangling-version=v0" \
            cargo build --release -p kestrel-fw-an386 --target thumbv7em-none-eabihf \
            --target-dir "target/footprint-O$level" "${features[@]}" >&2
        elf="$out/$variant-O$level.elf"
        cp "target/footprint-O$level/thumbv7em-none-eabihf/release/kestrel-fw-an386" "$elf"
        status=0
        timeout 60 qemu-system-arm -M mps2-an386 -nographic -monitor none \
            -semihosting-config enable=on,target=native -kernel "$elf" </dev/null \
            | tr -d '\r' >"$out/$variant-O$level.log" || status=$?
        if ! grep -q '^-- done: every check passed' "$out/$variant-O$level.log"; then
            cat "$out/$variant-O$level.log" >&2
            echo "FAILED: the $variant build at opt-level $level did not pass its checks" >&2
            exit 1
        fi
    done
done

echo "## Kestrel firmware footprint: Cortex-M4F (mps2-an386, thumbv7em-none-eabihf)"
echo
echo "Measured $(date -u +%Y-%m-%d) with $(rustc --version); $(qemu-system-arm --version | head -1)."
echo
python3 footprint.py "$out"
