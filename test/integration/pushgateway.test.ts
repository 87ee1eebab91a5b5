// `audit -o prometheus` and `audit --pushgateway` against the real Prometheus tools:
// promtool check metrics accepts every exposition the audit writes (hostile names included), and a
// real prometheus-pushgateway receives the pushes: a second push replaces the first, the grouping
// key carries the kubeconfig context's cluster name, https and basic auth work, and a push that
// fails is exit 4 with one clear line, the report still printed and no credential shown.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { serverCredentials, testCaPem } from '../fake/tls.js';
import { alertedCluster } from '../helpers/alert-cluster.js';
import { EXAMPLE_CLUSTER as EXAMPLES } from '../helpers/examples.js';
import {
  freePort,
  PUSHGATEWAY_TEST_PASSWORD,
  PUSHGATEWAY_TEST_USERS,
  type Pushgateway,
  parseExposition,
  promtoolCheckMetrics,
  type Sample,
  samplesNamed,
  startPushgateway,
} from '../helpers/prometheus.js';
import { type RunResult, runCli } from '../helpers/run-cli.js';

const hostileDir = fileURLToPath(new URL('../fixtures/hostile/', import.meta.url));
const hostileItems = ['cluster.json', 'invalid-utf8.json'].flatMap(
  (file) => (JSON.parse(readFileSync(join(hostileDir, file), 'utf8')) as { items: object[] }).items,
);

