# Helpers the bench scripts share; sourced, not run.

# The first `listening on URL` line a child wrote to FILE (waits up to 10 s); empty if none.
listening() {
    local url=""
    for _ in $(seq 200); do
        url=$(sed -n 's/^listening on //p' "$1" 2>/dev/null || true)
        [ -n "$url" ] && break
        sleep 0.05
    done
    echo "$url"
}
