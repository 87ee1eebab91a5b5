// Offline input for `audit --from-file`: the objects of kubectl dumps (read by ./dump-input.ts)
// turned into the same snapshot the cluster path builds.
import type { Context } from '../context.js';
import { createSnapshotBuilder } from '../domain/kinds.js';
import type { ClusterSnapshot } from '../domain/types.js';
import { forEachDumpObject } from './dump-input.js';

/** Reads every dump named by --from-file into one snapshot; any unreadable or malformed input is exit 2. */
export async function readDumps(paths: string[], ctx: Context): Promise<ClusterSnapshot> {
  // The registry of kinds turns objects into records; the same object saved twice (overlapping
  // dumps, or `kubectl get events` and `events.events.k8s.io` of one cluster) counts once.
  const builder = createSnapshotBuilder();
  await forEachDumpObject(paths, ctx, (object) => builder.add(object));
  return builder.finish();
}