let dir: string;
let cluster: FakeServer;
let expected: ReturnType<typeof alertedCluster>['findings'];
let kubeconfig: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rds-pushgateway-test-'));
  const built = alertedCluster(new Date());
  expected = built.findings;
  cluster = await startFakeServer({ objects: built.objects, kubevirt: true });
  kubeconfig = cluster.writeKubeconfig(dir);
});
afterAll(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every sample name+labels once: a Pushgateway refuses a push with a repeated series. */
function expectNoRepeatedSeries(text: string): void {
  const keys = parseExposition(text).map((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`);
  expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
}

/** The finding series of a scrape as `code namespace/pvc volume` lines, for the given group. */
function findingsIn(samples: Sample[], clusterName: string): string[] {
  return samples
    .filter((s) => s.name === 'rds_migrate_audit_finding' && s.labels.job === 'rds-migrate' && s.labels.cluster === clusterName)
    .map((s) => `${s.labels.code} ${s.labels.namespace}/${s.labels.pvc} ${s.labels.volume}`)
    .sort();
}

const expectedLines = (): string[] => expected.map((f) => `${f.code} ${f.namespace}/${f.pvc} ${f.volume}`).sort();

describe('promtool check metrics accepts every exposition the audit writes', () => {
  let hostile: FakeServer;
  let hostileKubeconfig: string;
  beforeAll(async () => {
    hostile = await startFakeServer();
    hostile.add(...hostileItems);
    hostileKubeconfig = hostile.writeKubeconfig(join(dir, 'hostile'), { namespace: 'vms' });
  });
  afterAll(() => hostile?.close());

  it.each<[string, () => Promise<RunResult>]>([
    ['the example dump', () => runCli(['audit', '--from-file', EXAMPLES, '-o', 'prometheus'])],
    ['a cluster with every alerted finding', () => runCli(['audit', '-o', 'prometheus'], { kubeconfig })],
    ['the hostile corpus, online', () => runCli(['audit', '--fail-on', 'never', '-o', 'prometheus'], { kubeconfig: hostileKubeconfig })],
    ['the hostile corpus, offline', () => runCli(['audit', '--fail-on', 'never', '--from-file', hostileDir, '-o', 'prometheus'])],
  ])('%s', async (_name, run) => {
    const res = await run();
    expect(res.code === 0 || res.code === 1, res.stderr).toBe(true);
    expect(samplesNamed(res.stdout, 'rds_migrate_audit_finding').length).toBeGreaterThan(0);
    const check = await promtoolCheckMetrics(res.stdout);
    expect(check, res.stdout).toEqual({ code: 0, stdout: '', stderr: '' });
    expectNoRepeatedSeries(res.stdout);
  });

  it('hostile names reach the labels escaped, never as raw control or bidi characters', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '-o', 'prometheus'], { kubeconfig: hostileKubeconfig });
    const labels = samplesNamed(res.stdout, 'rds_migrate_audit_finding').flatMap((s) => Object.values(s.labels));
    expect(labels.some((v) => /\\u[0-9a-f]{4}/.test(v))).toBe(true);
    expect(labels.filter((v) => /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(v))).toEqual([]);
  });

  it('names each finding of the audit by code and volume, and each dual-attach by its age', async () => {
    const res = await runCli(['audit', '-o', 'prometheus'], { kubeconfig });
    expect(res.code).toBe(1);
    const samples = parseExposition(res.stdout);
    expect(
      samples
        .filter((s) => s.name === 'rds_migrate_audit_finding')
        .map((s) => `${s.labels.code} ${s.labels.namespace}/${s.labels.pvc} ${s.labels.volume}`)
        .sort(),
    ).toEqual(expectedLines());
    const ages = samples.filter((s) => s.name === 'rds_migrate_audit_dual_attach_age_seconds');
    expect(ages.map((s) => s.labels.pvc).sort()).toEqual(['shared-disk', 'stuck-disk']);
    // stuck-disk's second attachment was created 20 minutes before the audit.
    const stuckAge = Number(ages.find((s) => s.labels.pvc === 'stuck-disk')?.value);
    expect(stuckAge).toBeGreaterThanOrEqual(1200);
    expect(stuckAge).toBeLessThan(1200 + 120);
  });

  it('leaves out excluded findings', async () => {
    const res = await runCli(['audit', '-o', 'prometheus', '--exclude', 'MigrationFailed=vms/failed-disk'], { kubeconfig });
    const codes = samplesNamed(res.stdout, 'rds_migrate_audit_finding').map((s) => s.labels.code);
    expect(codes).not.toContain('MigrationFailed');
    expect(codes).toHaveLength(expected.length - 1);
  });
});

describe('--pushgateway against a real Pushgateway', () => {
  let gateway: Pushgateway;
  beforeAll(async () => {
    gateway = await startPushgateway();
  });
  afterAll(() => gateway?.stop());
  afterEach(() => cluster.reset());

  it('pushes the exposition under job rds-migrate and the cluster; a second push replaces the first', async () => {
    const first = await runCli(['audit', '-o', 'json', '--pushgateway', gateway.url], { kubeconfig });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1); // the audit's own exit code: findings at error
    expect(JSON.parse(first.stdout).findings).toHaveLength(expected.length);
    const scraped = parseExposition(await gateway.scrape());
    expect(findingsIn(scraped, 'fake-cluster')).toEqual(expectedLines());
    const pushed = scraped.find((s) => s.name === 'push_time_seconds' && s.labels.job === 'rds-migrate');
    expect(pushed?.labels.cluster).toBe('fake-cluster');
    expect(Math.abs(Number(pushed?.value) - Date.now() / 1000)).toBeLessThan(60);

    // The failed migration is acknowledged: the next push must drop its series (PUT, not POST).
    const second = await runCli(['audit', '--exclude', 'MigrationFailed', '--pushgateway', gateway.url], { kubeconfig });
    expect(second.code).toBe(1);
    const after = parseExposition(await gateway.scrape());
    expect(findingsIn(after, 'fake-cluster')).toEqual(expectedLines().filter((l) => !l.startsWith('MigrationFailed ')));
    expect(after.find((s) => s.name === 'rds_migrate_audit_findings' && s.labels.severity === 'error')?.value).toBe(
      String(expected.length - 1),
    );
  });

  it('groups by the cluster name as the Pushgateway encodes it: base64url for a name with a slash', async () => {
    const arn = 'arn:aws:eks:eu-west-1:123456789012:cluster/prod';
    const eks = cluster.writeKubeconfig(join(dir, 'eks'), { contextName: 'prod', clusterName: arn });
    const res = await runCli(['audit', '--fail-on', 'never', '-o', 'prometheus', '--pushgateway', `${gateway.url}/`], { kubeconfig: eks });
    expect(res.code, res.stderr).toBe(0);
    expect(findingsIn(parseExposition(await gateway.scrape()), arn)).toEqual(expectedLines());
  });

  it('groups by --cluster-name when given, so that clusters sharing a Pushgateway stay apart', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', gateway.url, '--cluster-name', 'prod eu/1'], {
      kubeconfig,
    });
    expect(res.code, res.stderr).toBe(0);
    const scraped = parseExposition(await gateway.scrape());
    expect(findingsIn(scraped, 'prod eu/1')).toEqual(expectedLines());
  });

  it('exits 0 with --fail-on never when the push succeeds', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', gateway.url], { kubeconfig });
    expect(res).toMatchObject({ code: 0, stderr: '' });
  });

  it('logs the push with --verbose, never the kubeconfig token', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '-v', '--pushgateway', gateway.url], { kubeconfig });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`^PUT ${gateway.url}/metrics/job/rds-migrate/cluster/fake-cluster 200 \\(\\d+ ms\\)$`, 'm'));
    expect(res.stderr).not.toContain(cluster.token);
  });
});

describe('a push that fails', () => {
  it('is exit 4 with one error line naming the Pushgateway, after the report, even with findings', async () => {
    const port = await freePort();
    const res = await runCli(['audit', '-o', 'json', '--pushgateway', `http://rds:${PUSHGATEWAY_TEST_PASSWORD}@127.0.0.1:${port}`], {
      kubeconfig,
    });
    expect(res.code).toBe(4);
    expect(JSON.parse(res.stdout).findings).toHaveLength(expected.length);
    expect(res.stderr).toBe(
      `error: cannot push the metrics to the Pushgateway (http://rds:xxxxx@127.0.0.1:${port}/metrics/job/rds-migrate/cluster/fake-cluster): connection refused\n`,
    );
  });

  it('is exit 4 when the Pushgateway refuses the push, with its reason', async () => {
    const gateway = await startPushgateway({ basicAuth: PUSHGATEWAY_TEST_USERS });
    try {
      const url = new URL(gateway.url);
      url.username = 'rds';
      url.password = 'wrong-password';
      const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', url.href], { kubeconfig });
      expect(res.code).toBe(4);
      expect(res.stderr).toMatch(
        /^error: cannot push the metrics to the Pushgateway \(http:\/\/rds:xxxxx@127\.0\.0\.1:\d+\/metrics\/job\/rds-migrate\/cluster\/fake-cluster\): 401 Unauthorized/,
      );
      expect(res.stderr).toMatch(/\nhint: give the Pushgateway user and password in the URL/);
      expect(res.stderr).not.toContain('wrong-password');
      expect(res.stdout).toMatch(/^SUMMARY/m);
    } finally {
      await gateway.stop();
    }
  });
});

