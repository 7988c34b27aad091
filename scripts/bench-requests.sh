#!/usr/bin/env bash
# API cost: how many requests a re-plan, a `watch` pass with nothing to do, and a plan narrowed
# to one campaign send, for N campaigns with L leads each, counted by the emulator
# (`/_emulator/stats`). Request counts do not depend on the machine or its load.
# Usage: scripts/bench-requests.sh ["N:L N:L ..."]   (default "100:3 300:3 1000:3 300:0 300:30 50:250")
# Bound checked (issue 13): a re-plan of 300 x 3 in at most 15 requests; a watch pass with
# nothing changed in at most 3 + max(1, ceil(N*L / 100)) (its lead gauges read a page even of
# an account without leads).
set -euo pipefail
cd "$(dirname "$0")/.."
CASES="${1:-100:3 300:3 1000:3 300:0 300:30 50:250}"

# CAMPAIGNCTL_BIN measures another build (one saved from before a change, or the debug
# build: request counts do not depend on the build); else the release build is made.
if [ -z "${CAMPAIGNCTL_BIN:-}" ]; then cargo build --release --quiet --bin campaignctl; fi
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
WORK="$(mktemp -d)"
EMULATOR_PID=""
WATCH_PID=""
cleanup() {
    if [ -n "$WATCH_PID" ]; then kill "$WATCH_PID" 2>/dev/null || true; fi
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

source scripts/lib.sh

# N campaigns in one file, each with L inline leads (numbers unique across the fleet).
manifests() {
    local n=$1 l=$2 dir=$3
    mkdir -p "$dir"
    awk -v n="$n" -v l="$l" 'BEGIN {
        for (i = 0; i < n; i++) {
            if (i > 0) print "---"
            printf "kind: Campaign\nname: Fleet %05d\nassistant_id: 7\ntimezone: UTC\n", i
            print "allowed_hours_start_time: \"09:00\"\nallowed_hours_end_time: \"17:00\""
            if (l > 0) print "leads:\n  items:"
            for (j = 0; j < l; j++) printf "    - { phone_number: \"+1415%07d\" }\n", i * 1000 + j
        }
    }' >"$dir/fleet.yaml"
}

requests() { curl -fsS "$ADDR/_emulator/stats" | jq .requests; }

echo "machine: $(nproc) cores, $(uname -sr); binary: $BIN"
printf '%-9s %-6s %-7s | %-7s %-11s %-16s %-9s\n' \
    campaigns leads total re-plan watch-pass "bound 3+ceil/100" "--target 1"
status=0
for case in $CASES; do
    N="${case%%:*}" L="${case##*:}"
    rm -rf "$WORK/campaigns" "$WORK/emulator.out"
    manifests "$N" "$L" "$WORK/campaigns"
    "$BIN" emulator --listen 127.0.0.1:0 --token bench --campaign-limit $((N * 2 + 10)) \
        >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMULATOR_PID=$!
    URL=$(listening "$WORK/emulator.out")
    [ -n "$URL" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.err" >&2; exit 1; }
    ADDR="${URL%/api}"
    export CAMPAIGNCTL_API_URL="$URL" CAMPAIGNCTL_API_TOKEN=bench

    # Setup: the platform holds the fleet and its leads.
    "$BIN" apply --auto-approve --parallelism 16 --format json "$WORK/campaigns" >"$WORK/apply.json" \
        || { echo "setup apply failed:" >&2; head -c 2000 "$WORK/apply.json" >&2; exit 1; }

    before=$(requests)
    "$BIN" plan --format json "$WORK/campaigns" >"$WORK/plan.json"
    replan=$(($(requests) - before))
    unchanged=$(jq .summary.unchanged "$WORK/plan.json")
    [ "$unchanged" -eq "$N" ] || { echo "re-plan: $unchanged of $N unchanged" >&2; exit 1; }

    before=$(requests)
    "$BIN" plan --format json --target "Fleet 00000" "$WORK/campaigns" >/dev/null
    target=$(($(requests) - before))

    # One watch pass: it is done when /readyz answers 200.
    before=$(requests)
    rm -f "$WORK/watch.out"
    "$BIN" watch "$WORK/campaigns" --listen 127.0.0.1:0 --interval 1h \
        >"$WORK/watch.out" 2>"$WORK/watch.err" &
    WATCH_PID=$!
    WATCH_URL=$(listening "$WORK/watch.out")
    [ -n "$WATCH_URL" ] || { echo "watch did not start:" >&2; cat "$WORK/watch.err" >&2; exit 1; }
    for _ in $(seq 600); do
        curl -fsS -o /dev/null "$WATCH_URL/readyz" 2>/dev/null && break
        sleep 0.05
    done
    curl -fsS -o /dev/null "$WATCH_URL/readyz" || { echo "watch pass did not succeed:" >&2; tail "$WORK/watch.err" >&2; exit 1; }
    watch=$(($(requests) - before))
    kill "$WATCH_PID"
    wait "$WATCH_PID" 2>/dev/null || true
    WATCH_PID=""

    leads=$((N * L))
    # The daemon serves /metrics, so its first pass reads every lead of the account for the
    # lead gauges (docs/watch.md, "Per-campaign metrics") and plans from them: at least one page.
    pages=$(((leads + 99) / 100))
    bound=$((3 + (pages > 1 ? pages : 1)))
    printf '%-9s %-6s %-7s | %-7s %-11s %-16s %-9s\n' "$N" "$L" "$leads" "$replan" "$watch" "$bound" "$target"
    if [ "$watch" -gt "$bound" ]; then
        echo "FAIL: the watch pass sent $watch requests, more than 3 + max(1, ceil($leads / 100)) = $bound" >&2
        status=1
    fi
    if [ "$N" -eq 300 ] && [ "$L" -eq 3 ] && [ "$replan" -gt 15 ]; then
        echo "FAIL: the re-plan of 300 x 3 sent $replan requests, more than 15" >&2
        status=1
    fi

    kill "$EMULATOR_PID"
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
done
exit "$status"
