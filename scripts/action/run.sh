#!/usr/bin/env bash
# Runs campaignctl for the GitHub Action (action.yml): `validate` as annotations, `plan` with
# the plan in the job summary and one sticky pull-request comment, or `apply` of the plan it
# has just saved, followed by pushing the record of what was applied. Exits 1 when campaignctl
# does (an error fails the check); a plan with changes (campaignctl's exit 2) passes.
#
# Environment (set by action.yml): COMMAND, PATHS (whitespace-separated), ACCOUNT, ARGS (extra
# arguments, whitespace-separated), FETCH_RECORD, PUSH_RECORD, COMMENT, COMMENT_KEY,
# ALLOW_START, ALLOW_DELETE, ACTION_PATH, and the runner's GITHUB_* variables.
set -euo pipefail
# Arrays are expanded as ${a[@]+"${a[@]}"}: bash 3.2 (macOS) treats an empty one as unset.

# The GitHub token writes the comment only: campaignctl never sees it.
github_token=${GH_TOKEN:-}
unset GH_TOKEN

read -r -a paths <<<"${PATHS:-}"
read -r -a extra <<<"${ARGS:-}"
accounts=()
if [ -n "${ACCOUNT:-}" ]; then accounts=(--account "$ACCOUNT"); fi
out="${RUNNER_TEMP:-/tmp}/campaignctl-$COMMAND"
mkdir -p "$out"

# The record of what was applied (refs/campaignctl/*) is the first baseline for write-once
# fields and says which starts git asked for. A fresh clone has none: fetch it. No `+`: a clone
# that has the record does not take a rewritten one.
fetch_record() {
  [ "${FETCH_RECORD:-true}" = true ] || return 0
  if ! git fetch --no-tags origin 'refs/campaignctl/*:refs/campaignctl/*'; then
    echo "::warning title=campaignctl::could not fetch the record of what was applied (refs/campaignctl/*) from origin; the plan compares write-once fields with git history instead"
  fi
}

# Appends the Markdown plan (or why there is none) to the job summary and, in a pull request,
# to the sticky comment. A failed plan replaces the comment too, so it never shows a stale plan.
publish() {
  local code=$1 md=$2 body="$out/body.md"
  if [ "$code" = 1 ]; then
    {
      echo "### campaignctl $COMMAND failed"
      echo
      echo "campaignctl exited with 1 (an error): the job's log and the annotations on the diff say why."
      if [ -s "$md" ]; then
        echo
        cat "$md"
      fi
    } >"$body"
  else
    cp "$md" "$body"
  fi
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$body" >>"$GITHUB_STEP_SUMMARY"; fi
  if [ "${COMMENT:-true}" = true ] && [ "${GITHUB_EVENT_NAME:-}" = pull_request ]; then
    # A read-only token (a fork's pull request) cannot comment: say so, do not fail the check.
    if ! GH_TOKEN="$github_token" "$ACTION_PATH/scripts/action/comment.sh" "$body" "<!-- campaignctl-plan: ${COMMENT_KEY} -->"; then
      echo "::warning title=campaignctl::could not write the plan comment (the job needs permissions: pull-requests: write); the plan is in the job summary"
    fi
  fi
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "$1=$2" >>"$GITHUB_OUTPUT"; fi
}

case "$COMMAND" in
validate)
  exec campaignctl validate ${paths[@]+"${paths[@]}"} ${accounts[@]+"${accounts[@]}"} --format github ${extra[@]+"${extra[@]}"}
  ;;
plan)
  fetch_record
  code=0
  campaignctl plan ${paths[@]+"${paths[@]}"} ${accounts[@]+"${accounts[@]}"} --detailed-exitcode --format markdown ${extra[@]+"${extra[@]}"} >"$out/plan.md" || code=$?
  output exitcode "$code"
  output plan "$out/plan.md"
  publish "$code" "$out/plan.md"
  # 0 = in sync, 2 = changes to review: both pass; 1 = an error fails the check.
  [ "$code" != 1 ] || exit 1
  ;;
apply)
  fetch_record
  code=0
  campaignctl plan ${paths[@]+"${paths[@]}"} ${accounts[@]+"${accounts[@]}"} --detailed-exitcode --format markdown \
    --out "$out/campaigns.plan" ${extra[@]+"${extra[@]}"} >"$out/plan.md" || code=$?
  output exitcode "$code"
  output plan "$out/plan.md"
  publish "$code" "$out/plan.md"
  [ "$code" != 1 ] || exit 1
  [ "$code" = 2 ] || exit 0
  approvals=(--auto-approve)
  if [ "${ALLOW_START:-false}" = true ]; then approvals+=(--allow-start); fi
  if [ "${ALLOW_DELETE:-false}" = true ]; then approvals+=(--allow-delete); fi
  # Exactly the plan just shown, or nothing if it went stale in between.
  applied=0
  campaignctl apply "${approvals[@]}" "$out/campaigns.plan" || applied=$?
  # The record advances only for what was carried out, so it is pushed after a failed apply
  # too. One apply at a time (a concurrency group), so the push is a fast-forward.
  if [ "${PUSH_RECORD:-true}" = true ] && [ -n "$(git for-each-ref refs/campaignctl/)" ]; then
    git push origin 'refs/campaignctl/*:refs/campaignctl/*' ||
      { echo "::error title=campaignctl::could not push the record of what was applied (refs/campaignctl/*): the job needs permissions: contents: write, and a checkout that keeps its credentials"; exit 1; }
  fi
  exit "$applied"
  ;;
*)
  echo "::error title=campaignctl::command '$COMMAND' is not one of validate, plan, apply" >&2
  exit 1
  ;;
esac
