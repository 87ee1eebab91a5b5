// `audit --from-file`: kubectl dumps in every shape, `now` from the dump,
// input errors, and the design test: a dump and the same objects served live audit the same.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { kubeRequest } from '../helpers/kube-request.js';
import { event, launcherPod, namespace, node, pv, pvc, vmi, vmim, volumeAttachment } from '../helpers/objects.js';
import {
  auditSchema,
  checkMigrationInvariants,
  checkSchema,
  completedMessage,
  failedMessage,
  newVolumeIdentity,
  startedMessage,
} from '../helpers/read-side.js';
import { cliPath, kubectlAvailable, repoRoot, runCli, runKubectl } from '../helpers/run-cli.js';

const EXAMPLES = join(repoRoot, 'examples', 'cluster');
const example = (file: string) => join(EXAMPLES, file);
const EXAMPLE_FILES = [
  'events.json',
  'events-k8s-io.yaml',
  'kubevirt.json',
  'nodes.json',
  'persistentvolumes.yaml',
  'persistentvolumeclaims.json',
  'pods.json',
  'volumeattachments.yaml',
];

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rds-offline-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function offlineJson(args: string[], stdin?: string) {
  const res = await runCli(['audit', '-o', 'json', ...args], stdin !== undefined ? { stdin } : {});
  if (res.code !== 0 && res.code !== 1) throw new Error(`audit failed (${res.code}): ${res.stderr}`);
  return { ...res, doc: JSON.parse(res.stdout) };
}

