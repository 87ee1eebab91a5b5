#!/bin/sh
# The kubectl way to get `rds-migrate audit`'s counts: the three migration reasons with
# server-side field selectors and the VolumeAttachments + PVs, four kubectl processes run
# concurrently (as rds-migrate runs its lists concurrently), then bench/audit.jq.
#   KUBECONFIG=... [KUBECTL=kubectl] [TIME="/usr/bin/time -f %M -o"] bench/kubectl-audit.sh OUTDIR
# Writes OUTDIR/{MigrationStarted,MigrationCompleted,MigrationFailed,va-pv}.json and prints jq's
# summary on stdout. With TIME set, each process's peak RSS (KiB) goes to OUTDIR/rss.<name>.
set -eu
out=$1
here=$(dirname "$0")
K=${KUBECTL:-kubectl}
T=${TIME:-}
run() { # name, command...
  name=$1; shift
  if [ -n "$T" ]; then $T "$out/rss.$name" "$@"; else "$@"; fi
}
for r in MigrationStarted MigrationCompleted MigrationFailed; do
  run "$r" "$K" get events -A --field-selector "reason=$r" -o json > "$out/$r.json" &
  eval "pid_$r=\$!"
done
run va-pv "$K" get volumeattachments,pv -o json > "$out/va-pv.json" &
pid_vapv=$!
wait "$pid_MigrationStarted"; wait "$pid_MigrationCompleted"; wait "$pid_MigrationFailed"; wait "$pid_vapv"
run jq jq -n -c -f "$here/audit.jq" \
  --slurpfile started "$out/MigrationStarted.json" \
  --slurpfile completed "$out/MigrationCompleted.json" \
  --slurpfile failed "$out/MigrationFailed.json" \
  --slurpfile vapv "$out/va-pv.json"
