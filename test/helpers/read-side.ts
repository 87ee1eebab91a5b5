// Helpers for the read-side tests (events, audit, offline): the driver's messages in its
// exact formats and a small hand-rolled checker for the JSON contracts of docs/output.md.
import { randomUUID } from 'node:crypto';

/** `[<vol>]: KubeVirt live migration started - source: <src>, target: <tgt>, timeout: <dur>` */
export function startedMessage(vol: string, source: string, target: string, timeout: string): string {
  return `[${vol}]: KubeVirt live migration started - source: ${source}, target: ${target}, timeout: ${timeout}`;
}

/** `[<vol>]: KubeVirt live migration completed - source: <src> -> target: <tgt> (duration: <dur>)` */
export function completedMessage(vol: string, source: string, target: string, duration: string): string {
  return `[${vol}]: KubeVirt live migration completed - source: ${source} -> target: ${target} (duration: ${duration})`;
}

/** `[<vol>]: KubeVirt live migration failed - source: <src>, attempted target: <tgt>, reason: <text>, elapsed: <dur>` */
export function failedMessage(vol: string, source: string, target: string, reason: string, elapsed: string): string {
  return `[${vol}]: KubeVirt live migration failed - source: ${source}, attempted target: ${target}, reason: ${reason}, elapsed: ${elapsed}`;
}

/** A random PVC uid and the driver's volume ID for it (`pvc-<uid>`). */
export function newVolumeIdentity(): { uid: string; vol: string } {
  const uid = randomUUID();
  return { uid, vol: `pvc-${uid}` };
}

// ---- schema checker -------------------------------------------------------------------------

/** A type in the tiny schema language below. */
export type Schema =
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'timestamp'
  | { literal: string }
  | { oneOf: readonly string[] }
  | { nullable: Schema }
  | { arrayOf: Schema }
  | { object: Record<string, Schema> };