describe('audit --from-file examples/cluster (examples/README.md)', () => {
  const PG_VOLUME = 'pvc-bb72ba09-0629-4453-9c93-d1ab7c4e80fa';
  const ALL_FINDINGS = [
    'error StuckDualAttach vms-dev/pg-01-rootdisk',
    'error AttachedToMissingNode vms-dev/test-01-rootdisk',
    'error OutcomeMismatch vms-prod/crm-01-rootdisk',
    'error MigrationFailed vms-prod/erp-01-rootdisk',
    'error UnsafeSharedAttach vms-prod/files-01-rootdisk',
    'warning StaleAttachment ci/runner-01-rootdisk',
    'warning MissingMigrationEvents vms-dev/git-01-data',
    'warning MissingMigrationEvents vms-dev/git-01-rootdisk',
    'warning UnresolvedMigration vms-dev/pg-01-rootdisk',
    'warning SlowMigration vms-prod/db-01-rootdisk',
    'warning DetachStuck vms-prod/web-01-rootdisk',
    'info DualAttachInProgress vms-dev/git-01-data',
    'info DualAttachInProgress vms-dev/git-01-rootdisk',
  ];
  const described = (doc: any) => doc.findings.map((f: any) => `${f.severity} ${f.code} ${f.namespace}/${f.pvc}`);
  const finding = (doc: any, code: string, pvc: string) => doc.findings.find((f: any) => f.code === code && f.pvc === pvc);

  it('reproduces the documented report', async () => {
    const { code, stderr, doc } = await offlineJson(['--from-file', EXAMPLES]);
    expect(stderr).toBe('');
    expect(code).toBe(1);
    expect(doc.now).toBe('2026-11-26T10:00:00Z');
    expect(doc.scope).toEqual({ namespace: null, driver: 'rds.csi.srvlab.io' });
    expect(doc.summary).toEqual({
      migrations: 11,
      completed: 7,
      failed: 2,
      inProgress: 1,
      unresolved: 1,
      untimedOccurrences: 0,
      dualAttaches: 5,
      stuckDualAttaches: 2,
      multiAttaches: 0,
      findings: { error: 5, warning: 6, info: 2 },
      excluded: 0,
      durationSeconds: { count: 7, min: 14, p50: 44, p95: 250, max: 250 },
    });
    expect(doc.warnings).toEqual([]);

    // The migrations table of the README: who recorded each, and KubeVirt's view of it.
    expect(
      doc.migrations.map((m: any) => [
        `${m.namespace}/${m.pvc}`,
        `${m.sourceNode}->${m.targetNode}`,
        m.state,
        m.startedAt,
        m.durationSeconds,
        m.timeoutSeconds,
        m.recordedBy.join('+'),
        m.kubevirt?.phase ?? null,
      ]),
    ).toEqual([
      ['vms-prod/web-01-rootdisk', 'worker-3->worker-1', 'completed', '2026-11-26T07:29:30Z', 55, 300, 'kubevirt', 'Succeeded'],
      ['ci/runner-01-rootdisk', 'worker-1->worker-2', 'completed', '2026-11-26T08:59:55.412Z', 14, 30, 'events', null],
      ['vms-dev/api-01-rootdisk', 'worker-3->worker-4', 'completed', '2026-11-26T09:05:10Z', 38, 600, 'events+kubevirt', 'Succeeded'],
      ['vms-prod/crm-01-rootdisk', 'worker-2->worker-4', 'failed', '2026-11-26T09:08:00Z', 300, 300, 'events+kubevirt', 'Succeeded'],
      ['vms-prod/web-01-rootdisk', 'worker-1->worker-2', 'completed', '2026-11-26T09:12:30Z', 102, 300, 'events+kubevirt', 'Succeeded'],
      ['vms-dev/api-01-rootdisk', 'worker-4->worker-3', 'completed', '2026-11-26T09:18:02Z', 35, 600, 'events+kubevirt', 'Succeeded'],
      ['vms-prod/db-01-rootdisk', 'worker-2->worker-3', 'completed', '2026-11-26T09:21:05Z', 250, 300, 'events+kubevirt', 'Succeeded'],
      ['vms-prod/erp-01-rootdisk', 'worker-3->worker-1', 'failed', '2026-11-26T09:30:00Z', 300, 300, 'events+kubevirt', 'Failed'],
      ['vms-dev/pg-01-rootdisk', 'worker-1->worker-2', 'unresolved', '2026-11-26T09:40:00Z', null, 300, 'events+kubevirt', 'Failed'],
      ['vms-dev/api-01-rootdisk', 'worker-3->worker-4', 'completed', '2026-11-26T09:41:30Z', 44, 600, 'events+kubevirt', 'Succeeded'],
      ['vms-prod/files-01-rootdisk', 'worker-2->worker-4', 'in-progress', '2026-11-26T09:57:05Z', null, 300, 'events', null],
    ]);
    expect(doc.migrations[1]).toMatchObject({ startInferred: true, events: ['runner-01-rootdisk.18eb8cba94030194'] });
    expect(doc.migrations[0].events).toEqual([]);

    // The dual-attaches: nodes source first, where the VM runs, and every pod using the volume.
    expect(
      doc.dualAttaches.map((d: any) => [
        `${d.namespace}/${d.pvc}`,
        d.nodes.join(','),
        d.since,
        d.stuck,
        d.vmi,
        d.vmiNode,
        d.users.map((u: any) => `${u.pod}@${u.node}:${u.kind}:${u.vmi}`),
      ]),
    ).toEqual([
      [
        'vms-dev/git-01-data',
        'worker-4,worker-2',
        '2026-11-26T09:57:50Z',
        false,
        'git-01',
        'worker-4',
        ['hp-volume-wmp5m@worker-2:hotplug:git-01', 'hp-volume-42dhx@worker-4:hotplug:git-01'],
      ],
      [
        'vms-dev/git-01-rootdisk',
        'worker-4,worker-2',
        '2026-11-26T09:57:42Z',
        false,
        'git-01',
        'worker-4',
        ['virt-launcher-git-01-gjc8s@worker-2:virt-launcher:git-01', 'virt-launcher-git-01-x9r4l@worker-4:virt-launcher:git-01'],
      ],
      [
        'vms-dev/pg-01-rootdisk',
        'worker-1,worker-2',
        '2026-11-26T09:40:00Z',
        true,
        'pg-01',
        'worker-1',
        [
          'virt-launcher-pg-01-gqmgb@worker-1:virt-launcher:pg-01',
          'virt-launcher-pg-01-q8zt5@worker-2:virt-launcher:pg-01',
          'virt-launcher-pg-01-7xk4n@worker-3:virt-launcher:pg-01',
        ],
      ],
      [
        'vms-prod/files-01-rootdisk',
        'worker-2,worker-4',
        '2026-11-26T09:57:05Z',
        false,
        'files-01',
        'worker-2',
        ['virt-launcher-files-01-6j5mc@worker-2:virt-launcher:files-01', 'files-01-disk-check@worker-4:other:null'],
      ],
      [
        'vms-prod/web-01-rootdisk',
        'worker-1,worker-2',
        '2026-11-26T09:12:30Z',
        true,
        'web-01',
        'worker-2',
        ['virt-launcher-web-01-s96bw@worker-2:virt-launcher:web-01'],
      ],
    ]);
    expect(doc.rejectedTargets.map((r: any) => `${r.namespace}/${r.pvc}@${r.node}`)).toEqual([
      'vms-dev/pg-01-rootdisk@worker-3',
      'vms-prod/erp-01-rootdisk@worker-4',
    ]);

    expect(described(doc)).toEqual(ALL_FINDINGS);
    // pg-01: the VM stays on worker-1; the pod the failed evacuation left on worker-2 is named, never the one on
    // worker-1, and the retry waiting on worker-3 is not aborted (that would not free worker-2).
    const pg = finding(doc, 'StuckDualAttach', 'pg-01-rootdisk');
    expect(pg.volumeId).toBe(PG_VOLUME);
    expect(pg.message).toContain('The VM (VMI pg-01) runs on worker-1.');
    expect(pg.next).toBe(
      'The VM runs on worker-1: keep it there and end the attachment on worker-2: delete the pod there: kubectl delete pod virt-launcher-pg-01-q8zt5 -n vms-dev.',
    );
    expect(pg.objects).toContainEqual({ kind: 'Pod', namespace: 'vms-dev', name: 'virt-launcher-pg-01-q8zt5' });
    expect(JSON.stringify(pg)).not.toContain('virt-launcher-pg-01-gqmgb');
    expect(finding(doc, 'UnresolvedMigration', 'pg-01-rootdisk').next).toBe(
      "Record the outcome KubeVirt saw: rds-migrate post-failed pg-01-rootdisk -n vms-dev --source worker-1 --target worker-2 --reason 'failed in KubeVirt (VMIM kubevirt-evacuation-rp76v)'.",
    );
    expect(finding(doc, 'UnsafeSharedAttach', 'files-01-rootdisk').next).toContain('kubectl delete pod files-01-disk-check -n vms-prod');
    expect(finding(doc, 'OutcomeMismatch', 'crm-01-rootdisk').message).toContain(
      "as failed 47m ago, but KubeVirt's migration kubevirt-migrate-vm-wrs56 says it succeeded",
    );
    expect(finding(doc, 'MissingMigrationEvents', 'git-01-rootdisk').message).toContain(
      'from worker-4 to worker-2 (migration kubevirt-migrate-vm-82cgk, Running, scheduled 2m7s ago)',
    );
    expect(finding(doc, 'DetachStuck', 'web-01-rootdisk').message).toContain('has been detaching for 45m');
    expect(finding(doc, 'StaleAttachment', 'runner-01-rootdisk').message).toContain('Its attachment to worker-2 is stale');
    expect(finding(doc, 'AttachedToMissingNode', 'test-01-rootdisk').message).toBe(
      'Still attached on node worker-5, which no longer exists (attached there 7d23h ago).',
    );
  });

  it.concurrent.each([
    ['-n vms-prod', ['-n', 'vms-prod'], 1, ['OutcomeMismatch', 'MigrationFailed', 'UnsafeSharedAttach', 'SlowMigration', 'DetachStuck'], 6],
    [
      '-n vms-dev',
      ['-n', 'vms-dev'],
      1,
      [
        'StuckDualAttach',
        'AttachedToMissingNode',
        'MissingMigrationEvents',
        'MissingMigrationEvents',
        'UnresolvedMigration',
        'DualAttachInProgress',
        'DualAttachInProgress',
      ],
      4,
    ],
    ['-n ci', ['-n', 'ci'], 0, ['StaleAttachment'], 1],
    [
      '--since 25m',
      ['--since', '25m'],
      1,
      ALL_FINDINGS.filter((f) => !/OutcomeMismatch|MigrationFailed|SlowMigration/.test(f)).map((f) => f.split(' ')[1]),
      3,
    ],
    ['--since 1h', ['--since', '1h'], 1, ALL_FINDINGS.map((f) => f.split(' ')[1]), 9],
    ['--stuck-after 30m', ['--stuck-after', '30m'], 1, [...ALL_FINDINGS.slice(1).map((f) => f.split(' ')[1]), 'DualAttachInProgress'], 11],
    [
      '--stale-after 1h',
      ['--stale-after', '1h'],
      1,
      [
        ...ALL_FINDINGS.slice(0, 5),
        'error StuckDualAttach vms-prod/web-01-rootdisk',
        ...ALL_FINDINGS.slice(5).filter((f) => !f.includes('DetachStuck')),
      ].map((f) => f.split(' ')[1]),
      11,
    ],
    [
      '--event-ttl 2m',
      ['--event-ttl', '2m'],
      1,
      ALL_FINDINGS.filter((f) => !f.includes('MissingMigrationEvents')).map((f) => f.split(' ')[1]),
      11,
    ],
    ['--fail-on warning', ['--fail-on', 'warning'], 1, ALL_FINDINGS.map((f) => f.split(' ')[1]), 11],
    ['--fail-on never', ['--fail-on', 'never'], 0, ALL_FINDINGS.map((f) => f.split(' ')[1]), 11],
  ])('%s gives the documented variation', async (_name, args, exit, codes, migrations) => {
    const { code, doc } = await offlineJson(['--from-file', EXAMPLES, ...args]);
    expect(code).toBe(exit);
    expect(doc.findings.map((f: any) => f.code)).toEqual(codes);
    expect(doc.migrations).toHaveLength(migrations);
  });

  it('--stuck-after and --stale-after change which finding speaks for a dual-attach', async () => {
    const later = (await offlineJson(['--from-file', EXAMPLES, '--stuck-after', '30m'])).doc;
    expect(finding(later, 'DualAttachInProgress', 'pg-01-rootdisk').message).toContain('for 20m of its 30m migration timeout');
    const stale = (await offlineJson(['--from-file', EXAMPLES, '--stale-after', '1h'])).doc;
    // The web-01 detach has not yet been stuck for an hour, so the dual-attach it leaves is reported instead.
    expect(finding(stale, 'StuckDualAttach', 'web-01-rootdisk').next).toBe(
      'The VM runs on worker-2: keep it there and end the attachment on worker-1: no pod uses the volume there any more, so check the kubelet and the CSI node plugin on worker-1 (kubectl describe node worker-1).',
    );
  });

  it('--exclude acknowledges findings: left out of the report and of the exit code, and counted', async () => {
    const one = await offlineJson([
      '--from-file',
      EXAMPLES,
      '--exclude',
      'AttachedToMissingNode=vms-dev/test-01-rootdisk',
      '--exclude',
      'MissingMigrationEvents',
    ]);
    expect(one.code).toBe(1);
    expect(one.doc.summary.excluded).toBe(3);
    expect(one.doc.summary.findings).toEqual({ error: 4, warning: 4, info: 2 });
    expect(described(one.doc)).toEqual(ALL_FINDINGS.filter((f) => !/AttachedToMissingNode|MissingMigrationEvents/.test(f)));
    const errors = ['StuckDualAttach', 'AttachedToMissingNode', 'OutcomeMismatch', 'MigrationFailed', 'UnsafeSharedAttach'];
    const quiet = await offlineJson(['--from-file', EXAMPLES, ...errors.flatMap((c) => ['--exclude', c])]);
    expect(quiet.code).toBe(0);
    expect(quiet.doc.summary.excluded).toBe(5);
    expect(quiet.doc.summary.findings.error).toBe(0);
  });

  it('-o prometheus matches the documented samples', async () => {
    const res = await runCli(['audit', '--from-file', EXAMPLES, '-o', 'prometheus']);
    expect(res.code).toBe(1);
    const samples = (name: string) =>
      [...res.stdout.matchAll(new RegExp(`^${name}(?:\\{[a-z]+="([^"]+)"\\})? (\\S+)$`, 'gm'))].map((m) =>
        m[1] ? `${m[1]}:${m[2]}` : m[2],
      );
    expect(samples('rds_migrate_audit_migrations')).toEqual(['completed:7', 'failed:2', 'in-progress:1', 'unresolved:1']);
    expect(samples('rds_migrate_audit_dual_attaches')).toEqual(['5']);
    expect(samples('rds_migrate_audit_stuck_dual_attaches')).toEqual(['2']);
    expect(samples('rds_migrate_audit_multi_attaches')).toEqual(['0']);
    expect(samples('rds_migrate_audit_findings')).toEqual(['error:5', 'warning:6', 'info:2']);
    expect(samples('rds_migrate_audit_timestamp_seconds')).toEqual(['1795687200']);
    expect(samples('rds_migrate_audit_migration_duration_seconds_bucket')).toEqual([
      '15:1',
      '30:1',
      '60:5',
      '90:5',
      '120:6',
      '180:6',
      '300:7',
      '600:7',
      '+Inf:7',
    ]);
    expect(samples('rds_migrate_audit_migration_duration_seconds_sum')).toEqual(['538']);
    expect(samples('rds_migrate_audit_migration_duration_seconds_count')).toEqual(['7']);
  });
});

