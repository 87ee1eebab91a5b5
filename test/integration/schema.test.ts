// The machine-readable contracts of docs/output.md, checked key by key with a small hand-rolled
// checker: `audit -o json|yaml` of the examples dump (through the built binary) and the
// `events -o json` document built from the same dump.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildPvcHistory } from '../../src/domain/history.js';
import {
  normalizeEvent,
  normalizePersistentVolume,
  normalizePod,
  normalizeVmi,
  normalizeVmim,
  normalizeVolumeAttachment,
} from '../../src/domain/normalize.js';
import type { EventRecord, PersistentVolumeRecord, PvcRecord, VolumeAttachmentRecord } from '../../src/domain/types.js';
import { renderHistoryJson } from '../../src/render/history.js';
import { auditSchema, checkMigrationInvariants, checkSchema, historySchema, type Schema } from '../helpers/read-side.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

const EXAMPLES = join(repoRoot, 'examples', 'cluster');

/**
 * The keys of `schema` whose values in `docs` are always null or absent, as JSON paths with `[]`
 * for list items: what the documents never show a real value for.
 */
function neverSet(docs: unknown[], schema: Schema, path = '$'): string[] {
  if (typeof schema === 'string' || 'literal' in schema || 'oneOf' in schema) {
    return docs.some((d) => d !== null && d !== undefined) ? [] : [path];
  }
  if ('nullable' in schema) return neverSet(docs, schema.nullable, path);
  if ('arrayOf' in schema) {
    const items = docs.flatMap((d) => (Array.isArray(d) ? d : []));
    return items.length === 0 ? [`${path}[]`] : neverSet(items, schema.arrayOf, `${path}[]`);
  }
  const objects = docs.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
  if (objects.length === 0) return [path];
  return Object.entries(schema.object).flatMap(([key, sub]) =>
    neverSet(
      objects.map((o) => o[key]),
      sub,
      `${path}.${key}`,
    ),
  );
}

describe('the schema checker itself', () => {
  const good = { a: 'x', b: null, c: [1, 2], d: '2026-11-26T10:00:00Z', e: { f: true } };
  const schema = {
    object: { a: 'string', b: { nullable: 'number' }, c: { arrayOf: 'integer' }, d: 'timestamp', e: { object: { f: 'boolean' } } },
  } as const;

  it('accepts a conforming document', () => {
    expect(checkSchema(good, schema)).toEqual([]);
  });

  it.each([
    ['a missing key (undefined is not null)', { ...good, b: undefined }, '$.b: required key missing'],
    ['a wrong type', { ...good, a: 1 }, '$.a: expected string, got number'],
    ['a wrong item', { ...good, c: [1, 'two'] }, '$.c[1]: expected a whole number ≥ 0, got "two"'],
    [
      'a non-UTC timestamp',
      { ...good, d: '2026-11-26T11:00:00+01:00' },
      '$.d: expected an RFC 3339 UTC timestamp, got "2026-11-26T11:00:00+01:00"',
    ],
    ['null where a list is due', { ...good, c: null }, '$.c: expected array, got null'],
    ['a nested problem', { ...good, e: {} }, '$.e.f: required key missing'],
  ])('reports %s', (_what, doc, problem) => {
    const parsed = JSON.parse(JSON.stringify(doc)); // as a reader of the JSON sees it
    expect(checkSchema(parsed, schema)).toEqual([problem]);
  });
});