/** RFC 3339 in UTC, as docs/output.md says: `2026-11-26T10:00:00Z`, with an optional fraction. */
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Every way `value` departs from `schema`, as `path: problem` lines; [] when it conforms. Required keys must be present (absent values are null). */
export function checkSchema(value: unknown, schema: Schema, path = '$'): string[] {
  if (typeof schema === 'string') {
    switch (schema) {
      case 'string':
        return typeof value === 'string' ? [] : [`${path}: expected string, got ${typeName(value)}`];
      case 'number':
        return typeof value === 'number' && Number.isFinite(value) ? [] : [`${path}: expected number, got ${typeName(value)}`];
      case 'integer':
        return Number.isSafeInteger(value) && (value as number) >= 0
          ? []
          : [`${path}: expected a whole number ≥ 0, got ${JSON.stringify(value)}`];
      case 'boolean':
        return typeof value === 'boolean' ? [] : [`${path}: expected boolean, got ${typeName(value)}`];
      case 'timestamp':
        return typeof value === 'string' && RFC3339_UTC.test(value) && !Number.isNaN(Date.parse(value))
          ? []
          : [`${path}: expected an RFC 3339 UTC timestamp, got ${JSON.stringify(value)}`];
    }
  }
  if ('literal' in schema)
    return value === schema.literal ? [] : [`${path}: expected ${JSON.stringify(schema.literal)}, got ${JSON.stringify(value)}`];
  if ('oneOf' in schema)
    return typeof value === 'string' && schema.oneOf.includes(value)
      ? []
      : [`${path}: expected one of ${schema.oneOf.join('|')}, got ${JSON.stringify(value)}`];
  if ('nullable' in schema) return value === null ? [] : checkSchema(value, schema.nullable, path);
  if ('arrayOf' in schema) {
    if (!Array.isArray(value)) return [`${path}: expected array, got ${typeName(value)}`];
    return value.flatMap((item, i) => checkSchema(item, schema.arrayOf, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected object, got ${typeName(value)}`];
  const problems: string[] = [];
  for (const [key, sub] of Object.entries(schema.object)) {
    if (!Object.hasOwn(value, key)) problems.push(`${path}.${key}: required key missing`);
    else problems.push(...checkSchema((value as Record<string, unknown>)[key], sub, `${path}.${key}`));
  }
  return problems;
}

const nullable = (s: Schema): Schema => ({ nullable: s });
const arrayOf = (s: Schema): Schema => ({ arrayOf: s });

/** `migrations[]` of docs/output.md. */
export const migrationSchema: Schema = {
  object: {
    id: 'string',
    namespace: 'string',
    pvc: 'string',
    volumeId: nullable('string'),
    sourceNode: nullable('string'),
    targetNode: nullable('string'),
    state: { oneOf: ['completed', 'failed', 'in-progress', 'unresolved'] },
    startedAt: 'timestamp',
    endedAt: nullable('timestamp'),
    durationSeconds: nullable('number'),
    timeoutSeconds: 'number',
    startInferred: 'boolean',
    failureReason: nullable('string'),
    events: arrayOf('string'),
    recordedBy: arrayOf({ oneOf: ['events', 'kubevirt'] }),
    kubevirt: nullable({
      object: { vmi: 'string', migration: 'string', migrationUid: 'string', phase: 'string', failureReason: nullable('string') },
    }),
  },
};

/** `users[]` of docs/output.md: the pods using a volume. */
export const userSchema: Schema = {
  object: {
    node: 'string',
    namespace: 'string',
    pod: 'string',
    kind: { oneOf: ['virt-launcher', 'hotplug', 'cdi', 'export', 'backup', 'other'] },
    vmi: nullable('string'),
  },
};

/** A rejected migration target (a key beside those of docs/output.md). */
export const rejectedTargetSchema: Schema = {
  object: { node: 'string', volumeAttachment: 'string', message: 'string', time: nullable('timestamp') },
};

/** `dualAttaches[]` of docs/output.md. */
export const dualAttachSchema: Schema = {
  object: {
    volumeId: 'string',
    namespace: nullable('string'),
    pvc: nullable('string'),
    nodes: arrayOf('string'),
    since: nullable('timestamp'),
    ageSeconds: nullable('number'),
    timeoutSeconds: 'number',
    stuck: 'boolean',
    volumeAttachments: arrayOf('string'),
    vmiNode: nullable('string'),
    users: arrayOf(userSchema),
  },
};

/** The `audit -o json|yaml` document of docs/output.md. */
export const auditSchema: Schema = {
  object: {
    apiVersion: { literal: 'rds-migrate/v1' },
    kind: { literal: 'MigrationAudit' },
    now: 'timestamp',
    scope: { object: { namespace: nullable('string'), driver: 'string' } },
    summary: {
      object: {
        migrations: 'integer',
        completed: 'integer',
        failed: 'integer',
        inProgress: 'integer',
        unresolved: 'integer',
        untimedOccurrences: 'integer',
        dualAttaches: 'integer',
        stuckDualAttaches: 'integer',
        multiAttaches: 'integer',
        findings: { object: { error: 'integer', warning: 'integer', info: 'integer' } },
        excluded: 'integer',
        durationSeconds: {
          object: { count: 'integer', min: nullable('number'), p50: nullable('number'), p95: nullable('number'), max: nullable('number') },
        },
      },
    },
    migrations: arrayOf(migrationSchema),
    dualAttaches: arrayOf(dualAttachSchema),
    rejectedTargets: arrayOf({
      object: { volumeId: 'string', namespace: nullable('string'), pvc: nullable('string'), ...rejectedTargetSchema.object },
    }),
    findings: arrayOf({
      object: {
        severity: { oneOf: ['error', 'warning', 'info'] },
        code: {
          oneOf: [
            'MigrationFailed',
            'StuckDualAttach',
            'MultiAttach',
            'UnresolvedMigration',
            'SlowMigration',
            'UnparsedEvent',
            'DualAttachInProgress',
            'UnsafeSharedAttach',
            'AttachedToMissingNode',
            'OutcomeMismatch',
            'StaleAttachment',
            'DetachStuck',
            'MissingMigrationEvents',
            'MigrationRetried',
          ],
        },
        namespace: nullable('string'),
        pvc: nullable('string'),
        volumeId: nullable('string'),
        message: 'string',
        next: 'string',
        objects: arrayOf({ object: { kind: 'string', namespace: nullable('string'), name: 'string' } }),
      },
    }),
    warnings: arrayOf('string'),
  },
};

/** The `events -o json|yaml` document of docs/output.md. */
export const historySchema: Schema = {
  object: {
    apiVersion: { literal: 'rds-migrate/v1' },
    kind: { literal: 'PvcMigrationHistory' },
    pvc: { object: { namespace: 'string', name: 'string', uid: 'string', volumeId: nullable('string'), driver: nullable('string') } },
    events: arrayOf({
      object: {
        name: 'string',
        type: 'string',
        reason: 'string',
        count: 'integer',
        firstSeen: nullable('timestamp'),
        lastSeen: nullable('timestamp'),
        component: 'string',
        message: 'string',
        parsed: nullable({
          object: {
            volumeId: 'string',
            sourceNode: 'string',
            targetNode: 'string',
            timeoutSeconds: nullable('number'),
            durationSeconds: nullable('number'),
            failureReason: nullable('string'),
          },
        }),
      },
    }),
    migrations: arrayOf(migrationSchema),
    attachment: {
      object: { nodes: arrayOf('string'), dualAttach: nullable(dualAttachSchema), rejectedTargets: arrayOf(rejectedTargetSchema) },
    },
    kubevirt: nullable({
      object: {
        vmi: 'string',
        node: nullable('string'),
        migrations: arrayOf({
          object: {
            name: 'string',
            uid: 'string',
            phase: 'string',
            sourceNode: nullable('string'),
            targetNode: nullable('string'),
            startedAt: nullable('timestamp'),
            endedAt: nullable('timestamp'),
            failureReason: nullable('string'),
          },
        }),
      },
    }),
    users: arrayOf(userSchema),
  },
};

/** Rules of docs/output.md the types alone cannot say: open migrations have no end, stats agree with the list. */
export function checkMigrationInvariants(migrations: Array<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  migrations.forEach((m, i) => {
    const open = m.state === 'in-progress' || m.state === 'unresolved';
    if (open && (m.endedAt !== null || m.durationSeconds !== null))
      problems.push(`migrations[${i}]: open migration has endedAt/durationSeconds`);
    if (!open && (m.endedAt === null || m.durationSeconds === null))
      problems.push(`migrations[${i}]: closed migration lacks endedAt/durationSeconds`);
    if (m.state !== 'failed' && m.failureReason !== null)
      problems.push(`migrations[${i}]: failureReason on a ${String(m.state)} migration`);
  });
  return problems;
}