describe('--from-file inputs', () => {
  it('is repeatable, reads `-` from stdin, and gives the same report as the directory', async () => {
    const whole = (await offlineJson(['--from-file', EXAMPLES])).doc;
    const files = await offlineJson(EXAMPLE_FILES.flatMap((f) => ['--from-file', example(f)]));
    expect(files.doc).toEqual(whole);
    const stdin = await offlineJson(
      ['--from-file', '-', ...EXAMPLE_FILES.filter((f) => f !== 'events.json').flatMap((f) => ['--from-file', example(f)])],
      readFileSync(example('events.json'), 'utf8'),
    );
    expect(stdin.doc).toEqual(whole);
    // Without the events.k8s.io file the inferred runner-01 migration is gone, and without
    // kubevirt.json the web-01 migration only KubeVirt remembers.
    const partial = await offlineJson([
      '--from-file',
      example('events.json'),
      '--from-file',
      example('persistentvolumes.yaml'),
      '--from-file',
      example('volumeattachments.yaml'),
    ]);
    expect(partial.doc.summary.migrations).toBe(9);
  });

  it('a dump without VolumeAttachments or Nodes says which findings it therefore cannot make', async () => {
    const without = (left: string[]) =>
      offlineJson(EXAMPLE_FILES.filter((f) => !left.includes(f)).flatMap((f) => ['--from-file', example(f)]));
    const noVas = (await without(['volumeattachments.yaml'])).doc;
    expect(noVas.dualAttaches).toEqual([]);
    expect(noVas.warnings).toEqual([expect.stringMatching(/^VolumeAttachments could not be read, so no StuckDualAttach, /)]);
    const noNodes = (await without(['nodes.json'])).doc;
    expect(noNodes.findings.map((f: any) => f.code)).not.toContain('StaleAttachment');
    expect(noNodes.warnings).toEqual([expect.stringMatching(/^Nodes could not be read, so no .*StaleAttachment/)]);
  });

  it('counts an object given twice once, and says so', async () => {
    const whole = (await offlineJson(['--from-file', EXAMPLES])).doc;
    const twice = (await offlineJson(['--from-file', EXAMPLES, '--from-file', example('events.json')])).doc;
    expect(twice.migrations).toEqual(whole.migrations);
    expect(twice.findings).toEqual(whole.findings);
    const copies = JSON.parse(readFileSync(example('events.json'), 'utf8')).items.length;
    expect(twice.warnings).toContain(
      `${copies} object(s) appeared more than once in the dump (same kind, namespace and name) and were counted once`,
    );
  });

  it('reads YAML from stdin too', async () => {
    const yamlText = toYaml(JSON.parse(readFileSync(example('events.json'), 'utf8')));
    const res = await offlineJson(
      ['--from-file', '-', '--from-file', example('persistentvolumes.yaml'), '--from-file', example('volumeattachments.yaml')],
      yamlText,
    );
    expect(res.doc.summary.migrations).toBe(9);
  });

  describe('object shapes', () => {
    // One PVC with a failed migration and a dual-attach, spread over files of every shape.
    const { uid, vol } = newVolumeIdentity();
    const claim = pvc({ namespace: 'shapes', name: 'shape-disk', uid, volumeName: vol });
    const volume = pv({ name: vol, claimRef: { namespace: 'shapes', name: 'shape-disk', uid }, timeout: '120' });
    const started = event({
      pvc: claim,
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(vol, 'node-a', 'node-b', '2m0s'),
      firstTimestamp: '2024-01-01T00:00:00Z',
    });
    const failed = event({
      pvc: claim,
      reason: 'MigrationFailed',
      type: 'Warning',
      message: failedMessage(vol, 'node-a', 'node-b', 'timeout', '2m0s'),
      firstTimestamp: '2024-01-01T00:02:00Z',
    });
    const vaA = volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: '2023-12-01T00:00:00Z' });
    const vaB = volumeAttachment({ pv: volume, node: 'node-b', attached: true, createdAt: '2024-01-01T00:00:00Z' });
    // The newest timestamp anywhere in the input: an attachError time.
    const vaC = volumeAttachment({
      pv: volume,
      node: 'node-c',
      attached: false,
      createdAt: '2024-01-01T00:04:00Z',
      attachError: { message: 'limit', time: '2024-01-01T00:05:00Z' },
    });
    const stripKind = (o: any) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
      return rest;
    };

    const expectShapeReport = (doc: any) => {
      expect(checkSchema(doc, auditSchema)).toEqual([]);
      expect(doc.migrations.map((m: any) => [m.pvc, m.state, m.durationSeconds, m.timeoutSeconds])).toEqual([
        ['shape-disk', 'failed', 120, 120],
      ]);
      expect(doc.dualAttaches).toHaveLength(1);
      expect(doc.dualAttaches[0]).toMatchObject({
        pvc: 'shape-disk',
        nodes: ['node-a', 'node-b'],
        since: '2024-01-01T00:00:00Z',
        timeoutSeconds: 120,
      });
      expect(doc.findings.map((f: any) => f.code)).toEqual(['MigrationFailed', 'StuckDualAttach']);
    };

    it('a kubectl List (JSON), single objects and multi-document YAML', async () => {
      const list = write(
        'shapes/list.json',
        JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [started, claim] }, null, 2),
      );
      const single = write('shapes/single.yaml', toYaml(failed));
      const multi = write('shapes/multi.yml', [volume, vaA, vaB, vaC].map((o) => toYaml(o)).join('---\n'));
      const { code, doc } = await offlineJson(['--from-file', list, '--from-file', single, '--from-file', multi]);
      expect(code).toBe(1);
      expectShapeReport(doc);
      expect(doc.now).toBe('2024-01-01T00:05:00Z');
      // The same files as a directory (a README in it is not a dump and is skipped).
      write('shapes/README.md', '# not a dump\n');
      const fromDir = await offlineJson(['--from-file', join(dir, 'shapes')]);
      expect(fromDir.doc).toEqual(doc);
    });

    it('API-server lists whose items carry no kind (EventList, PersistentVolumeList, VolumeAttachmentList)', async () => {
      const events = write(
        'api/events.json',
        JSON.stringify({
          kind: 'EventList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '7' },
          items: [started, failed].map(stripKind),
        }),
      );
      const pvs = write(
        'api/pvs.yaml',
        toYaml({ kind: 'PersistentVolumeList', apiVersion: 'v1', metadata: {}, items: [stripKind(volume)] }),
      );
      const vas = write(
        'api/vas.json',
        JSON.stringify({
          kind: 'VolumeAttachmentList',
          apiVersion: 'storage.k8s.io/v1',
          metadata: {},
          items: [vaA, vaB, vaC].map(stripKind),
        }),
      );
      const { doc } = await offlineJson(['--from-file', events, '--from-file', pvs, '--from-file', vas]);
      expectShapeReport(doc);
      expect(doc.now).toBe('2024-01-01T00:05:00Z');
    });

    it('--now overrides the newest timestamp (any RFC 3339 offset)', async () => {
      const list = write('now/all.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [started, failed, volume, vaA, vaB] }));
      const newest = await offlineJson(['--from-file', list]);
      // Without vaC the newest timestamp is the MigrationFailed event.
      expect(newest.doc.now).toBe('2024-01-01T00:02:00Z');
      expect(newest.doc.dualAttaches[0].ageSeconds).toBe(120);
      expect(newest.doc.dualAttaches[0].stuck).toBe(true); // 120 s ≥ 120 s
      const early = await offlineJson(['--from-file', list, '--now', '2024-01-01T02:01:00+02:00']);
      expect(early.doc.now).toBe('2024-01-01T00:01:00Z');
      expect(early.doc.dualAttaches[0]).toMatchObject({ ageSeconds: 60, stuck: false });
      expect(early.doc.findings.map((f: any) => f.code)).toEqual(['MigrationFailed', 'DualAttachInProgress']);
      const late = await offlineJson(['--from-file', list, '--now', '2024-01-03T00:00:00Z']);
      expect(late.doc.dualAttaches[0].ageSeconds).toBe(2 * 86400);
    });

    it('-n with VolumeAttachments whose PV is not in the dump says they could not be placed', async () => {
      const file = write('nopv/vas.yaml', [vaA, vaB].map((o) => toYaml(o)).join('---\n'));
      const scoped = await offlineJson(['--from-file', file, '-n', 'shapes']);
      expect(scoped.doc.dualAttaches).toEqual([]);
      expect(scoped.doc.warnings).toContain(
        `1 volume(s) attached to several nodes could not be placed in a namespace (no PersistentVolume claims them) and are not shown: ${vol}; audit all namespaces to see them.`,
      );
      const all = await offlineJson(['--from-file', file]);
      expect(all.doc.dualAttaches.map((d: any) => [d.volumeId, d.namespace, d.pvc])).toEqual([[vol, null, null]]);
      // A dump without a kind is read like a forbidden list of it: each says what it costs.
      expect(all.doc.warnings.map((w: string) => w.split(' could not')[0])).toEqual(['Migration events', 'PersistentVolumes', 'Nodes']);
    });

    it('a dump without timestamps audits at the current time and says so', async () => {
      const file = write('timeless.json', JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [volume] }));
      const { code, doc } = await offlineJson(['--from-file', file]);
      expect(code).toBe(0);
      expect(Math.abs(Date.parse(doc.now) - Date.now())).toBeLessThan(30_000);
      expect(doc.warnings[0]).toBe('the dump holds no usable timestamps; auditing at the current time');
    });
  });

  describe('bad input is exit 2 with one line', () => {
    const oneLine = /^error: [^\n]+\n$/;
    it.concurrent.each([
      [
        'a missing file',
        () => join(dir, 'no-such-file.json'),
        /^error: cannot read --from-file ".*no-such-file\.json": no such file or directory\n$/,
      ],
      [
        'a path through a file',
        () => join(repoRoot, 'package.json', 'x.json'),
        /^error: cannot read --from-file ".*x\.json": not a directory\n$/,
      ],
      [
        'malformed JSON',
        () => write('bad/broken.json', '{"kind": "List", "items": [\n'),
        /^error: --from-file ".*broken\.json" is not valid JSON: /,
      ],
      [
        'malformed YAML',
        () => write('bad/broken.yaml', 'kind: List\nitems:\n  - {a: 1\n'),
        /^error: --from-file ".*broken\.yaml" is not valid YAML: /,
      ],
      ['an empty file', () => write('bad/empty.yaml', ''), /^error: --from-file ".*empty\.yaml" is empty\n$/],
      ['a whitespace-only file', () => write('bad/blank.json', '  \n\n'), /^error: --from-file ".*blank\.json" is empty\n$/],
      [
        'a directory without dumps',
        () => {
          mkdirSync(join(dir, 'nothing'), { recursive: true });
          return join(dir, 'nothing');
        },
        /is a directory with no \.json, \.yaml or \.yml files\n$/,
      ],
      ['an object without a kind', () => write('bad/kindless.json', '{"metadata": {"name": "x"}}'), /holds an object without a kind\n$/],
      ['a scalar', () => write('bad/scalar.yaml', '42\n'), /does not hold Kubernetes objects\n$/],
    ])('%s', async (_what, makePath, message) => {
      const res = await runCli(['audit', '--from-file', makePath()]);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(oneLine);
      expect(res.stderr).toMatch(message);
    });

    it('an empty stdin', async () => {
      const res = await runCli(['audit', '--from-file', '-'], { stdin: '' });
      expect(res.code).toBe(2);
      expect(res.stderr).toBe('error: --from-file "stdin" is empty\n');
    });

    it('a bad --now', async () => {
      const res = await runCli(['audit', '--from-file', EXAMPLES, '--now', 'yesterday']);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^error: invalid --now "yesterday": must be an RFC 3339 time/);
    });
  });
});

