#!/bin/sh
# The console image's entrypoint. Started as root (the default), it asks container-entrypoint.cjs
# who the server runs as (that step also hands the data volume to that user), then replaces itself
# with the server as that user, the Docker socket's group added, via setpriv. Node cannot drop
# privileges itself: it refuses setgroups/setuid while libuv may use io_uring (CVE-2024-22017).
# Started as another user (`docker run --user`), it runs the server as that user.
set -eu
app=$(dirname "$0")
if [ "$(id -u)" = 0 ]; then
  plan=$(node "$app/container-entrypoint.cjs" --prepare)
  # Three fields the script checked are numeric: uid, gid, comma-separated groups.
  # shellcheck disable=SC2086
  set -- $plan
  exec setpriv --reuid="$1" --regid="$2" --groups="$3" --no-new-privs --inh-caps=-all -- node "$app/container-entrypoint.cjs"
fi
exec node "$app/container-entrypoint.cjs"
