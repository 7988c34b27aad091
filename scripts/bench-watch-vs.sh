#!/usr/bin/env bash
# Two builds' idle `watch` passes side by side: both daemons watch the same N campaigns (in N/100
# files, all in sync with one local emulator) at the same time, so they share the machine's
# load, and each one's CPU time over the same SECONDS (`perf stat -e task-clock -p PID`) is
# divided by the passes it made meanwhile. On a shared machine this is steadier than running
# `scripts/bench-watch.sh` for one build after the other.
# Usage: BASE_BIN=path/to/other/campaignctl scripts/bench-watch-vs.sh [N] [SECONDS]
#        (default 10000 15; CAMPAIGNCTL_BIN: the build measured against it, else this one's)
# Needs `perf`, `jq` and `curl`, and builds that know the hidden `--bench-interval`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
N="${1:-10000}"
SECONDS_MEASURED="${2:-15}"
: "${BASE_BIN:?set BASE_BIN to the build to compare with}"

if [ -z "${CAMPAIGNCTL_BIN:-}" ]; then cargo build --release --quiet --bin campaignctl; fi
[ -x target/release/examples/fleet ] || cargo build --release --quiet --example fleet
NEW_BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
FLEET=target/release/examples/fleet
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

"$FLEET" manifests "$WORK/campaigns" "$N" $(((N + 99) / 100))
"$FLEET" seed "$WORK/drifted.json" "$N" $((N * 2))
# As in bench-watch.sh: every campaign in sync, so a pass has nothing to do.
jq '.campaigns |= [to_entries[] | .value + (if .key % 10 == 9
    then {max_retries: (1 + .key % 5), status: "draft"} else {} end)]' \
    "$WORK/drifted.json" >"$WORK/seed.json"
"$NEW_BIN" emulator --listen 127.0.0.1:0 --token bench --seed "$WORK/seed.json" \
    >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
PIDS+=($!)
URL=$(listening "$WORK/emulator.out")
[ -n "$URL" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.err" >&2; exit 1; }

declare -A PID METRICS
for which in base new; do
    bin="$BASE_BIN"
    [ "$which" = new ] && bin="$NEW_BIN"
    CAMPAIGNCTL_API_URL="$URL" CAMPAIGNCTL_API_TOKEN=bench \
        "$bin" watch "$WORK/campaigns" --listen 127.0.0.1:0 --bench-interval 100ms \
        >"$WORK/watch-$which.out" 2>"$WORK/watch-$which.err" &
    PID[$which]=$!
    PIDS+=($!)
    METRICS[$which]=$(listening "$WORK/watch-$which.out")
    [ -n "${METRICS[$which]}" ] || { echo "watch ($which) did not start:" >&2; cat "$WORK/watch-$which.err" >&2; exit 1; }
done

passes() {
    curl -fsS "${METRICS[$1]}/metrics" \
        | awk '$1 == "campaignctl_passes_total{outcome=\"success\"}" {print int($2)}'
}
# Past the first pass of each (the cold load and the record of every campaign).
for which in base new; do
    until [ "$(passes "$which")" -ge 3 ] 2>/dev/null; do sleep 0.2; done
done

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$N campaigns in $(((N + 99) / 100)) files, all in sync; both daemons at once for ${SECONDS_MEASURED} s"
declare -A P0
for which in base new; do P0[$which]=$(passes "$which"); done
perf stat -e task-clock -p "${PID[base]}" -o "$WORK/stat-base" -- sleep "$SECONDS_MEASURED" &
STAT=$!
perf stat -e task-clock -p "${PID[new]}" -o "$WORK/stat-new" -- sleep "$SECONDS_MEASURED"
wait "$STAT"
echo
echo "| build | idle passes | CPU per idle pass | RSS at the end |"
echo "|---|---|---|---|"
for which in base new; do
    n=$(($(passes "$which") - P0[$which]))
    ms=$(awk '/task-clock/ {gsub(",", "", $1); print $1}' "$WORK/stat-$which")
    rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${PID[$which]}/status")
    bin="$BASE_BIN"
    [ "$which" = new ] && bin="$NEW_BIN"
    awk -v b="$bin" -v n="$n" -v ms="$ms" -v rss="$rss" \
        'BEGIN {printf "| %s | %d | %.1f ms | %s MB |\n", b, n, (n > 0 ? ms / n : 0), rss}'
done