describe('audit -o json|yaml', () => {
  it('every required key, with its type, nulls for absent values and [] for empty lists', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLES, '-o', 'json']);
    expect(res.code).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(checkMigrationInvariants(doc.migrations)).toEqual([]);
    // Absent values are null, not missing.
    expect(doc.scope.namespace).toBeNull();
    const unresolved = doc.migrations.find((m: any) => m.state === 'unresolved');
    expect(unresolved).toMatchObject({ endedAt: null, durationSeconds: null, failureReason: null });
    const failed = doc.migrations.find((m: any) => m.state === 'failed');
    expect(failed.failureReason).toBe('timeout');
    // Empty lists are [].
    expect(doc.warnings).toEqual([]);
    expect(doc.multiAttaches).toEqual([]);
    // Durations are numbers of seconds; timestamps RFC 3339 UTC.
    expect(doc.summary.durationSeconds).toEqual({ count: 7, min: 14, p50: 44, p95: 250, max: 250 });
    expect(doc.dualAttaches.find((d: any) => d.pvc === 'pg-01-rootdisk').ageSeconds).toBe(1200);
    expect(res.stdout.endsWith('\n')).toBe(true);
  });

  it('the example gives every key a real value somewhere (so the checks above see each type)', async () => {
    const [all, scoped] = await Promise.all(
      [[], ['-n', 'vms-dev']].map(async (args) =>
        JSON.parse((await runCli(['audit', '--from-file', EXAMPLES, '-o', 'json', ...args])).stdout),
      ),
    );
    // All namespaces has scope.namespace null, -n a name. Only `warnings` stays empty: every kind was readable.
    expect(neverSet([all, scoped], auditSchema)).toEqual(['$.warnings[]']);
    expect([all.warnings, scoped.warnings]).toEqual([[], []]);
    expect(all.multiAttaches).toEqual([]);
  });

  it('the YAML document is the same data', async () => {
    const [json, yaml] = await Promise.all([
      runCli(['audit', '--from-file', EXAMPLES, '-o', 'json']),
      runCli(['audit', '--from-file', EXAMPLES, '-o', 'yaml']),
    ]);
    const doc = parseYaml(yaml.stdout);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(doc).toEqual(JSON.parse(json.stdout));
  });

  it('an empty report still has every key, with null statistics and [] lists', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLES, '-n', 'nothing-here', '-o', 'json']);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(checkSchema(doc, auditSchema)).toEqual([]);
    expect(doc.scope.namespace).toBe('nothing-here');
    expect(doc.migrations).toEqual([]);
    expect(doc.dualAttaches).toEqual([]);
    expect(doc.findings).toEqual([]);
    expect(doc.summary.durationSeconds).toEqual({ count: 0, min: null, p50: null, p95: null, max: null });
  });
});

