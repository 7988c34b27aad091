#!/usr/bin/env bash
# The figures of docs/performance.md: `validate` and `plan` (text) of 10,000 campaigns in 100
# files (examples/fleet.rs), wall time and peak RSS of the whole process, median of RUNS runs:
#   validate                  the manifests alone
#   plan, all creates         against an empty account (local emulator, loopback)
#   plan, all unchanged       against an account holding all 10,000
#   plan in git, unchanged    the same, with the manifests committed in a git repository (the
#                             write-once fields are then compared with HEAD)
# Usage: scripts/bench-fleet.sh [RUNS=5]. CAMPAIGNCTL_BIN measures another build; BASE_BIN, if
# set, is measured too, run for run in turn with it, e.g. a release build of the main branch.
# Goals (issue 20): validate <= 100 ms and <= 25 MB; plan <= validate + 60 ms and <= 1.2x its
# memory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
RUNS="${1:-5}"
N=10000

cargo build --release --quiet --bin campaignctl --example fleet
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
BASE_BIN="${BASE_BIN:-}"
WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Runs "$@" once in directory $DIR; appends "WALL_SECONDS PEAK_RSS_KB" to file $OUT.
measure() {
    (cd "$DIR" && /usr/bin/time -f '%e %M' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/stderr") \
        || { echo "failed: $*" >&2; cat "$WORK/stderr" >&2; exit 1; }
    cat "$WORK/time" >>"$OUT"
}

# Prints one table row for "$@" (the binary is the first word, replaced by each measured one).
row() {
    local what="$1"
    shift
    : >"$WORK/new"
    : >"$WORK/base"
    for _ in $(seq "$RUNS"); do
        OUT="$WORK/new" measure "$BIN" "$@"
        if [ -n "$BASE_BIN" ]; then OUT="$WORK/base" measure "$BASE_BIN" "$@"; fi
    done
    summary() {
        local wall peak
        wall=$(cut -d' ' -f1 "$1" | median)
        peak=$(cut -d' ' -f2 "$1" | median)
        awk -v w="$wall" -v kb="$peak" 'BEGIN {printf "%4.0f ms %5.1f MB", w * 1000, kb / 1024}'
    }
    if [ -n "$BASE_BIN" ]; then
        printf '| %-28s | %s | %s |\n' "$what" "$(summary "$WORK/base")" "$(summary "$WORK/new")"
    else
        printf '| %-28s | %s |\n' "$what" "$(summary "$WORK/new")"
    fi
}

start_emulator() {
    rm -f "$WORK/emulator.out"
    "$BIN" emulator --listen 127.0.0.1:0 --token bench --seed "$1" >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMULATOR_PID=$!
    URL=$(listening "$WORK/emulator.out")
    [ -n "$URL" ] && return 0
    echo "the emulator did not start:" >&2
    cat "$WORK/emulator.err" >&2
    exit 1
}

stop_emulator() {
    kill "$EMULATOR_PID"
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
}

FLEET=target/release/examples/fleet
mkdir -p "$WORK/plain" "$WORK/repo"
"$FLEET" manifests "$WORK/plain/campaigns" "$N" 100
"$FLEET" manifests "$WORK/repo/campaigns" "$N" 100
git -C "$WORK/repo" init --quiet
git -C "$WORK/repo" add campaigns
git -C "$WORK/repo" -c user.name=bench -c user.email=bench@localhost commit --quiet -m fleet
"$FLEET" seed "$WORK/none.json" 0 $((N * 2))
"$FLEET" seed "$WORK/all.json" "$N" $((N * 2))

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$N campaigns in 100 files; median of $RUNS runs; wall time and peak RSS of the whole process"
echo
if [ -n "$BASE_BIN" ]; then
    echo "| command                      | $BASE_BIN | $BIN |"
    echo "|---|---|---|"
else
    echo "| command                      | $BIN |"
    echo "|---|---|"
fi
DIR="$WORK/plain" row "validate" validate campaigns
export CAMPAIGNCTL_API_TOKEN=bench
start_emulator "$WORK/none.json"
DIR="$WORK/plain" CAMPAIGNCTL_API_URL="$URL" row "plan, all creates" plan campaigns
stop_emulator
start_emulator "$WORK/all.json"
DIR="$WORK/plain" CAMPAIGNCTL_API_URL="$URL" row "plan, all unchanged" plan campaigns
DIR="$WORK/repo" CAMPAIGNCTL_API_URL="$URL" row "plan in git, all unchanged" plan campaigns
stop_emulator
