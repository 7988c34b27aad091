#!/usr/bin/env bash
# Several accounts applied at once: A accounts of N creates each, every account on its own
# emulator adding L ms to every request, at parallelism P. Times one
# `apply --auto-approve` over all accounts against one `apply --auto-approve --account NAME`
# per account, one after another (what a run over several accounts cost before it executed
# them at once). Each run uses fresh emulators. Prints each run and the medians.
# Usage: scripts/bench-accounts.sh [A=3] [N=40] [L=50] [P=4] [RUNS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
A="${1:-3}" N="${2:-40}" L="${3:-50}" P="${4:-4}" RUNS="${5:-5}"

cargo build --release --quiet --bin campaignctl --example fleet
# CAMPAIGNCTL_BIN measures another build, e.g. one saved from before a change.
BIN="$(realpath "${CAMPAIGNCTL_BIN:-target/release/campaignctl}")"
WORK="$(mktemp -d)"
PIDS=()
stop_emulators() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
cleanup() {
    stop_emulators
    rm -rf "$WORK"
}
trap cleanup EXIT

# A repository under $WORK/repo with accounts a1..aA, each with N campaigns and a fresh
# emulator; the config is written with their addresses.
setup() {
    rm -rf "$WORK/repo"
    mkdir -p "$WORK/repo"
    git -C "$WORK/repo" init -q
    echo "accounts:" >"$WORK/repo/campaignctl.yaml"
    for i in $(seq "$A"); do
        target/release/examples/fleet manifests "$WORK/repo/a$i" "$N" 1 >/dev/null
        rm -f "$WORK/emulator$i.out"
        "$BIN" emulator --listen 127.0.0.1:0 --token "bench$i" --latency "$L" \
            --campaign-limit $((N * 2)) >"$WORK/emulator$i.out" 2>/dev/null &
        PIDS+=($!)
        local url
        url=$(listening "$WORK/emulator$i.out")
        [ -n "$url" ] || { echo "emulator $i did not start" >&2; exit 1; }
        printf '  a%d:\n    api_url: %s\n    token_env: CAMPAIGNCTL_BENCH_TOKEN_%d\n    paths: [a%d]\n' \
            "$i" "$url" "$i" "$i" >>"$WORK/repo/campaignctl.yaml"
        export "CAMPAIGNCTL_BENCH_TOKEN_$i=bench$i"
    done
    chmod 600 "$WORK/repo/campaignctl.yaml"
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$A accounts x $N creates, --latency $L ms, --parallelism $P (wall time of the whole command(s))"
: >"$WORK/together" && : >"$WORK/apart"
for run in $(seq "$RUNS"); do
    setup
    start=$(now_ms)
    (cd "$WORK/repo" && "$BIN" apply --auto-approve --parallelism "$P" >"$WORK/apply.out" 2>&1) \
        || { echo "apply over all accounts failed:" >&2; tail -20 "$WORK/apply.out" >&2; exit 1; }
    together=$(($(now_ms) - start))
    stop_emulators

    setup
    start=$(now_ms)
    for i in $(seq "$A"); do
        (cd "$WORK/repo" && "$BIN" apply --auto-approve --parallelism "$P" --account "a$i" >"$WORK/apply.out" 2>&1) \
            || { echo "apply of account a$i failed:" >&2; tail -20 "$WORK/apply.out" >&2; exit 1; }
    done
    apart=$(($(now_ms) - start))
    stop_emulators

    echo "$together" >>"$WORK/together" && echo "$apart" >>"$WORK/apart"
    printf '  run %d: all accounts at once %5d ms; one account after another %5d ms\n' \
        "$run" "$together" "$apart"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'median: at once %d ms; one after another %d ms (%.2fx)\n' \
    "$(median "$WORK/together")" "$(median "$WORK/apart")" \
    "$(echo "$(median "$WORK/apart") / $(median "$WORK/together")" | bc -l)"
