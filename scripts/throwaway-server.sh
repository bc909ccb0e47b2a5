# Sourced by scripts/contract-test and scripts/client-test. start_throwaway_server [NAME=value ...] starts the built
# server in a temporary folder on a free port with an in-memory store and the given settings, sets `base` to its URL
# and `workdir` to the folder, and stops it on exit, printing its errors first when the script failed.

# On failure the server's own errors (with their request ids) are the first thing to read.
stop_throwaway_server() {
    local status=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    [ $status -eq 0 ] || { echo "--- server errors ---"; grep -E '"level":"(error|critical)"' "$log" | tail -n 20 || true; }
    rm -rf "$workdir"
}

start_throwaway_server() {
    workdir=$(mktemp -d)
    log="$workdir/server.log"
    # exec: $! must be the server itself, or the kill would end only the subshell and leave the server running.
    (cd "$workdir" && exec env HOST=127.0.0.1 PORT=0 DATABASE_URL=sqlite::memory: BCRYPT_COST=4 LOG_LEVEL=notice "$@" \
        "$OLDPWD/.build/debug/sessionhub" >"$log" 2>&1) &
    server=$!
    trap stop_throwaway_server EXIT

    local port=""
    for _ in $(seq 1 300); do
        port=$(grep -o '"port":"[0-9]*"' "$log" | head -n1 | grep -o '[0-9]\+' || true)
        [ -n "$port" ] && break
        kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
        sleep 0.1
    done
    [ -n "$port" ] || { echo "server did not start" >&2; cat "$log"; exit 1; }
    base="http://127.0.0.1:$port"
}
