#!/usr/bin/env bash
# How long a re-plan takes that must read many pages of leads: C campaigns of L declared leads
# each, all on the platform already (so the account-wide lead list is read: C*L/100 pages),
# against a local emulator answering every request LATENCY ms late, and once more with the
# emulator's throttle (`--rate-limit`) on, which the client must ride out (429, Retry-After).
# Reports the median wall time of RUNS plans and the requests each sent.
# Usage: scripts/bench-lead-pages.sh [C] [L] [LATENCY_MS] [RUNS] [RATE]
#        (default 300 100 50 5 100/s: 300 pages)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
C="${1:-300}"
L="${2:-100}"
LATENCY="${3:-50}"
RUNS="${4:-5}"
RATE="${5:-100/s}"

# CAMPAIGNCTL_BIN measures another build (one saved from before a change). Request timing is
# dominated by the latency, so a debug build compares fairly with a debug build.
if [ -z "${CAMPAIGNCTL_BIN:-}" ]; then cargo build --release --quiet --bin campaignctl; fi
# The fleet writer, built unless a build of it is at hand.
[ -x target/release/examples/fleet ] && [ -n "${CAMPAIGNCTL_BIN:-}" ] \
    || cargo build --release --quiet --example fleet
BIN="${CAMPAIGNCTL_BIN:-target/release/campaignctl}"
WORK="$(mktemp -d)"
EMULATOR_PID=""
cleanup() {
    if [ -n "$EMULATOR_PID" ]; then kill "$EMULATOR_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The manifests: C campaigns in one file, each with L inline leads (numbers unique).
mkdir -p "$WORK/campaigns"
awk -v n="$C" -v l="$L" 'BEGIN {
    for (i = 0; i < n; i++) {
        if (i > 0) print "---"
        printf "kind: Campaign\nname: Paged %05d\nassistant_id: 7\n", i
        print "leads:\n  items:"
        for (j = 0; j < l; j++) printf "    - { phone_number: \"+1415%07d\" }\n", i * 1000 + j
    }
}' >"$WORK/campaigns/paged.yaml"
# The platform: the demo account holding those campaigns (drafts) and their leads.
target/release/examples/fleet seed "$WORK/empty.json" 0 $((C * 2 + 10))
jq --argjson n "$C" --argjson l "$L" '
    .campaigns = [range(0; $n) | {id: (. + 1), name: ("Paged " + (. | tostring | ("0000" + .)[-5:])),
        assistant_id: 7, status: "draft"}]
  | .leads = [range(0; $n) as $i | range(0; $l) as $j |
        {id: ($i * $l + $j + 1), campaign_id: ($i + 1),
         phone_number: ("+1415" + (($i * 1000 + $j) | tostring | ("000000" + .)[-7:]))}]' \
    "$WORK/empty.json" >"$WORK/seed.json"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Plans RUNS times against an emulator started with "$@"; prints "median_s requests_per_plan".
measure() {
    rm -f "$WORK/emulator.out"
    "$BIN" emulator --listen 127.0.0.1:0 --token bench --seed "$WORK/seed.json" "$@" \
        >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
    EMULATOR_PID=$!
    local url
    url=$(listening "$WORK/emulator.out")
    [ -n "$url" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.err" >&2; exit 1; }
    local addr="${url%/api}" before after
    : >"$WORK/times"
    before=$(curl -fsS "$addr/_emulator/stats" | jq .requests)
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s.%N)
        CAMPAIGNCTL_API_URL="$url" CAMPAIGNCTL_API_TOKEN=bench \
            "$BIN" plan --format json "$WORK/campaigns" >"$WORK/plan.json" 2>"$WORK/plan.err" \
            || { echo "plan failed:" >&2; tail "$WORK/plan.err" >&2; exit 1; }
        end=$(date +%s.%N)
        echo "$end - $start" | bc >>"$WORK/times"
        [ "$(jq .summary.unchanged "$WORK/plan.json")" -eq "$C" ] \
            || { echo "the plan is not all unchanged:" >&2; jq .summary "$WORK/plan.json" >&2; exit 1; }
    done
    after=$(curl -fsS "$addr/_emulator/stats" | jq .requests)
    echo "$(median <"$WORK/times") $(((after - before) / RUNS))"
    kill "$EMULATOR_PID"
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
}

echo "machine: $(nproc) cores, $(uname -sr); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $BIN; $C campaigns x $L leads = $((C * L / 100)) pages of leads; median of $RUNS plans"
read -r s requests < <(measure --latency "$LATENCY")
echo "  ${LATENCY} ms latency: ${s} s, ${requests} requests per plan"
read -r s requests < <(measure --latency "$LATENCY" --rate-limit "$RATE")
echo "  ${LATENCY} ms latency, throttled to ${RATE}: ${s} s, ${requests} requests per plan (429s included)"
