// Conversion between stored core/v1 Events and the events.k8s.io/v1 view.

const renames: [core: string, eventsV1: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

const copied = ['metadata', 'related', 'reportingInstance', 'series', 'action', 'reason', 'type'];

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || (typeof v === 'object' && Object.keys(v as object).length === 0);
}

/** A stored core/v1 Event as events.k8s.io/v1 serves it. */
export function eventToEventsV1(e: any): any {
  const out: any = { kind: 'Event', apiVersion: 'events.k8s.io/v1' };
  out.metadata = structuredClone(e.metadata);
  out.eventTime = e.eventTime ?? null;
  for (const key of copied) if (key !== 'metadata' && !isEmpty(e[key])) out[key] = structuredClone(e[key]);
  for (const [core, v1] of renames) if (!isEmpty(e[core])) out[v1] = structuredClone(e[core]);
  return out;
}

/** An events.k8s.io/v1 Event as it is stored (core/v1 shape). */
export function eventFromEventsV1(e: any): any {
  const out: any = { kind: 'Event', apiVersion: 'v1', metadata: structuredClone(e.metadata ?? {}) };
  for (const key of copied) if (key !== 'metadata' && e[key] !== undefined) out[key] = structuredClone(e[key]);
  for (const [core, v1] of renames) if (e[v1] !== undefined) out[core] = structuredClone(e[v1]);
  out.eventTime = e.eventTime ?? null;
  out.involvedObject ??= {};
  out.source ??= {};
  out.firstTimestamp ??= null;
  out.lastTimestamp ??= null;
  out.reportingComponent ??= '';
  out.reportingInstance ??= '';
  return out;
}
