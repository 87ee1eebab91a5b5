// deploy/ (README.md "Install in the cluster"): the kustomize base renders with the real
// `kubectl kustomize`, every object is valid against the Kubernetes schemas (kubernetes-models)
// and the PrometheusRule against prometheus-operator's CRD schema; the CronJob's exact command
// and ConfigMap files, run as its pod would run them (in-cluster service account), audit a
// cluster with KubeVirt and dual-attached volumes and push to a real Pushgateway; and the fake
// API server, enforcing exactly the ClusterRole's rules, proves them sufficient (every read
// succeeds, no warning) and minimal (without any one of them the audit says what it could not read).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type FakeServer, type PolicyRule, startFakeServer } from '../fake/server.js';
import { testCaPem } from '../fake/tls.js';
import { alertedCluster } from '../helpers/alert-cluster.js';
import {
  boundRules,
  cronJobPod,
  DEPLOY_DIR,
  expandKubeletVars,
  kustomize,
  only,
  type PodSpec,
  runAsPod,
  writeDeployBundle,
  writeOverlay,
} from '../helpers/deploy.js';
import { namespace, node, pv, pvc, volumeAttachment, withNodes } from '../helpers/objects.js';
import { type Pushgateway, parseExposition, startPushgateway } from '../helpers/prometheus.js';
import { newVolumeIdentity } from '../helpers/read-side.js';
import { runCli } from '../helpers/run-cli.js';

const overlays: string[] = [];
let base: any[];
let gateway: Pushgateway;

beforeAll(async () => {
  await writeDeployBundle();
  [base, gateway] = await Promise.all([kustomize(DEPLOY_DIR), startPushgateway()]);
});
afterAll(async () => {
  await gateway?.stop();
  for (const dir of overlays) rmSync(dir, { recursive: true, force: true });
});

function overlay(options: Parameters<typeof writeOverlay>[0]): string {
  const dir = writeOverlay(options);
  overlays.push(dir);
  return dir;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rds-deploy-test-'));
  overlays.push(dir);
  return dir;
}