describe('the design test: a dump and the live cluster audit the same', () => {
  let server: FakeServer;
  let kubeconfig: string;

  /** A small cluster in every shape the reader must handle, times relative to `now`. */
  function buildCluster(now: number): object[] {
    const ago = (s: number) => new Date(now - s * 1000);
    const objects: object[] = [namespace('prod'), namespace('dev'), namespace('ci')];
    const vol = (ns: string, name: string, opts: { timeout?: string; driver?: string } = {}) => {
      const { uid, vol: id } = newVolumeIdentity();
      const claim = pvc({ namespace: ns, name, uid, volumeName: id });
      const v = pv({ name: id, claimRef: { namespace: ns, name, uid }, ...opts });
      objects.push(claim, v);
      return { claim, v, id };
    };
    const ev = (claim: any, reason: string, message: string, firstAgo: number, extra: Record<string, unknown> = {}) =>
      objects.push(
        event({
          pvc: claim,
          reason,
          type: reason === 'MigrationFailed' ? 'Warning' : 'Normal',
          message,
          firstTimestamp: ago(firstAgo),
          ...extra,
        }),
      );
    const va = (v: any, node: string, createdAgo: number, extra: Record<string, unknown> = {}) =>
      objects.push(volumeAttachment({ pv: v, node, attached: true, createdAt: ago(createdAgo), ...extra }));

    const web = vol('prod', 'web', { timeout: '300' });
    ev(web.claim, 'MigrationStarted', startedMessage(web.id, 'w1', 'w2', '5m0s'), 1500);
    ev(web.claim, 'MigrationCompleted', completedMessage(web.id, 'w1', 'w2', '4m10s'), 1250);
    va(web.v, 'w2', 1500);
    const erp = vol('prod', 'erp', { timeout: '300' });
    ev(erp.claim, 'MigrationStarted', startedMessage(erp.id, 'w3', 'w1', '5m0s'), 1200);
    ev(erp.claim, 'MigrationFailed', failedMessage(erp.id, 'w3', 'w1', 'timeout', '5m0s'), 900);
    va(erp.v, 'w3', 9000);
    va(erp.v, 'w1', 905, { attached: false, attachError: { message: 'migration timeout exceeded', time: ago(900) } });
    // A count-2 Started (A→B, B→A, A→B) and the migrations it takes part in.
    const api = vol('dev', 'api', { timeout: '600' });
    ev(api.claim, 'MigrationStarted', startedMessage(api.id, 'w3', 'w4', '10m0s'), 3000, { count: 2, lastTimestamp: ago(1000) });
    ev(api.claim, 'MigrationCompleted', completedMessage(api.id, 'w3', 'w4', '38s'), 2962);
    ev(api.claim, 'MigrationStarted', startedMessage(api.id, 'w4', 'w3', '10m0s'), 2000);
    ev(api.claim, 'MigrationCompleted', completedMessage(api.id, 'w4', 'w3', '35s'), 1965);
    ev(
      api.claim,
      'MigrationCompleted',
      `(combined from similar events): ${completedMessage(api.id, 'w3', 'w4', '44s')}`.replace(' -> ', ' → '),
      956,
    );
    va(api.v, 'w4', 1000);
    // Stuck: unresolved migration on a dual-attached volume, with a rejected third target.
    const pg = vol('dev', 'pg', { timeout: '300' });
    ev(pg.claim, 'MigrationStarted', startedMessage(pg.id, 'w1', 'w2', '5m0s'), 1200);
    va(pg.v, 'w1', 500_000);
    va(pg.v, 'w2', 1200);
    va(pg.v, 'w3', 800, { attached: false, attachError: { message: 'already attached to 2 nodes', time: ago(820) } });
    // An unparsed message, and a MigrationStarted on a VMI (not the driver's).
    ev(pg.claim, 'MigrationCompleted', 'done by hand', 700);
    objects.push({
      ...event({
        pvc: pg.claim,
        reason: 'MigrationStarted',
        type: 'Normal',
        message: 'VMI pg is migrating',
        firstTimestamp: ago(1199),
        component: 'virt-controller',
      }),
      involvedObject: {
        kind: 'VirtualMachineInstance',
        apiVersion: 'kubevirt.io/v1',
        namespace: 'dev',
        name: 'pg',
        uid: 'abababab-0000-4000-8000-000000000000',
      },
      metadata: { name: 'pg.vmi', namespace: 'dev' },
    });
    // Written through events.k8s.io/v1: no first/last timestamps, only eventTime (+ series).
    const runner = vol('ci', 'runner', { timeout: '15' });
    objects.push({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'runner.v1', namespace: 'ci' },
      eventTime: new Date(now - 600_000).toISOString().replace('Z', '000Z'),
      regarding: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'ci', name: 'runner', uid: runner.claim.metadata.uid },
      note: completedMessage(runner.id, 'w1', 'w2', '14s'),
      reason: 'MigrationCompleted',
      type: 'Normal',
      action: 'Migrate',
      reportingController: 'rds-csi-controller',
      reportingInstance: 'rds-csi-controller-0',
    });
    va(runner.v, 'w2', 620);
    // In progress, dual-attached, not stuck yet.
    const live = vol('ci', 'live', { timeout: '900' });
    ev(live.claim, 'MigrationStarted', startedMessage(live.id, 'w2', 'w3', '15m0s'), 90);
    va(live.v, 'w2', 86400);
    va(live.v, 'w3', 90);
    // Another driver's dual-attach.
    const ceph = vol('dev', 'ceph', { driver: 'rook-ceph.rbd.csi.ceph.com' });
    va(ceph.v, 'w1', 7200);
    va(ceph.v, 'w3', 600);
    // A non-migration event in the dump is ignored either way.
    ev(web.claim, 'VolumeAttached', `[${web.id}]: Attached to node w2`, 1490);

    // KubeVirt: web's migration is matched to its VMIM, and an older one only KubeVirt remembers.
    const webVm = vmi({ namespace: 'prod', name: 'web', node: 'w2', pvcs: ['web'], createdAt: ago(90_000) });
    const webMig = vmim({
      namespace: 'prod',
      name: 'kubevirt-migrate-vm-web',
      vmi: 'web',
      phase: 'Succeeded',
      createdAt: ago(1505),
      transitions: { Scheduling: ago(1504), Scheduled: ago(1490), Succeeded: ago(1250) },
      state: { sourceNode: 'w1', targetNode: 'w2', endTimestamp: ago(1251) },
    });
    const webOld = vmim({
      namespace: 'prod',
      name: 'kubevirt-evacuation-old',
      vmi: 'web',
      phase: 'Succeeded',
      createdAt: ago(10_800),
      transitions: { Scheduled: ago(10_790), Succeeded: ago(10_700) },
      state: { sourceNode: 'w2', targetNode: 'w1', endTimestamp: ago(10_700) },
    });
    objects.push(webVm, webMig, webOld, launcherPod({ vmi: webVm, name: 'virt-launcher-web-x2', node: 'w2', migration: webMig }));
    // pg: its migration to w2 failed in KubeVirt, yet the target pod still runs: two launchers, no migration.
    const pgVm = vmi({ namespace: 'dev', name: 'pg', node: 'w1', pvcs: ['pg'], createdAt: ago(500_000) });
    const pgMig = vmim({
      namespace: 'dev',
      name: 'kubevirt-evacuation-pg',
      vmi: 'pg',
      phase: 'Failed',
      createdAt: ago(1205),
      transitions: { Scheduling: ago(1204), Scheduled: ago(1190), Failed: ago(900) },
      state: { sourceNode: 'w1', targetNode: 'w2', failureReason: 'Live migration failed: transfer timed out', endTimestamp: ago(900) },
    });
    objects.push(
      pgVm,
      pgMig,
      launcherPod({ vmi: pgVm, name: 'virt-launcher-pg-w1', node: 'w1' }),
      launcherPod({ vmi: pgVm, name: 'virt-launcher-pg-w2', node: 'w2', migration: pgMig }),
    );
    // live: a migration in flight (its target pod on w3), so its dual-attach is safe.
    const liveVm = vmi({ namespace: 'ci', name: 'live', node: 'w2', pvcs: ['live'], createdAt: ago(86_400) });
    const liveMig = vmim({
      namespace: 'ci',
      name: 'kubevirt-migrate-vm-live',
      vmi: 'live',
      phase: 'Running',
      createdAt: ago(95),
      transitions: { Scheduled: ago(85) },
    });
    objects.push(
      liveVm,
      liveMig,
      launcherPod({ vmi: liveVm, name: 'virt-launcher-live-w2', node: 'w2' }),
      launcherPod({ vmi: liveVm, name: 'virt-launcher-live-w3', node: 'w3', migration: liveMig }),
    );
    // The kubelets: w2 no longer uses runner's volume (a stale attachment); w5 is gone.
    const inUse = (...ids: string[]) => ids.map((id) => `kubernetes.io/csi/rds.csi.srvlab.io^${id}`);
    objects.push(
      node('w1', [...inUse(pg.id), `kubernetes.io/csi/rook-ceph.rbd.csi.ceph.com^${ceph.id}`]),
      node('w2', inUse(web.id, pg.id, live.id)),
      node('w3', [...inUse(erp.id, live.id), `kubernetes.io/csi/rook-ceph.rbd.csi.ceph.com^${ceph.id}`]),
      node('w4', inUse(api.id)),
    );
    const lost = vol('ci', 'lost', { timeout: '300' });
    va(lost.v, 'w5', 7200);
    return objects;
  }

  beforeAll(async () => {
    server = await startFakeServer({ objects: buildCluster(Date.now()), kubevirt: true });
    kubeconfig = server.writeKubeconfig(join(dir, 'design'));
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Saves the cluster as an operator would: kubectl when installed, else the raw API lists. */
  let dumped: Promise<string> | undefined;
  async function saveDump(target: string): Promise<string> {
    mkdirSync(target, { recursive: true });
    if (kubectlAvailable) {
      // What an operator saves: everything namespaced and cluster-wide in one list, VolumeAttachments apart.
      const dumps: [string, string[]][] = [
        ['cluster.json', ['get', 'events,pv,pvc,pods,nodes,vmi,vmim', '-A', '-o', 'json']],
        ['volumeattachments.yaml', ['get', 'volumeattachments', '-o', 'yaml']],
      ];
      for (const [file, args] of dumps) {
        const res = await runKubectl(args, { kubeconfig });
        expect(res.code, res.stderr).toBe(0);
        writeFileSync(join(target, file), res.stdout);
      }
      return target;
    }
    for (const [file, path] of [
      ['events.json', '/api/v1/events'],
      ['pv.json', '/api/v1/persistentvolumes'],
      ['pods.json', '/api/v1/pods'],
      ['nodes.json', '/api/v1/nodes'],
      ['vmis.json', '/apis/kubevirt.io/v1/virtualmachineinstances'],
      ['vmims.json', '/apis/kubevirt.io/v1/virtualmachineinstancemigrations'],
      ['volumeattachments.json', '/apis/storage.k8s.io/v1/volumeattachments'],
    ] as const) {
      const res = await kubeRequest(server, { path });
      expect(res.status).toBe(200);
      writeFileSync(join(target, file), res.text);
    }
    return target;
  }

  it.each([[[] as string[]], [['-n', 'dev']], [['--since', '30m', '--stuck-after', '20m']]])(
    'identical JSON for audit %j',
    async (extra) => {
      const live = await runCli(['audit', '-o', 'json', ...extra], { kubeconfig });
      expect(live.stderr).toBe('');
      const liveDoc = JSON.parse(live.stdout);
      expect(checkSchema(liveDoc, auditSchema)).toEqual([]);
      expect(checkMigrationInvariants(liveDoc.migrations)).toEqual([]);

      // The objects never change, so one saved dump serves every variation.
      dumped ??= saveDump(join(dir, 'design', 'dump'));
      const target = await dumped;
      const offline = await runCli(['audit', '-o', 'json', '--from-file', target, '--now', liveDoc.now, ...extra]);
      expect(offline.stderr).toBe('');
      expect(offline.code).toBe(live.code);
      expect(JSON.parse(offline.stdout)).toEqual(liveDoc);
      // …and byte for byte.
      expect(offline.stdout).toBe(live.stdout);
    },
  );

  it('the live report holds every kind of result the dump exercises', async () => {
    const live = await runCli(['audit', '-o', 'json'], { kubeconfig });
    const doc = JSON.parse(live.stdout);
    expect(live.code).toBe(1);
    expect(doc.summary).toMatchObject({
      migrations: 9,
      completed: 6,
      failed: 1,
      inProgress: 1,
      unresolved: 1,
      dualAttaches: 2,
      stuckDualAttaches: 1,
    });
    expect(doc.findings.map((f: any) => f.code).sort()).toEqual(
      [
        'AttachedToMissingNode',
        'DualAttachInProgress',
        'MigrationFailed',
        'SlowMigration',
        'StaleAttachment',
        'UnparsedEvent',
        'UnresolvedMigration',
        'UnsafeSharedAttach',
      ].sort(),
    );
    expect(doc.migrations.filter((m: any) => m.recordedBy.join() === 'kubevirt').map((m: any) => m.kubevirt.migration)).toEqual([
      'kubevirt-evacuation-old',
    ]);
    expect(doc.migrations.find((m: any) => m.pvc === 'web' && m.recordedBy.length === 2)?.kubevirt.migration).toBe(
      'kubevirt-migrate-vm-web',
    );
    const pg = doc.findings.find((f: any) => f.code === 'UnsafeSharedAttach');
    expect(pg.next).toContain('kubectl delete pod virt-launcher-pg-w2 -n dev');
    expect(pg.next).not.toContain('virt-launcher-pg-w1');
    expect(doc.warnings).toEqual([]);
    const runner = doc.migrations.find((m: any) => m.pvc === 'runner');
    expect(runner).toMatchObject({ state: 'completed', startInferred: true, timeoutSeconds: 30, durationSeconds: 14 });
    expect(doc.dualAttaches.map((d: any) => d.pvc)).toEqual(['live', 'pg']);
  });
});

