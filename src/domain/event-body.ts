// The Event object client-go's EventRecorder builds,
// so that a hand-posted event differs from the driver's only in its component.
import type { MigrationReason, PvcRecord } from './types.js';

export const EVENT_TYPE: Record<MigrationReason, 'Normal' | 'Warning'> = {
  MigrationStarted: 'Normal',
  MigrationCompleted: 'Normal',
  MigrationFailed: 'Warning',
};

export const MAX_MESSAGE_BYTES = 1024;

export interface EventBodyInput {
  pvc: PvcRecord;
  reason: MigrationReason;
  message: string;
  component: string;
  /** The event's name (`<pvc>.<hex unix nanos>`, see eventName). */
  name: string;
  /** Epoch ms of the post; stored at whole-second precision like metav1.Time. */
  now: number;
}

/** client-go's event name: `<object name>.<lowercase hex of unix nanoseconds>`. */
export function eventName(objectName: string, unixNanos: bigint): string {
  return `${objectName}.${unixNanos.toString(16)}`;
}

/** RFC 3339 at whole seconds, as metav1.Time serializes. */
export function wholeSecondTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The core/v1 Event to create, field for field as the Go recorder sends it. */
export function buildEventBody(input: EventBodyInput): Record<string, unknown> {
  const at = wholeSecondTimestamp(input.now);
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: input.name, namespace: input.pvc.namespace, creationTimestamp: null },
    involvedObject: {
      kind: 'PersistentVolumeClaim',
      namespace: input.pvc.namespace,
      name: input.pvc.name,
      uid: input.pvc.uid,
      apiVersion: 'v1',
      resourceVersion: input.pvc.resourceVersion,
    },
    reason: input.reason,
    message: input.message,
    source: { component: input.component },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: EVENT_TYPE[input.reason],
    // Left null: a set eventTime switches core/v1 create to the strict events.k8s.io validation.
    eventTime: null,
    reportingComponent: input.component,
    reportingInstance: '',
  };
}

/** The strategic-merge patch client-go sends for a repeated event (count, lastTimestamp, message). */
export function buildRepeatPatch(previousCount: number, message: string, now: number): Record<string, unknown> {
  return { count: previousCount + 1, lastTimestamp: wholeSecondTimestamp(now), message };
}
