#!/usr/bin/env bash
# Builds Kestrel's firmware for every board, runs each under QEMU and checks
# its console output line by line and its exit status. `.ci/run` calls this;
# run it from anywhere. Fails loudly on any difference.
#
#   firmware (expected/*.txt)  crate folder    target                        QEMU machine
#   mps2-an386                 mps2-an386      thumbv7em-none-eabihf         mps2-an386 (Cortex-M4F)
#   mps2-an386-precompiled     mps2-an386      thumbv7em-none-eabihf         mps2-an386, feature `precompiled`
#   microbit                   microbit        thumbv6m-none-eabi            microbit (nRF51822, Cortex-M0)
#   riscv-virt                 qemu-virt-rv32  riscv32imac-unknown-none-elf  virt (RV32)
#
# The expected output of each is in expected/; lines starting with `# `
# are measurements (heap and stack high-water marks), which change with the
# compiler, so only their presence is checked. Every firmware must exit with
# 42, hello's `proc_exit` status (1: a check failed, 101: a panic, 102: a CPU
# fault, 124: QEMU timed out).
set -euo pipefail
cd "$(dirname "$0")"
export CARGO_TERM_COLOR=never
start=$SECONDS

step() { printf '\n--- firmware: %s\n' "$*"; }

step "tools"
source ./setup.sh
rustup component add rustfmt
qemu-system-arm --version | head -1
qemu-system-riscv32 --version | head -1

step "format"
cargo fmt -- --check

out=target/ci
mkdir -p "$out"

# build NAME PACKAGE TARGET [CARGO ARGS...]: a release build, copied to
# $out/NAME.elf (two builds of one package share the output path).
build() {
    local name=$1 package=$2 target=$3
    shift 3
    step "build $name"
    cargo build --release -p "$package" --target "$target" "$@"
    cp "target/$target/release/$package" "$out/$name.elf"
}

build mps2-an386 kestrel-fw-an386 thumbv7em-none-eabihf
build mps2-an386-precompiled kestrel-fw-an386 thumbv7em-none-eabihf --no-default-features --features precompiled
build microbit kestrel-fw-microbit thumbv6m-none-eabi
build riscv-virt kestrel-fw-virt-rv32 riscv32imac-unknown-none-elf

failed=0
# check NAME QEMU ARGS...: runs $out/NAME.elf, compares with expected/NAME.txt.
check() {
    local name=$1
    shift
    step "run $name"
    local status=0
    timeout 60 "$@" -nographic -monitor none -kernel "$out/$name.elf" </dev/null \
        >"$out/$name.raw" || status=$?
    tr -d '\r' <"$out/$name.raw" >"$out/$name.log"
    cat "$out/$name.log"
    local problems=()
    if [ "$status" != 42 ]; then
        problems+=("exit status $status, expected 42")
    fi
    if ! diff -u "expected/$name.txt" <(grep -v '^# ' "$out/$name.log") >"$out/$name.diff"; then
        problems+=("console output differs from expected/$name.txt:")
    fi
    local measured
    measured=$(grep -cE '^# (board|hello|compute|recursion): ' "$out/$name.log" || true)
    if [ "$measured" != 4 ]; then
        problems+=("$measured measurement lines, expected 4")
    fi
    if [ ${#problems[@]} = 0 ]; then
        echo "ok: $name: output as expected, exit status 42"
    else
        failed=1
        for p in "${problems[@]}"; do echo "FAILED: $name: $p"; done
        cat "$out/$name.diff"
    fi
}

semihosting=(-semihosting-config enable=on,target=native)
check mps2-an386 qemu-system-arm -M mps2-an386 "${semihosting[@]}"
check mps2-an386-precompiled qemu-system-arm -M mps2-an386 "${semihosting[@]}"
check microbit qemu-system-arm -M microbit "${semihosting[@]}"
check riscv-virt qemu-system-riscv32 -M virt -bios none

step "done in $((SECONDS - start)) s"
if [ "$failed" != 0 ]; then
    echo "FAILED: firmware (see above)"
    exit 1
fi
echo "firmware: 4 passed, 0 failed"