describe('colour', () => {
  const ESC = '\x1b';

  it('is off when piped, with NO_COLOR and with --no-color', async () => {
    const runs = await Promise.all([
      runCli(['audit', '--from-file', EXAMPLES]),
      runCli(['audit', '--from-file', EXAMPLES, '-o', 'wide'], { env: { NO_COLOR: '1' } }),
      runCli(['audit', '--from-file', EXAMPLES, '--no-color']),
    ]);
    for (const res of runs) {
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('StuckDualAttach');
      expect(res.stdout).not.toContain(ESC);
      expect(res.stderr).not.toContain(ESC);
    }
  });

  // util-linux `script` gives the CLI a pseudo-terminal, as an operator's shell does.
  const SCRIPT = '/usr/bin/script';
  const inPty = (args: string, env: Record<string, string> = {}) =>
    spawnSync(SCRIPT, ['-q', '-e', '-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} ${args}`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, TERM: 'xterm', ...env },
      input: '',
      encoding: 'utf8',
      timeout: 20_000,
    });

  it.skipIf(!existsSync(SCRIPT))('is on for a table on a terminal, for severity and outcome, and never in machine output', () => {
    const table = inPty(`audit --from-file ${JSON.stringify(EXAMPLES)}`);
    expect(table.status).toBe(1);
    expect(table.stdout).toContain(`${ESC}[31mERROR (5)${ESC}[39m`);
    expect(table.stdout).toContain(`${ESC}[32mcompleted${ESC}[39m`);
    // The colour codes do not disturb the alignment: every migration row starts its STATE column at the same place.
    const rows = table.stdout.split(/\r?\n/).filter((l) => /^(ci|vms-\w+) +\S+ +worker-\d +worker-\d +/.test(l));
    const stateColumn = rows.map((l) => l.replace(/\x1b\[\d+m/g, '').search(/(completed|failed|in-progress|unresolved)/));
    expect(rows).toHaveLength(11);
    expect(new Set(stateColumn).size).toBe(1);
    for (const format of ['json', 'yaml', 'prometheus']) {
      const machine = inPty(`audit --from-file ${JSON.stringify(EXAMPLES)} -o ${format}`);
      expect(machine.status).toBe(1);
      expect(machine.stdout).not.toContain(ESC);
    }
    expect(inPty(`audit --from-file ${JSON.stringify(EXAMPLES)}`, { NO_COLOR: '1' }).stdout).not.toContain(ESC);
    expect(inPty(`audit --from-file ${JSON.stringify(EXAMPLES)} --no-color`).stdout).not.toContain(ESC);
  });
});

// ---- inputs that never end, signals, links, byte order marks, memory (issue: adversarial review) ----

interface Started {
  child: ChildProcess;
  /** Resolves when the process has exited: its code, output, and ms from `signal()` to the exit. */
  done: Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number | null }>;
  signal(name: NodeJS.Signals): void;
}

