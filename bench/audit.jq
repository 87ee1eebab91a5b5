# The kubectl+jq peer of `rds-migrate audit`: the same summary counts from
#   kubectl get events -A --field-selector reason=MigrationStarted   -o json   > started.json
#   kubectl get events -A --field-selector reason=MigrationCompleted -o json   > completed.json
#   kubectl get events -A --field-selector reason=MigrationFailed    -o json   > failed.json
#   kubectl get volumeattachments,pv -o json                                   > va-pv.json
#   jq -n -f bench/audit.jq --slurpfile started started.json --slurpfile completed completed.json \
#         --slurpfile failed failed.json --slurpfile vapv va-pv.json [--arg driver rds.csi.srvlab.io]
#
# It follows the counting and pairing rules of rds-migrate: only events on PersistentVolumeClaims; count /
# series.count; first and last seen with the same fallbacks; count ≥ 2 expands into a first and a
# last occurrence plus count−2 untimed ones; per PVC (uid, else namespace/name) the timed occurrences
# are walked in time order (Started before Completed/Failed at equal times) with one open migration
# that a same-nodes Started within its timeout joins, another Started turns unresolved, and a
# same-nodes Completed/Failed closes (else it is a completed/failed migration with an inferred start);
# open at the end = in-progress while now − start < timeout, else unresolved. Dual-/multi-attach from
# the driver's attached VolumeAttachments per PV and distinct node; stuck when now − (newer node's
# oldest attach) ≥ the PV's migrationTimeoutSeconds (junk or ≤ 0 → 300, clamped to [30, 3600]).
#
# Simplifications (exact on the generated data, where names are unique and messages are the
# driver's own formats):
# - messages are matched with anchored regexes of the three formats (with `->` or `→` and the
#   aggregator prefix); rds-migrate's scanner also tolerates extra whitespace;
# - ties in time order are broken by (phase, event name, occurrence index) only; rds-migrate
#   continues with more fields, which matters only for duplicate event names;
# - the timeout of an open migration is the one in its Started message (every parsed Started has
#   one), so PVs are read only for the stuck check; there is no --since / -n / --stuck-after.
# `now` is jq's clock, as rds-migrate's is its own.

def driver: $ARGS.named.driver // "rds.csi.srvlab.io";

# RFC 3339 (whole seconds or with a fraction, as MicroTime is) → epoch seconds; null stays null.
def ts: if . == null or . == "" then null else (sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) end;

