#!/usr/bin/env bash
# Writes one sticky pull-request comment for the GitHub Action (action.yml): the comment whose
# body starts with the hidden marker is edited in place, so each push updates the plan instead
# of adding a comment; the first run creates it. Uses `gh api` with the job's token, which
# needs `pull-requests: write`.
#
# Usage: comment.sh BODY_FILE MARKER. Environment: GH_TOKEN, GITHUB_REPOSITORY,
# GITHUB_EVENT_PATH (the pull request event's payload).
set -euo pipefail
body_file=$1
marker=$2

pr=$(jq -r '.pull_request.number // empty' "$GITHUB_EVENT_PATH")
if [ -z "$pr" ]; then
  echo "not a pull request event: no comment written"
  exit 0
fi

payload=$(mktemp)
trap 'rm -f "$payload"' EXIT
{
  printf '%s\n' "$marker"
  cat "$body_file"
} | jq -Rs '{ body: . }' >"$payload"

# The first comment of the pull request that starts with the marker; one line per page.
# `--paginate` prints one JSON array per page; jq reads them in turn.
comments=$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments?per_page=100")
# shellcheck disable=SC2016 # $m is jq's variable, not the shell's
existing=$(jq -r --arg m "$marker" '.[] | select(.body | startswith($m)) | .id' <<<"$comments" | head -n 1)
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$existing" --input "$payload" >/dev/null
  echo "updated the plan comment on pull request #$pr"
else
  gh api --method POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" --input "$payload" >/dev/null
  echo "commented the plan on pull request #$pr"
fi
