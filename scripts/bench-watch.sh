#!/usr/bin/env bash
# What an idle `watch` pass costs: N campaigns in N/100 files, all in sync with a local
# emulator, watched with nothing changing. Reports the daemon's CPU per pass (utime + stime
# from /proc/PID/stat, children included, over windows of WINDOW passes) and its resident memory (VmRSS) after
# each window, so a copy that grows pass after pass shows as a rising column. Each window's
# line also gives the wall-clock minute, so an hour-long run (PASSES large) shows memory over time.
# Usage: scripts/bench-watch.sh [N] [PASSES] [WINDOW]   (default 10000 200 20)
# Goal (issue 20): an idle pass over 10,000 campaigns <= 50 ms of CPU, memory flat.
# The passes run back to back through the hidden `--bench-interval` (the product's interval
# is at least 10 s); a build without that flag is measured at `--interval 10s`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
N="${1:-10000}"
PASSES="${2:-200}"
WINDOW="${3:-20}"

# CAMPAIGNCTL_BIN measures another build (one saved from before a change).
if [ -z "${CAMPAIGNCTL_BIN:-}" ]; then cargo build --release --quiet --bin campaignctl; fi
# The fleet writer, built unless a build of it is at hand.
[ -x target/release/examples/fleet ] && [ -n "${CAMPAIGNCTL_BIN:-}" ] \
    || cargo build --release --quiet --example fleet
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
FLEET=target/release/examples/fleet
WORK="$(mktemp -d)"
EMULATOR_PID=""
WATCH_PID=""
cleanup() {
    if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null || true; fi
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

"$FLEET" manifests "$WORK/campaigns" "$N" $(((N + 99) / 100))
"$FLEET" seed "$WORK/drifted.json" "$N" $((N * 2))
# The fleet's seed has every tenth campaign drifted and stopped (for plans that show drift);
# here all are in sync, as the manifests say, so a pass has nothing to do or to warn about.
jq '.campaigns |= [to_entries[] | .value + (if .key % 10 == 9
    then {max_retries: (1 + .key % 5), status: "draft"} else {} end)]' \
    "$WORK/drifted.json" >"$WORK/seed.json"
"$BIN" emulator --listen 127.0.0.1:0 --token bench --seed "$WORK/seed.json" \
    >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMULATOR_PID=$!
URL=$(listening "$WORK/emulator.out")
[ -n "$URL" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.err" >&2; exit 1; }

if "$BIN" watch --bench-interval 1s --help >/dev/null 2>&1; then
    PACE=(--bench-interval "${BENCH_INTERVAL:-100ms}")
else
    PACE=(--interval 10s)
fi
CAMPAIGNCTL_API_URL="$URL" CAMPAIGNCTL_API_TOKEN=bench \
    "$BIN" watch "$WORK/campaigns" --listen 127.0.0.1:0 "${PACE[@]}" \
    >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
WATCH_URL=$(listening "$WORK/watch.out")
[ -n "$WATCH_URL" ] || { echo "watch did not start:" >&2; cat "$WORK/watch.err" >&2; exit 1; }

# Passes are counted from the daemon's log (one line per pass), not from /metrics: encoding
# 110,000 campaign series for every read would cost the daemon more CPU than the pass measured.
passes() {
    grep -c -E 'outcome="?success"? trigger=' "$WORK/watch.err" || true
}
# Waits until at least $1 successful passes; fails if a pass did not succeed.
wait_passes() {
    while :; do
        local p
        p=$(passes)
        [ -n "$p" ] && [ "${p%.*}" -ge "$1" ] && { echo "${p%.*}"; return; }
        kill -0 "$WATCH_PID" 2>/dev/null || { echo "watch exited:" >&2; tail "$WORK/watch.err" >&2; exit 1; }
        if grep -q 'outcome="\(failed\|invalid\)"' "$WORK/watch.err"; then
            echo "a pass did not succeed:" >&2; grep -m3 'outcome="\(failed\|invalid\)"' "$WORK/watch.err" >&2; exit 1
        fi
        sleep 0.2
    done
}
# utime + stime, and those of the children it waited for (`git`, if any).
cpu_ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$WATCH_PID/stat"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$WATCH_PID/status"; }
TCK=$(getconf CLK_TCK)

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $BIN; $N campaigns in $(((N + 99) / 100)) files, all in sync; pace: ${PACE[*]}"
# The first pass loads cold and records every campaign; the second is the first idle one.
p=$(wait_passes 2)
echo "after the start pass and one idle pass: RSS $(rss_mb) MB"
printf '%-13s %-8s %-16s %-8s\n' passes minute "CPU ms per pass" "RSS MB"
START=$(date +%s)
: >"$WORK/windows"
done_passes=0
while [ "$done_passes" -lt "$PASSES" ]; do
    c0=$(cpu_ticks)
    p0=$(passes)
    p1=$(wait_passes $((${p0%.*} + WINDOW)))
    c1=$(cpu_ticks)
    n=$((p1 - ${p0%.*}))
    ms=$(awk -v c="$((c1 - c0))" -v n="$n" -v t="$TCK" 'BEGIN {printf "%.1f", c * 1000 / t / n}')
    echo "$ms" >>"$WORK/windows"
    done_passes=$((done_passes + n))
    printf '%-13s %-8s %-16s %-8s\n' "$((${p0%.*} + 1))-$p1" "$((($(date +%s) - START) / 60))" "$ms" "$(rss_mb)"
done
median=$(sort -n "$WORK/windows" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "median CPU per idle pass over $done_passes passes: $median ms; final RSS $(rss_mb) MB"