/** Starts the built CLI like runCli (clean environment), with stdin a pipe the test controls. */
function startCli(args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalledAt: number | null = null;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin!.on('error', () => undefined);
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number | null }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, afterSignalMs: signalledAt === null ? null : performance.now() - signalledAt });
    });
  });
  return {
    child,
    done,
    signal: (name) => {
      signalledAt = performance.now();
      child.kill(name);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Exit 130 within 2 s of the signal (generous on a busy machine: the target), nothing on stdout. */
function expectInterrupted(res: { code: number | null; stdout: string; stderr: string; afterSignalMs: number | null }): void {
  expect(res.code, res.stderr).toBe(130);
  expect(res.stdout).toBe('');
  expect(res.stderr).toBe('error: interrupted\n');
  expect(res.afterSignalMs).toBeLessThan(2000);
}

/**
 * A kubectl dump of `pvcs` PVCs' completed migrations plus nine unrelated events each (with
 * managed fields, as a dump from the API holds them): kubectl's JSON (4-space indent, kind after
 * items) or YAML (sequences not indented). Written by templates: fast for large dumps.
 */
function largeDump(pvcs: number, format: 'json' | 'yaml'): string {
  const items: object[] = [];
  for (let i = 0; i < pvcs; i++) {
    const ns = `vms-${i % 10}`;
    const name = `vm-${i}-disk`;
    const vol = `pvc-0000000${i % 10}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const at = (s: number) => new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + i * 1000 + s * 1000).toISOString();
    const base = (reason: string, message: string, s: number, kind = 'PersistentVolumeClaim') => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${name}.${reason.toLowerCase()}.${s}`,
        namespace: ns,
        uid: `uid-${i}-${s}`,
        creationTimestamp: at(s),
        managedFields: [
          {
            manager: 'rds-csi-node',
            operation: 'Update',
            apiVersion: 'v1',
            time: at(s),
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:count': {},
              'f:firstTimestamp': {},
              'f:involvedObject': {},
              'f:message': {},
              'f:reason': {},
              'f:source': { 'f:component': {} },
            },
          },
        ],
      },
      involvedObject: { kind, namespace: ns, name, uid: `claim-${i}`, apiVersion: 'v1' },
      reason,
      message,
      source: { component: 'rds-csi-node' },
      firstTimestamp: at(s),
      lastTimestamp: at(s),
      count: 1,
      type: 'Normal',
      eventTime: null,
      reportingComponent: 'rds-csi-node',
      reportingInstance: '',
    });
    items.push(base('MigrationStarted', startedMessage(vol, 'node-a', 'node-b', '5m0s'), 0));
    items.push(base('MigrationCompleted', completedMessage(vol, 'node-a', 'node-b', '30s'), 30));
    for (let k = 0; k < 9; k++)
      items.push(base('Pulled', `Container image "registry/virt-launcher:v${k}" already present on machine`, 40 + k, 'Pod'));
  }
  if (format === 'json') {
    const body = items.map((o) => `        ${JSON.stringify(o, null, 4).replaceAll('\n', '\n        ')}`).join(',\n');
    return `{\n    "apiVersion": "v1",\n    "items": [\n${body}\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n`;
  }
  return `apiVersion: v1\nitems:\n${items.map((o) => toYaml([o], { indentSeq: false })).join('')}kind: List\nmetadata:\n  resourceVersion: ""\n`;
}