describe('--pushgateway over https with basic auth', () => {
  let gateway: Pushgateway;
  let caFile: string;
  beforeAll(async () => {
    gateway = await startPushgateway({ tls: serverCredentials('good'), basicAuth: PUSHGATEWAY_TEST_USERS });
    caFile = join(dir, 'pushgateway-ca.crt');
    writeFileSync(caFile, testCaPem);
  });
  afterAll(() => gateway?.stop());

  const withPassword = (): string => {
    const url = new URL(gateway.url);
    url.username = 'rds';
    url.password = PUSHGATEWAY_TEST_PASSWORD;
    return url.href;
  };

  it('pushes when the CA is trusted through NODE_EXTRA_CA_CERTS', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '-v', '--pushgateway', withPassword()], {
      kubeconfig,
      env: { NODE_EXTRA_CA_CERTS: caFile },
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toContain(PUSHGATEWAY_TEST_PASSWORD);
    expect(res.stderr).toContain(
      `PUT https://rds:xxxxx@127.0.0.1:${new URL(gateway.url).port}/metrics/job/rds-migrate/cluster/fake-cluster 200`,
    );
    expect(findingsIn(parseExposition(await gateway.scrape()), 'fake-cluster')).toEqual(expectedLines());
  });

  it('pushes with the system store (--use-openssl-ca) when it holds the CA', async () => {
    const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', withPassword()], {
      kubeconfig,
      env: { NODE_OPTIONS: '--use-openssl-ca', SSL_CERT_FILE: caFile },
    });
    expect(res).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses a certificate it cannot verify: exit 4, a TLS line and a hint, nothing pushed', async () => {
    const before = await gateway.scrape();
    const res = await runCli(['audit', '--fail-on', 'never', '--pushgateway', withPassword()], { kubeconfig });
    expect(res.code).toBe(4);
    expect(res.stderr).toMatch(
      /^error: cannot push the metrics to the Pushgateway \(https:\/\/rds:xxxxx@127\.0\.0\.1:\d+\/metrics\/job\/rds-migrate\/cluster\/fake-cluster\): TLS error: its certificate is signed by an unknown authority \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\nhint: point NODE_EXTRA_CA_CERTS at the CA file/,
    );
    expect(res.stderr).not.toContain(PUSHGATEWAY_TEST_PASSWORD);
    const pushTimes = (text: string): string[] => samplesNamed(text, 'push_time_seconds').map((s) => s.value);
    expect(pushTimes(await gateway.scrape())).toEqual(pushTimes(before));
  });
});

describe('--pushgateway input errors: exit 2, nothing read or pushed, the value never echoed', () => {
  it.each([
    ['not a URL', ['--pushgateway', 'pushgateway-secret'], 'error: invalid --pushgateway: not a URL\n'],
    ['another scheme', ['--pushgateway', 'ftp://user:secret@pgw'], 'error: invalid --pushgateway: must be an http:// or https:// URL\n'],
    [
      'a host without a scheme',
      ['--pushgateway', 'pushgateway:secret@pgw:9091'],
      'error: invalid --pushgateway: must be an http:// or https:// URL\n',
    ],
    ['a query', ['--pushgateway', 'http://pgw:9091/?secret=1'], 'error: invalid --pushgateway: must have no query or fragment\n'],
    [
      'an offline audit',
      ['--pushgateway', 'http://pgw:9091', '--from-file', EXAMPLES],
      "error: --pushgateway applies only to a live audit: its metrics are grouped by the kubeconfig context's cluster\n",
    ],
    ['a watch', ['--pushgateway', 'http://pgw:9091', '-w'], 'error: --pushgateway pushes one audit; it cannot be used with --watch\n'],
    ['a cluster without a Pushgateway', ['--cluster-name', 'prod'], 'error: --cluster-name applies only with --pushgateway\n'],
    [
      'an empty cluster',
      ['--pushgateway', 'http://user:secret@pgw:9091', '--cluster-name', ''],
      'error: invalid --cluster-name "": must not be empty\n',
    ],
  ])('%s', async (_name, args, firstLine) => {
    cluster.reset();
    const res = await runCli(['audit', ...args], { kubeconfig });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr.startsWith(firstLine)).toBe(true);
    expect(res.stderr).not.toContain('secret');
    expect(cluster.requests).toEqual([]);
  });
});