/** The kubernetes-models class of a built-in kind, or prometheus-operator's for its CRDs. */
async function modelOf(apiVersion: string, kind: string): Promise<new (data: object) => { validate(): void }> {
  const module =
    apiVersion === 'monitoring.coreos.com/v1'
      ? await import(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`)
      : await import(`kubernetes-models/${apiVersion}/${kind}`);
  return module[kind];
}

async function validate(object: any): Promise<void> {
  const Model = await modelOf(object.apiVersion, object.kind);
  new Model(object).validate();
}

/** Every YAML file under a directory (the sources of deploy/, not the generated bundle). */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'bundle' ? [] : yamlFiles(path);
    return name.endsWith('.yaml') ? [path] : [];
  });
}

describe('deploy/ renders into valid objects', () => {
  it('every file parses as YAML', () => {
    const files = yamlFiles(DEPLOY_DIR);
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) expect(doc.errors, file).toEqual([]);
    }
  });

  it('the base holds the namespace, the service account, its ClusterRole and binding, the CronJob, its ConfigMap and the PrometheusRule', () => {
    expect(base.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/rds-migrate-audit',
        'ClusterRoleBinding/rds-migrate-audit',
        `ConfigMap/${only(base, 'ConfigMap').metadata.name}`,
        'CronJob/rds-migrate-audit',
        'Namespace/rds-migrate',
        'PrometheusRule/rds-migrate',
        'ServiceAccount/rds-migrate-audit',
      ].sort(),
    );
    expect(only(base, 'ConfigMap').metadata.name).toMatch(/^rds-migrate-bundle-[a-z0-9]{10}$/);
  });

  it.each([
    ['the base', () => base],
    ['an overlay with the post component', () => kustomize(overlay({ namespace: 'ops', components: ['components/post'] }))],
  ])('%s: every object is valid against its schema', async (_name, render) => {
    const objects = await render();
    for (const object of objects) await expect(validate(object), `${object.kind}/${object.metadata.name}`).resolves.toBeUndefined();
  });

  it('the validation is real: a broken CronJob and a broken PrometheusRule are refused', async () => {
    const cronJob = structuredClone(only(base, 'CronJob'));
    cronJob.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy = 'Sometimes';
    await expect(validate(cronJob)).rejects.toThrow(/imagePullPolicy/);
    const rule = structuredClone(only(base, 'PrometheusRule'));
    rule.spec.groups[0].rules[0].for = '5 minutes';
    await expect(validate(rule)).rejects.toThrow(/for must match pattern/);
  });

  it("the ConfigMap stays under the API server's 1 MiB limit", () => {
    const data = only(base, 'ConfigMap').data as Record<string, string>;
    const bytes = Object.values(data).reduce((n, v) => n + Buffer.byteLength(v), 0);
    expect(bytes).toBeLessThan(1024 * 1024);
  });

  it('the ConfigMap carries the bundle and its launcher as built', () => {
    const pod = cronJobPod(base, 'rds-migrate-audit');
    expect(pod.files.get('/opt/rds-migrate/dist/main.cjs')).toBe(readFileSync(join(DEPLOY_DIR, '..', 'dist', 'main.cjs'), 'utf8'));
    expect(pod.files.get('/opt/rds-migrate/bin/rds-migrate.cjs')).toBe(
      readFileSync(join(DEPLOY_DIR, '..', 'bin', 'rds-migrate.cjs'), 'utf8'),
    );
  });

  it('an overlay namespace moves the service account and its binding together', async () => {
    const objects = await kustomize(overlay({ namespace: 'monitoring' }));
    expect(only(objects, 'ServiceAccount').metadata.namespace).toBe('monitoring');
    expect(only(objects, 'ClusterRoleBinding').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'rds-migrate-audit', namespace: 'monitoring' },
    ]);
    expect(only(objects, 'Namespace').metadata.name).toBe('monitoring');
  });

  it("an overlay's CLUSTER_NAME groups the push, as README.md shows", async () => {
    const pod = cronJobPod(await kustomize(overlay({ pushgatewayUrl: 'http://pgw:9091', clusterName: 'prod-eu' })), 'rds-migrate-audit');
    expect(pod.args.map((a) => expandKubeletVars(a, pod.env))).toContain('--cluster-name=prod-eu');
  });
});

describe('expandKubeletVars', () => {
  it.each([
    ['--pushgateway=$(PUSHGATEWAY_URL)', '--pushgateway=http://pgw:9091'],
    ['$(UNDEFINED) stays', '$(UNDEFINED) stays'],
    ['$$(PUSHGATEWAY_URL) is literal', '$(PUSHGATEWAY_URL) is literal'],
  ])('%s', (text, expected) => {
    expect(expandKubeletVars(text, { PUSHGATEWAY_URL: 'http://pgw:9091' })).toBe(expected);
  });
});

describe('the CronJob, run as its pod, with exactly the ClusterRole', () => {
  const NAMESPACE = 'monitoring';
  const SERVICE_ACCOUNT_USER = `system:serviceaccount:${NAMESPACE}:rds-migrate-audit`;
  const token = randomBytes(24).toString('hex');
  let server: FakeServer;
  let pod: PodSpec;
  let rules: PolicyRule[];
  let expected: ReturnType<typeof alertedCluster>['findings'];

  beforeAll(async () => {
    const objects = await kustomize(overlay({ namespace: NAMESPACE, pushgatewayUrl: gateway.url }));
    pod = cronJobPod(objects, 'rds-migrate-audit');
    rules = boundRules(objects, { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: pod.namespace });
    const built = alertedCluster(new Date());
    expected = built.findings;
    server = await startFakeServer({ objects: built.objects, kubevirt: true, token, user: SERVICE_ACCOUNT_USER });
  });
  afterAll(() => server?.close());
  afterEach(() => server.reset());

  const runPod = () =>
    runAsPod({
      pod,
      apiServer: { host: '127.0.0.1', port: Number(new URL(server.url).port) },
      serviceAccount: { token, caPem: testCaPem },
    });

  it('runs node on the mounted launcher, the audit with --pushgateway from the pod env', () => {
    expect(pod.command).toEqual(['node', '/opt/rds-migrate/bin/rds-migrate.cjs']);
    expect(pod.args.map((a) => expandKubeletVars(a, pod.env))).toEqual([
      'audit',
      '--fail-on=never',
      `--pushgateway=${gateway.url}`,
      '--cluster-name=in-cluster',
    ]);
  });

  it('reads everything an audit reads, with no warning, and pushes the findings under cluster in-cluster', async () => {
    server.allowOnly(rules);
    const res = await runPod();
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).not.toMatch(/could not be read|forbidden/i);
    expect(res.stdout).toMatch(/^SUMMARY/m);
    // The in-cluster service account: its token, verified against its CA.
    expect(new Set(server.requests.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${token}`]));
    expect(server.requests.filter((r) => r.status !== 200)).toEqual([]);
    const reads = server.requests.map(
      (r) => `${r.method} ${r.path}${r.query.fieldSelector ? `?fieldSelector=${r.query.fieldSelector}` : ''}`,
    );
    expect([...new Set(reads)].sort()).toEqual(
      [
        'GET /api/v1/events?fieldSelector=reason=MigrationStarted',
        'GET /api/v1/events?fieldSelector=reason=MigrationCompleted',
        'GET /api/v1/events?fieldSelector=reason=MigrationFailed',
        'GET /api/v1/persistentvolumes',
        'GET /apis/storage.k8s.io/v1/volumeattachments',
        'GET /api/v1/nodes',
        'GET /apis/kubevirt.io/v1',
        'GET /apis/kubevirt.io/v1/virtualmachineinstances',
        'GET /apis/kubevirt.io/v1/virtualmachineinstancemigrations',
        'GET /api/v1/namespaces/vms/pods',
      ].sort(),
    );
    const scraped = parseExposition(await gateway.scrape()).filter(
      (s) => s.name === 'rds_migrate_audit_finding' && s.labels.job === 'rds-migrate' && s.labels.cluster === 'in-cluster',
    );
    expect(scraped.map((s) => `${s.labels.code} ${s.labels.pvc}`).sort()).toEqual(expected.map((f) => `${f.code} ${f.pvc}`).sort());
  });

  it('grants only list, on exactly the resources read', () => {
    expect([...new Set(rules.flatMap((r) => r.verbs))]).toEqual(['list']);
    expect(rules.every((r) => r.nonResourceURLs === undefined && r.resourceNames === undefined)).toBe(true);
  });

  /** Each resource of each rule, and the warning the audit gives without it. */
  const WITHOUT: [string, string, RegExp][] = [
    ['', 'events', /MigrationStarted events could not be read/],
    ['', 'persistentvolumes', /PersistentVolumes could not be read/],
    ['storage.k8s.io', 'volumeattachments', /VolumeAttachments could not be read/],
    ['', 'nodes', /Nodes could not be read/],
    ['', 'pods', /Pods in namespace vms could not be read/],
    ['kubevirt.io', 'virtualmachineinstances', /VirtualMachineInstances could not be read/],
    ['kubevirt.io', 'virtualmachineinstancemigrations', /VirtualMachineInstanceMigrations could not be read/],
  ];

  it('has a rule for each of them, and no other', () => {
    const granted = rules.flatMap((r) => (r.resources ?? []).flatMap((res) => (r.apiGroups ?? []).map((g) => `${g}/${res}`)));
    expect(granted.sort()).toEqual(WITHOUT.map(([g, r]) => `${g}/${r}`).sort());
  });

  it.each(WITHOUT)('without list %s/%s the audit says what it could not read', async (group, resource, warning) => {
    server.allowOnly(
      rules.map((r) => (r.apiGroups?.includes(group) ? { ...r, resources: (r.resources ?? []).filter((res) => res !== resource) } : r)),
    );
    const res = await runPod();
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(warning);
    expect(server.requests.some((r) => r.status === 403 && r.path.endsWith(`/${resource}`))).toBe(true);
  });
});

