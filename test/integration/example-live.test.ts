// The bundled example (examples/cluster, examples/README.md) served by the fake API server: what
// `events` shows of it, and the design test on real-shaped objects — the live cluster and its dump
// audit the same.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { namespace } from '../helpers/objects.js';
import { checkSchema, historySchema } from '../helpers/read-side.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';

const EXAMPLES = join(repoRoot, 'examples', 'cluster');
const FILES = [
  'events.json',
  'events-k8s-io.yaml',
  'kubevirt.json',
  'nodes.json',
  'persistentvolumeclaims.json',
  'persistentvolumes.yaml',
  'pods.json',
  'volumeattachments.yaml',
];

function load(file: string): object[] {
  const text = readFileSync(join(EXAMPLES, file), 'utf8');
  const doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  return Array.isArray(doc.items) ? doc.items : [doc];
}

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rds-example-live-'));
  server = await startFakeServer({
    objects: [namespace('ci'), namespace('vms-dev'), namespace('vms-prod'), ...FILES.flatMap(load)],
    kubevirt: true,
  });
  kubeconfig = server.writeKubeconfig(dir);
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the bundled example, served live', () => {
  it('events pg-01-rootdisk: the VM on worker-1, its two evacuation attempts and the pods on three nodes', async () => {
    const res = await runCli(['events', 'pg-01-rootdisk', '-n', 'vms-dev', '-o', 'json'], { kubeconfig });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(checkSchema(doc, historySchema)).toEqual([]);
    expect(doc.warnings).toEqual([]);
    expect(doc.kubevirt.vmi).toBe('pg-01');
    expect(doc.kubevirt.node).toBe('worker-1');
    expect(doc.kubevirt.migrations.map((m: any) => [m.name, m.phase, m.sourceNode, m.targetNode])).toEqual([
      ['kubevirt-evacuation-rp76v', 'Failed', 'worker-1', 'worker-2'],
      ['kubevirt-evacuation-q8zvv', 'Scheduling', 'worker-1', 'worker-3'],
    ]);
    expect(doc.users.map((u: any) => `${u.pod}@${u.node}`)).toEqual([
      'virt-launcher-pg-01-gqmgb@worker-1',
      'virt-launcher-pg-01-q8zt5@worker-2',
      'virt-launcher-pg-01-7xk4n@worker-3',
    ]);
    expect(doc.attachment.nodes).toEqual(['worker-1', 'worker-2']);
    expect(doc.attachment.rejectedTargets.map((r: any) => r.node)).toEqual(['worker-3']);
    expect(doc.migrations.map((m: any) => [m.state, m.kubevirt?.migration])).toEqual([['unresolved', 'kubevirt-evacuation-rp76v']]);
  });

  it('events git-01-data: a hotplugged disk is used by the hp-volume pods of one VM', async () => {
    const res = await runCli(['events', 'git-01-data', '-n', 'vms-dev', '-o', 'json'], { kubeconfig });
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.events).toEqual([]);
    expect(doc.users.map((u: any) => [u.pod, u.kind, u.vmi])).toEqual([
      ['hp-volume-wmp5m', 'hotplug', 'git-01'],
      ['hp-volume-42dhx', 'hotplug', 'git-01'],
    ]);
    expect(doc.kubevirt.migrations.map((m: any) => m.phase)).toEqual(['Running']);
  });

  it('audit: the live cluster and the dump give the same report', async () => {
    const live = await runCli(['audit', '-o', 'json'], { kubeconfig });
    expect(live.stderr).toBe('');
    const liveDoc = JSON.parse(live.stdout);
    expect(liveDoc.warnings).toEqual([]);
    const offline = await runCli(['audit', '-o', 'json', '--from-file', EXAMPLES, '--now', liveDoc.now]);
    expect(offline.stderr).toBe('');
    expect(offline.code).toBe(live.code);
    expect(offline.stdout).toBe(live.stdout);
  });
});
