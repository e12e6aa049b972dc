#!/usr/bin/env bash
# CI smoke test of Kestrel's fuzz targets (see fuzz/README.md).
#
# Builds the targets with cargo-fuzz (installing it if missing), seeds the
# corpora, runs each target for a bounded time and fails (exit non-zero) on
# any crash, panic, mismatch, timeout or out-of-memory. Prints the executions
# of each target at the end.
#
#   bash fuzz/smoke.sh                    # 60 s per target
#   FUZZ_SMOKE_SECS=10 bash fuzz/smoke.sh # shorter
#
# Needs the nightly toolchain (`cargo +nightly`). A crash leaves its input in
# fuzz/artifacts/<target>/ (and, for a differential mismatch, the module as
# mismatch-<sha256>.wasm); the log of each run is in fuzz/target/smoke/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
FUZZ_DIR=$(pwd)
SECS=${FUZZ_SMOKE_SECS:-60}
TARGETS=(parse translate differential wasi)
LOG_DIR="$FUZZ_DIR/target/smoke"

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz smoke: the nightly toolchain is required (cargo +nightly)" >&2
    exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# One build of every target (and of the seed_corpus binary, which cargo-fuzz
# builds alongside them with the same flags, so nothing is built twice).
echo "fuzz smoke: building the fuzz targets"
cargo +nightly fuzz build

HOST=$(rustc +nightly -vV | sed -n 's/^host: //p')
"$FUZZ_DIR/target/$HOST/release/seed_corpus" "$FUZZ_DIR/corpus"

mkdir -p "$LOG_DIR"
declare -A EXECS RATE STATUS
failed=0
for target in "${TARGETS[@]}"; do
    log="$LOG_DIR/$target.log"
    echo "fuzz smoke: running $target for ${SECS}s (log: $log)"
    # -timeout: one input running 30 s is a hang (for example a Kestrel loop
    # that never ends), reported as a crash.
    if cargo +nightly fuzz run "$target" -- \
        -max_total_time="$SECS" -timeout=30 -print_final_stats=1 >"$log" 2>&1; then
        STATUS[$target]=ok
    else
        STATUS[$target]=FAILED
        failed=1
        echo "fuzz smoke: $target FAILED; end of its log:" >&2
        # The report (panic message, mismatch, reproducer paths) is near the
        # end; the recommended dictionary that libFuzzer prints is not.
        grep -v '# Uses:' "$log" | tail -n 80 >&2 || true
    fi
    EXECS[$target]=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    RATE[$target]=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
done

echo
echo "fuzz smoke: ${SECS}s per target"
printf '%-14s %-8s %12s %10s\n' target status executions exec/s
for target in "${TARGETS[@]}"; do
    printf '%-14s %-8s %12s %10s\n' "$target" "${STATUS[$target]}" \
        "${EXECS[$target]:-?}" "${RATE[$target]:-?}"
done
if [ "$failed" -ne 0 ]; then
    echo "fuzz smoke: FAILED (inputs in $FUZZ_DIR/artifacts/)" >&2
    exit 1
fi
echo "fuzz smoke: all targets ran without a crash"