describe('--from-file inputs that never end are refused or interruptible', () => {
  const notAFile =
    /^error: cannot read --from-file "\/dev\/(zero|urandom)": not a regular file, FIFO or pipe \(a device or socket never ends\)\n$/;
  it.concurrent.each([['/dev/zero'], ['/dev/urandom']])('%s is refused before it is read (exit 2)', async (device) => {
    const res = await runCli(['audit', '--from-file', device], { timeoutMs: 10_000 });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(notAFile);
  });

  it('a regular file over the 1 GiB limit (a sparse one) is refused before it is read', async () => {
    const sparse = join(dir, 'sparse.json');
    writeFileSync(sparse, '');
    truncateSync(sparse, 1024 * 1024 * 1024 + 1);
    const res = await runCli(['audit', '--from-file', sparse], { timeoutMs: 10_000 });
    rmSync(sparse);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`error: cannot read --from-file "${sparse}": it is 1073741825 bytes, over the 1 GiB limit\n`);
  });

  it('`cat /dev/zero | audit --from-file -` is refused at its first bytes (exit 2)', async () => {
    const run = startCli(['audit', '--from-file', '-']);
    const zeros = createReadStream('/dev/zero');
    zeros.pipe(run.child.stdin!);
    const res = await run.done;
    zeros.destroy();
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe('error: --from-file "stdin" holds NUL bytes: it is binary data, not a JSON or YAML dump\n');
  });

  it.each([['SIGTERM'], ['SIGINT']] as const)('stdin that never ends: %s is exit 130 at once', async (name) => {
    const run = startCli(['audit', '--from-file', '-', '-o', 'json']);
    run.child.stdin!.write('{"kind": "List", "items": [\n');
    await sleep(700);
    run.signal(name);
    expectInterrupted(await run.done);
    run.child.stdin!.destroy();
  });

  it('a FIFO whose writer never closes it: SIGTERM is exit 130 at once', async () => {
    const fifo = join(dir, 'endless.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = startCli(['audit', '--from-file', fifo, '-o', 'json']);
    const writer = await open(fifo, 'w');
    await writer.write(readFileSync(example('events.json'), 'utf8').slice(0, 2000));
    await sleep(700);
    run.signal('SIGTERM');
    expectInterrupted(await run.done);
    await writer.close();
    rmSync(fifo);
  });

  it('a FIFO that nobody opens for writing: SIGINT is exit 130 at once', async () => {
    const fifo = join(dir, 'unopened.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = startCli(['audit', '--from-file', fifo]);
    await sleep(700);
    run.signal('SIGINT');
    expectInterrupted(await run.done);
    rmSync(fifo);
  });

  it('--from-file <(kubectl ...): process substitution (a pipe) reads like the file', async () => {
    const whole = (await offlineJson(['--from-file', EXAMPLES])).doc;
    const substituted = EXAMPLE_FILES.map((f) => `--from-file <(cat ${JSON.stringify(example(f))})`).join(' ');
    const res = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)} audit -o json ${substituted}`], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
      timeout: 20_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual(whole);
  });
});

describe('a large dump: bounded memory, and Ctrl-C honoured while it is read', () => {
  // ~6 MB of YAML and ~30 MB of JSON; the reader that parsed the whole text ran out of memory
  // (exit 134) in these heaps, needing ~55x and ~3x the text.
  let yamlDump: string;
  let jsonDump: string;
  beforeAll(() => {
    yamlDump = write('large/dump.yaml', largeDump(600, 'yaml'));
    jsonDump = write('large/dump.json', largeDump(1500, 'json'));
  });

  it.each([
    ['YAML', 64, () => yamlDump, 600],
    ['JSON', 40, () => jsonDump, 1500],
  ])(
    '%s is read within a %i MB heap, with every migration',
    async (_format, heapMb, path, pvcs) => {
      const res = await runCli(['audit', '--from-file', path(), '-o', 'json'], {
        env: { NODE_OPTIONS: `--max-old-space-size=${heapMb}` },
        timeoutMs: 120_000,
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).summary).toMatchObject({ migrations: pvcs, completed: pvcs });
    },
    150_000,
  );

  it('YAML: what the audit keeps of an object does not hold on to the text it was parsed from', async () => {
    // 600 events with a 100 kB annotation each (62 MB): the strings the yaml library returns are
    // slices of the text they came from, so each kept event name used to keep its 100 kB alive.
    const note = `        ${'x'.repeat(95)}\n`.repeat(1000);
    const items = Array.from(
      { length: 600 },
      (_, i) =>
        `- apiVersion: v1\n  kind: Event\n  metadata:\n    name: vm-${i}-disk.started\n    namespace: vms\n    annotations:\n      note: |\n${note}` +
        `  involvedObject:\n    kind: PersistentVolumeClaim\n    name: vm-${i}-disk\n    namespace: vms\n  reason: MigrationStarted\n` +
        `  message: "${startedMessage(`pvc-${i}`, 'node-a', 'node-b', '5m0s')}"\n  firstTimestamp: "2024-01-01T00:00:00Z"\n`,
    );
    const path = write('large/annotated.yaml', `apiVersion: v1\nitems:\n${items.join('')}kind: List\nmetadata: {}\n`);
    const res = await runCli(['audit', '--from-file', path, '-o', 'json'], {
      env: { NODE_OPTIONS: '--max-old-space-size=40' },
      timeoutMs: 60_000,
    });
    rmSync(path);
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout).summary).toMatchObject({ migrations: 600 });
  });

  it('SIGTERM while a large dump is parsed: exit 130 at once, no output', async () => {
    const run = startCli(['audit', '--from-file', yamlDump, '-o', 'json']);
    await sleep(1000);
    run.signal('SIGTERM');
    expectInterrupted(await run.done);
  });

  it('SIGINT while a large dump streams in on stdin: exit 130 at once, no output', async () => {
    const run = startCli(['audit', '--from-file', '-', '-o', 'json']);
    run.child.stdin!.write(readFileSync(yamlDump));
    await sleep(500);
    run.signal('SIGINT');
    expectInterrupted(await run.done);
    run.child.stdin!.destroy();
  });
});

describe('symbolic links in a --from-file directory', () => {
  it('a mounted ConfigMap (links into a timestamped directory) reads as the files; a file reached twice is read once', async () => {
    const mount = join(dir, 'configmap');
    const data = join(mount, '..2026_11_26_10_00_00.123456789');
    mkdirSync(data, { recursive: true });
    for (const f of EXAMPLE_FILES) writeFileSync(join(data, f), readFileSync(example(f)));
    symlinkSync('..2026_11_26_10_00_00.123456789', join(mount, '..data'));
    for (const f of EXAMPLE_FILES) symlinkSync(join('..data', f), join(mount, f));
    symlinkSync('events.json', join(mount, 'events-again.json'));
    const whole = (await offlineJson(['--from-file', EXAMPLES])).doc;
    const linked = await offlineJson(['--from-file', mount]);
    expect(linked.stderr).toBe('');
    expect(linked.doc).toEqual(whole);
    expect(linked.doc.warnings).toEqual([]);
  });

  it('a link loop in the directory is exit 2 naming it', async () => {
    const loops = join(dir, 'loops');
    mkdirSync(loops, { recursive: true });
    writeFileSync(join(loops, 'a.json'), readFileSync(example('events.json')));
    symlinkSync('loop-2.json', join(loops, 'loop-1.json'));
    symlinkSync('loop-1.json', join(loops, 'loop-2.json'));
    const res = await runCli(['audit', '--from-file', loops]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`error: cannot read --from-file "${join(loops, 'loop-1.json')}": too many levels of symbolic links\n`);
  });
});

describe('a byte order mark', () => {
  it('is dropped from JSON and YAML dumps, as kubectl drops it', async () => {
    const whole = (await offlineJson(['--from-file', EXAMPLES])).doc;
    const bom = join(dir, 'bom');
    mkdirSync(bom, { recursive: true });
    for (const f of EXAMPLE_FILES) writeFileSync(join(bom, f), `\ufeff${readFileSync(example(f), 'utf8')}`);
    const res = await offlineJson(['--from-file', bom]);
    expect(res.stderr).toBe('');
    expect(res.doc).toEqual(whole);
  });
});
