# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the bench/server-*.sh scripts: a scratch folder, `vpack serve`
# started on it and stopped at exit, and small helpers. The caller adds the PIDs
# of what else it starts to $other_pids (killed at exit) and sets $vpack.

# A short path: the private mariadbd's socket lives under it (sun_path is 108 bytes).
work=$(mktemp -d /tmp/vpk-bench-XXXXXX)
vpack_pid=""
other_pids=""
cleanup () {
  set +e
  # Only what this script started, by PID; vpack stops its mariadbd itself.
  for p in $other_pids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  if [ -n "$vpack_pid" ] && kill -TERM "$vpack_pid" 2>/dev/null; then
    i=0
    while kill -0 "$vpack_pid" 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
    kill -0 "$vpack_pid" 2>/dev/null && kill -KILL "$vpack_pid"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for FILE PATTERN SECONDS: until FILE holds PATTERN; fails after SECONDS.
wait_for () {
  i=0
  while ! grep -q "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le $(($3 * 2)) ] || return 1
    sleep 0.5
  done
}

# start_vpack: `vpack serve` on a free port of 127.0.0.1 with its state in
# $work/state; once it listens, sets $base, $vpack_pid and $auth (the header
# with the admin token it made at first start: the API needs one).
start_vpack () {
  port=$(free_port)
  base="http://127.0.0.1:$port"
  echo "starting vpack serve on $base (state in $work/state)..." >&2
  "$vpack" serve --state-dir "$work/state" --listen "127.0.0.1:$port" \
    > "$work/serve.out" 2> "$work/serve.err" &
  vpack_pid=$!
  wait_for "$work/serve.out" "listening on" 180 || { cat "$work/serve.err" >&2; exit 1; }
  auth="Authorization: Bearer $(cat "$work/state/admin-token")"
}