# Go durations as the driver prints them (whole seconds: 0s, 45s, 5m0s, 1h2m3s) → seconds.
def godur:
  capture("^((?<h>[0-9]+)h)?((?<m>[0-9]+)m)?((?<s>[0-9]+(\\.[0-9]+)?)s)?$")
  | ((.h // "0") | tonumber) * 3600 + ((.m // "0") | tonumber) * 60 + ((.s // "0") | tonumber);

def parsemsg($reason):
  sub("^\\(combined from similar events\\): "; "") as $m
  | if $reason == "MigrationStarted" then
      ($m | capture("^\\[(?<vol>[^\\]]+)\\]: KubeVirt live migration started - source: (?<src>[^ ,]+), target: (?<tgt>[^ ,]+), timeout: (?<dur>[0-9hms.]+)$"))
      | {src, tgt, timeout: (.dur | godur)}
    elif $reason == "MigrationCompleted" then
      ($m | capture("^\\[(?<vol>[^\\]]+)\\]: KubeVirt live migration completed - source: (?<src>[^ ,]+) (->|→) target: (?<tgt>[^ ,(]+) \\(duration: (?<dur>[0-9hms.]+)\\)$"))
      | {src, tgt}
    else
      ($m | capture("^\\[(?<vol>[^\\]]+)\\]: KubeVirt live migration failed - source: (?<src>[^ ,]+), attempted target: (?<tgt>[^ ,]+), reason: (?<why>.*), elapsed: (?<dur>[0-9hms.]+)$"))
      | {src, tgt}
    end;

def posint: if type == "number" and . >= 1 and . == floor then . else null end;

# One event → {key, untimed, occ: [timed occurrences]} or {unparsed: true}.
def occurrences:
  . as $e
  | ([$e.message // "" | parsemsg($e.reason)] | first) as $p
  | if $p == null then {unparsed: true}
    else
      (($e.count | posint) // ($e.series.count | posint) // 1) as $n
      | ([$e.firstTimestamp, $e.eventTime, $e.metadata.creationTimestamp] | map(ts) | map(select(. != null)) | first) as $first
      | ([$e.lastTimestamp, $e.series.lastObservedTime, $e.eventTime, $e.firstTimestamp, $e.metadata.creationTimestamp]
         | map(ts) | map(select(. != null)) | first) as $last
      | {reason: $e.reason, name: $e.metadata.name, phase: (if $e.reason == "MigrationStarted" then 0 else 1 end)} + $p
      | . as $o
      | {
          key: (if ($e.involvedObject.uid // "") != "" then "uid:" + $e.involvedObject.uid
                else "name:" + $e.involvedObject.namespace + "/" + $e.involvedObject.name end),
          unparsed: false,
          untimed: (if $n <= 1 then (if $last == null then 1 else 0 end)
                    else ($n - 2) + (if $first == null then 1 else 0 end) + (if $last == null then 1 else 0 end) end),
          occ: (if $n <= 1 then [if $last == null then empty else $o + {at: $last, idx: 1} end]
                else [ (if $first == null then empty else $o + {at: $first, idx: 0} end),
                       (if $last == null then empty else $o + {at: $last, idx: 1} end) ] end)
        }
    end;

# The states of one PVC's migrations, from its timed occurrences.
def pair($now):
  sort_by([.at, .phase, .name, .idx])
  | reduce .[] as $o ({open: null, out: []};
      if $o.reason == "MigrationStarted" then
        if .open != null and .open.src == $o.src and .open.tgt == $o.tgt and ($o.at - .open.start) < .open.timeout then .
        else (if .open != null then .out += ["unresolved"] else . end)
             | .open = {src: $o.src, tgt: $o.tgt, start: $o.at, timeout: $o.timeout}
        end
      else
        (if $o.reason == "MigrationFailed" then "failed" else "completed" end) as $state
        | if .open != null and .open.src == $o.src and .open.tgt == $o.tgt then .out += [$state] | .open = null
          else .out += [$state] end
      end)
  | .out + (if .open == null then []
            elif ($now - .open.start) < .open.timeout then ["in-progress"]
            else ["unresolved"] end);

def volume_timeout:
  if type == "string" and test("^[+-]?[0-9]+$") then tonumber | if . <= 0 then 300 elif . < 30 then 30 elif . > 3600 then 3600 else . end
  elif type == "number" then tostring | volume_timeout
  else 300 end;

now as $now
| [$started, $completed, $failed] | map(.[].items[]) | flatten
| map(select(.involvedObject.kind == "PersistentVolumeClaim")
      | select(.reason == "MigrationStarted" or .reason == "MigrationCompleted" or .reason == "MigrationFailed")
      | occurrences) as $evs
| ($evs | map(select(.unparsed | not)) | group_by(.key) | map(map(.occ[]) | pair($now)) | flatten) as $states
| ($vapv | map(.items[]) | flatten) as $objs
| ($objs | map(select(.kind == "PersistentVolume") | {key: .metadata.name, value: (.spec.csi.volumeAttributes.migrationTimeoutSeconds | volume_timeout)})
  | from_entries) as $timeouts
| ($objs
   | map(select(.kind == "VolumeAttachment" and .spec.attacher == driver and .status.attached == true
                and (.spec.source.persistentVolumeName // null) != null))
   | group_by(.spec.source.persistentVolumeName)
   | map({pv: .[0].spec.source.persistentVolumeName,
          since: (group_by(.spec.nodeName) | map(map(.metadata.creationTimestamp | ts) | min))})
   | map(. + {nodes: (.since | length)})) as $attached
| ($attached | map(select(.nodes == 2) | . + {age: ($now - (.since | max))})) as $duals
| {
    migrations: ($states | length),
    completed: ($states | map(select(. == "completed")) | length),
    failed: ($states | map(select(. == "failed")) | length),
    inProgress: ($states | map(select(. == "in-progress")) | length),
    unresolved: ($states | map(select(. == "unresolved")) | length),
    untimedOccurrences: ($evs | map(.untimed // 0) | add // 0),
    unparsedEvents: ($evs | map(select(.unparsed)) | length),
    dualAttaches: ($duals | length),
    stuckDualAttaches: ($duals | map(select(.age >= ($timeouts[.pv] // 300))) | length),
    multiAttaches: ($attached | map(select(.nodes >= 3)) | length)
  }