describe('events -o json', () => {
  // The examples dump, read in-process: pg-01 (an unresolved migration, a stuck dual-attach with a
  // rejected target, two VMIMs, users on three nodes), runner-01 (an events.k8s.io event, no PV
  // timeout in its message), git-01-data (a hotplugged disk) and crm-01 (KubeVirt and the driver disagree).
  const load = (file: string): any[] => {
    const text = readFileSync(join(EXAMPLES, file), 'utf8');
    const doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    return doc.kind === 'List' || Array.isArray(doc.items) ? doc.items : [doc];
  };
  const events = [...load('events.json'), ...load('events-k8s-io.yaml')].map(normalizeEvent).filter((e): e is EventRecord => e !== null);
  const pvs = load('persistentvolumes.yaml')
    .map(normalizePersistentVolume)
    .filter((p): p is PersistentVolumeRecord => p !== null);
  const vas = load('volumeattachments.yaml')
    .map(normalizeVolumeAttachment)
    .filter((v): v is VolumeAttachmentRecord => v !== null);
  const claims = load('persistentvolumeclaims.json');
  const kubevirt = load('kubevirt.json');
  const ofKind = (kind: string) => kubevirt.filter((o) => o.kind === kind);
  const present = <T>(r: T | null): r is T => r !== null;
  const vmis = ofKind('VirtualMachineInstance').map(normalizeVmi).filter(present);
  const vmims = ofKind('VirtualMachineInstanceMigration').map(normalizeVmim).filter(present);
  const pods = load('pods.json').map(normalizePod).filter(present);
  const now = Date.parse('2026-11-26T10:00:00Z');

  const history = (ns: string, name: string, all = false) => {
    const raw = claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name);
    const pvc: PvcRecord = {
      namespace: ns,
      name,
      uid: raw.metadata.uid,
      resourceVersion: raw.metadata.resourceVersion,
      volumeName: raw.spec.volumeName,
    };
    const pv = pvs.find((p) => p.name === pvc.volumeName) ?? null;
    return JSON.parse(
      renderHistoryJson(
        buildPvcHistory(
          {
            pvc,
            volumeId: pv?.volumeHandle ?? pvc.volumeName,
            events,
            persistentVolume: pv,
            volumeAttachments: vas,
            // `events` reads the VMIs, VMIMs and pods of the PVC's namespace.
            vmis: vmis.filter((v) => v.namespace === ns),
            vmims: vmims.filter((v) => v.namespace === ns),
            pods: pods.filter((p) => p.namespace === ns),
            warnings: [],
          },
          { now, driver: 'rds.csi.srvlab.io', all, eventTtlSeconds: 3600 },
        ),
      ),
    );
  };

  const EXAMPLE_PVCS = [
    ['vms-dev', 'pg-01-rootdisk'],
    ['ci', 'runner-01-rootdisk'],
    ['vms-dev', 'api-01-rootdisk'],
    ['ci', 'build-cache'],
    ['vms-dev', 'git-01-data'],
    ['vms-prod', 'crm-01-rootdisk'],
    ['vms-prod', 'web-01-rootdisk'],
    ['vms-dev', 'test-01-rootdisk'],
  ];

  it.each(EXAMPLE_PVCS)('%s/%s has every required key with its type', (ns, name) => {
    for (const all of [false, true]) {
      const doc = history(ns, name, all);
      expect(checkSchema(doc, historySchema)).toEqual([]);
      expect(checkMigrationInvariants(doc.migrations)).toEqual([]);
      expect(doc.warnings).toEqual([]);
    }
  });

  it('the example gives every key a real value somewhere', () => {
    expect(
      neverSet(
        EXAMPLE_PVCS.map(([ns, name]) => history(ns!, name!)),
        historySchema,
      ),
    ).toEqual([]);
  });

  it('pg-01: its VM, both VMIMs as KubeVirt keeps them, and its users on three nodes', () => {
    const pg = history('vms-dev', 'pg-01-rootdisk');
    expect(pg.pvc.driver).toBe('rds.csi.srvlab.io');
    expect(pg.kubevirt).toEqual({
      vmi: 'pg-01',
      node: 'worker-1',
      migrations: [
        {
          name: 'kubevirt-evacuation-rp76v',
          uid: expect.any(String),
          phase: 'Failed',
          sourceNode: 'worker-1',
          targetNode: 'worker-2',
          startedAt: '2026-11-26T09:39:50Z',
          endedAt: '2026-11-26T09:45:07Z',
          failureReason: 'Live migration is not completed after 300 seconds and has been aborted',
        },
        {
          // In flight, its migrationState is not its own: nodes from the VMI and the target pod.
          name: 'kubevirt-evacuation-q8zvv',
          uid: expect.any(String),
          phase: 'Scheduling',
          sourceNode: 'worker-1',
          targetNode: 'worker-3',
          startedAt: '2026-11-26T09:46:16Z',
          endedAt: null,
          failureReason: null,
        },
      ],
    });
    expect(pg.migrations.map((m: any) => [m.state, m.recordedBy, m.kubevirt?.migration])).toEqual([
      ['unresolved', ['events', 'kubevirt'], 'kubevirt-evacuation-rp76v'],
    ]);
    expect(pg.users.map((u: any) => `${u.pod}@${u.node}`)).toEqual([
      'virt-launcher-pg-01-gqmgb@worker-1',
      'virt-launcher-pg-01-q8zt5@worker-2',
      'virt-launcher-pg-01-7xk4n@worker-3',
    ]);
    expect(pg.attachment.dualAttach).toMatchObject({ vmi: 'pg-01', vmiNode: 'worker-1', users: pg.users });

    // A hotplugged disk: its users are the hp-volume pods, resolved to the VM through their launcher pods.
    const data = history('vms-dev', 'git-01-data');
    expect(data.users.map((u: any) => [u.kind, u.vmi, u.node])).toEqual([
      ['hotplug', 'git-01', 'worker-2'],
      ['hotplug', 'git-01', 'worker-4'],
    ]);
    // A VM that is stopped has no VMI: no KubeVirt section, no users.
    expect(history('vms-dev', 'test-01-rootdisk')).toMatchObject({ kubevirt: null, users: [] });
  });

  it('nulls where values are absent, [] for empty lists', () => {
    const pg = history('vms-dev', 'pg-01-rootdisk');
    expect(pg.attachment.dualAttach).toMatchObject({ stuck: true, ageSeconds: 1200, nodes: ['worker-1', 'worker-2'] });
    expect(pg.events[0].parsed).toMatchObject({ durationSeconds: null, failureReason: null, timeoutSeconds: 300 });

    const cache = history('ci', 'build-cache');
    expect(cache.events).toEqual([]);
    expect(cache.migrations).toEqual([]);
    expect(cache.attachment).toEqual({ nodes: ['worker-2'], dualAttach: null, rejectedTargets: [] });

    // --all: the driver's own events have parsed: null.
    const withAll = history('ci', 'build-cache', true);
    expect(withAll.events.length).toBeGreaterThan(0);
    expect(withAll.events.every((e: any) => e.parsed === null)).toBe(true);

    const runner = history('ci', 'runner-01-rootdisk');
    expect(runner.events).toHaveLength(1);
    expect(runner.events[0]).toMatchObject({
      count: 1,
      firstSeen: '2026-11-26T09:00:09.412Z',
      lastSeen: '2026-11-26T09:00:09.412Z',
      component: 'rds-csi-controller',
    });
    expect(runner.events[0].parsed).toMatchObject({ timeoutSeconds: null, durationSeconds: 14, failureReason: null });
  });
});
