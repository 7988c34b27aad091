#!/usr/bin/env bash
# Scale measurements of the release binary on a synthetic fleet (examples/fleet.rs):
#   validate of N campaigns in N/100 files (N = 1k, 10k, 50k): wall time and peak RSS;
#   plan of N manifests against N remote campaigns on a local emulator, N = 1k, 10k, 50k.
# Each figure is the median of RUNS runs (default 5). Usage: scripts/bench-scale.sh [RUNS]
# Targets (issue 5): validate 10k < 1 s and < 100 MB; plan 10k vs 10k < 2 s without network.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
RUNS="${1:-5}"

cargo build --release --quiet --bin campaignctl --example fleet
# CAMPAIGNCTL_BIN measures another build, e.g. one saved from before a change.
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
FLEET=target/release/examples/fleet
WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs "$@" once; prints "WALL_SECONDS PEAK_RSS_KB".
measure() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr" \
            || { echo "failed: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
        cat "$WORK/time"
    else
        # Without GNU time: wall time from bash, peak RSS from /proc while it runs.
        local start end peak=0 rss
        start=$(date +%s.%N)
        "$@" >/dev/null 2>"$WORK/stderr" &
        local pid=$!
        while kill -0 "$pid" 2>/dev/null; do
            rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
            [ "${rss:-0}" -gt "$peak" ] && peak=$rss
            sleep 0.01
        done
        wait "$pid" || { echo "failed: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
        end=$(date +%s.%N)
        echo "$(echo "$end - $start" | bc) $peak"
    fi
}

# Prints "median_wall_s max_peak_mb" over RUNS runs of "$@".
repeat() {
    : >"$WORK/runs"
    for _ in $(seq "$RUNS"); do measure "$@" >>"$WORK/runs"; done
    local wall peak
    wall=$(cut -d' ' -f1 "$WORK/runs" | median)
    peak=$(cut -d' ' -f2 "$WORK/runs" | sort -n | tail -1)
    echo "$wall $(awk -v kb="$peak" 'BEGIN {printf "%.1f", kb / 1024}')"
}

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "median of $RUNS runs each"
echo

echo "validate N campaigns in N/100 files (target at 10000: < 1 s, < 100 MB):"
for n in 1000 10000 50000; do
    "$FLEET" manifests "$WORK/validate-$n" "$n" $(((n + 99) / 100))
    read -r wall mb < <(repeat "$BIN" validate "$WORK/validate-$n")
    echo "  N=$n: ${wall} s, peak RSS ${mb} MB"
done
echo

start_emulator() {
    # A fresh file per run: reading a stale one would find the previous emulator's address.
    rm -f "$WORK/emulator.out"
    "$BIN" emulator --listen 127.0.0.1:0 --token bench --seed "$1" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMULATOR_PID=$!
    URL=$(listening "$WORK/emulator.out")
    [ -n "$URL" ] && return 0
    echo "the emulator did not start:" >&2
    cat "$WORK/emulator.err" >&2
    exit 1
}

echo "plan N manifests against N remote campaigns (local emulator, loopback network included):"
for n in 1000 10000 50000; do
    "$FLEET" manifests "$WORK/plan-$n" "$n" $(((n + 99) / 100))
    "$FLEET" seed "$WORK/seed-$n.json" "$n" $((n * 2))
    start_emulator "$WORK/seed-$n.json"
    read -r wall mb < <(CAMPAIGNCTL_API_URL="$URL" CAMPAIGNCTL_API_TOKEN=bench \
        repeat "$BIN" plan --format json "$WORK/plan-$n")
    echo "  N=$n: ${wall} s, peak RSS ${mb} MB (client only)"
    kill "$EMULATOR_PID"
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
done