describe('the post component grants what post-* needs', () => {
  it('post-started, post-completed (with --dedupe) and post-failed run with exactly its rules', async () => {
    const objects = await kustomize(overlay({ components: ['components/post'] }));
    const rules = boundRules(objects, { kind: 'Group', name: 'rds-migrate-runbook' });
    const { uid, vol } = newVolumeIdentity();
    const claim = pvc({ namespace: 'vms', name: 'vm-disk', uid, volumeName: vol });
    const volume = pv({ name: vol, claimRef: { namespace: 'vms', name: 'vm-disk', uid } });
    const now = Date.now();
    const server = await startFakeServer({
      objects: withNodes([
        namespace('vms'),
        claim,
        volume,
        volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: new Date(now - 3600_000) }),
        node('node-b'),
      ]),
      user: 'alice',
    });
    try {
      server.allowOnly(rules);
      const kubeconfig = server.writeKubeconfig(tempDir(), { namespace: 'vms' });
      for (const args of [
        ['post-started', 'vm-disk', '--target', 'node-b', '-v'],
        ['post-completed', 'vm-disk', '-v'],
        // The same event twice: the second bumps the first's count (patch, then get for -o json).
        ['post-completed', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--duration', '60s', '--dedupe', '-o', 'json', '-v'],
        ['post-completed', 'vm-disk', '--source', 'node-a', '--target', 'node-b', '--duration', '60s', '--dedupe', '-o', 'json', '-v'],
        ['post-failed', 'vm-disk', '--reason', 'manual abort', '--source', 'node-a', '--target', 'node-b', '--elapsed', '90s', '-v'],
      ]) {
        const res = await runCli(args, { kubeconfig });
        expect(res.code, res.stderr).toBe(0);
        expect(res.stderr).not.toMatch(/forbidden|skipp/i);
      }
      expect(server.requests.filter((r) => r.status === 403)).toEqual([]);
      expect(server.writes().map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'PATCH', 'POST']);
    } finally {
      await server.close();
    }
  });
});
