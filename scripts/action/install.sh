#!/usr/bin/env bash
# Installs campaignctl for the GitHub Action (action.yml): the release's prebuilt binary for
# this runner, verified against the release's SHA256SUMS on every run (a cached archive too,
# so a tampered cache is refused, not run), or, only when the release has no binary for this
# runner, `cargo install --locked` of the same tag. Puts the binary on the job's PATH.
#
# Environment (set by action.yml): VERSION (e.g. 0.1.0), TARGET (a Rust target triple, or
# empty when no binary is built for this runner), DIR (the cached directory), REPO
# (owner/name of the releases), GH_TOKEN (reads the release), GITHUB_SERVER_URL, GITHUB_PATH.
set -euo pipefail

fail() {
  echo "::error title=campaignctl install::$1" >&2
  exit 1
}

[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
  fail "version '$VERSION' is not a release version such as 0.1.0 (without the leading v)"
[ -n "$REPO" ] || fail "the repository of the releases is unknown: set the action's 'repository' input (owner/name)"
tag="v$VERSION"
mkdir -p "$DIR"

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi
}

# The cargo fallback builds from source on this runner; its result is cached as is.
if [ -x "$DIR/cargo/bin/campaignctl" ] || [ -x "$DIR/cargo/bin/campaignctl.exe" ]; then
  echo "$DIR/cargo/bin" >>"$GITHUB_PATH"
  exit 0
fi

asset=""
if [ -n "$TARGET" ]; then
  asset="campaignctl-$VERSION-$TARGET.tar.gz"
  assets=$(gh release view "$tag" --repo "$REPO" --json assets --jq '.assets[].name' 2>/dev/null || true)
  if ! grep -qxF "$asset" <<<"$assets"; then
    echo "::warning title=campaignctl install::release $tag of $REPO has no $asset; compiling campaignctl instead (minutes)"
    asset=""
  elif ! grep -qxF SHA256SUMS <<<"$assets"; then
    fail "release $tag of $REPO has $asset but no SHA256SUMS: refusing to run a binary that cannot be verified"
  fi
fi

if [ -z "$asset" ]; then
  command -v cargo >/dev/null 2>&1 ||
    fail "no prebuilt campaignctl $VERSION for this runner ($RUNNER_OS $RUNNER_ARCH) and no cargo to compile it: add a Rust toolchain step (dtolnay/rust-toolchain) before this action"
  cargo install --locked --root "$DIR/cargo" --git "$GITHUB_SERVER_URL/$REPO" --tag "$tag" campaignctl
  echo "$DIR/cargo/bin" >>"$GITHUB_PATH"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The checksums are read afresh from the release on every run, and the archive (downloaded
# now, or restored from the cache) must match them before anything is extracted.
gh release download "$tag" --repo "$REPO" --pattern SHA256SUMS --dir "$work"
expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$work/SHA256SUMS")
[ -n "$expected" ] || fail "SHA256SUMS of release $tag does not list $asset"
if [ ! -f "$DIR/$asset" ]; then
  gh release download "$tag" --repo "$REPO" --pattern "$asset" --dir "$work"
  mv "$work/$asset" "$DIR/$asset"
fi
actual=$(sha256 "$DIR/$asset" | awk '{ print $1 }')
if [ "$actual" != "$expected" ]; then
  rm -f "$DIR/$asset"
  fail "$asset does not match the release's SHA256SUMS (expected $expected, got $actual): not installed"
fi
rm -rf "${DIR:?}/bin"
mkdir -p "$DIR/bin"
# Relative paths: GNU tar on Windows runners reads `C:\...` as a remote host.
(cd "$DIR" && tar -xzf "$asset" -C bin)
echo "$DIR/bin" >>"$GITHUB_PATH"
"$DIR/bin/campaignctl" --version
