// deploy/ as a cluster would run it: rendered by the real `kubectl kustomize` (kustomize is built
// into kubectl), the CronJob's container laid out as its pod sees it (the ConfigMap's files at
// their mount path, the service account's token, CA and namespace in
// /var/run/secrets/kubernetes.io/serviceaccount, KUBERNETES_SERVICE_HOST/PORT) and its exact
// command and args run with node. The pod's paths are made real in a private mount namespace
// (`unshare --user --map-root-user --mount`): the host's /opt and /run stay untouched, and the CLI
// finds its in-cluster configuration where a pod has it, with no switch of its own.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type RunResult, repoRoot, runCommand } from './run-cli.js';

export const DEPLOY_DIR = join(repoRoot, 'deploy');
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Runs `node scripts/deploy-bundle.mjs`: writes deploy/bundle/ from the built dist/ (what `npm run deploy-bundle` does after its build). */
export function writeDeployBundle(): Promise<void> {
  return run(process.execPath, [join(repoRoot, 'scripts', 'deploy-bundle.mjs')]).then((res) => {
    if (res.code !== 0) throw new Error(`deploy-bundle: ${res.stderr}`);
  });
}

/** `kubectl kustomize <dir>`, parsed: every rendered object. */
export async function kustomize(dir: string): Promise<any[]> {
  const res = await run('kubectl', ['kustomize', dir]);
  if (res.code !== 0) throw new Error(`kubectl kustomize ${dir}: ${res.stderr}`);
  return parseAllDocuments(res.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${doc.errors[0]?.message}`);
    return doc.toJS();
  });
}

export interface OverlayOptions {
  /** The overlay's namespace (the base installs into rds-migrate). */
  namespace?: string;
  /** PUSHGATEWAY_URL, set with the strategic-merge patch README.md shows. */
  pushgatewayUrl?: string;
  /** CLUSTER_NAME, set by the same patch. */
  clusterName?: string;
  /** Components of deploy/ to include, e.g. `components/post`. */
  components?: string[];
}

/** Writes an overlay of deploy/ in a new temporary directory, as an operator would; returns it. */
export function writeOverlay(options: OverlayOptions): string {
  const dir = mkdtempSync(join(tmpdir(), 'rds-overlay-'));
  const base = relative(dir, DEPLOY_DIR);
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `resources: [${JSON.stringify(base)}]`];
  if (options.namespace) lines.push(`namespace: ${options.namespace}`);
  if (options.components) lines.push(`components: [${options.components.map((c) => JSON.stringify(join(base, c))).join(', ')}]`);
  if (options.pushgatewayUrl) {
    lines.push(
      'patches:',
      '  - patch: |-',
      '      apiVersion: batch/v1',
      '      kind: CronJob',
      '      metadata:',
      '        name: rds-migrate-audit',
      '      spec:',
      '        jobTemplate:',
      '          spec:',
      '            template:',
      '              spec:',
      '                containers:',
      '                  - name: audit',
      '                    env:',
      '                      - name: PUSHGATEWAY_URL',
      `                        value: ${JSON.stringify(options.pushgatewayUrl)}`,
    );
    if (options.clusterName) {
      lines.push('                      - name: CLUSTER_NAME', `                        value: ${JSON.stringify(options.clusterName)}`);
    }
  }
  writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

/** The one object of `kind` (and `name`, when given) among `objects`. */
export function only(objects: any[], kind: string, name?: string): any {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The rules of every ClusterRole bound cluster-wide (ClusterRoleBinding) to a subject. */
export function boundRules(objects: any[], subject: { kind: string; name: string; namespace?: string }): any[] {
  const roles = objects
    .filter(
      (o) =>
        o.kind === 'ClusterRoleBinding' &&
        o.roleRef?.kind === 'ClusterRole' &&
        (o.subjects ?? []).some(
          (s: any) =>
            s.kind === subject.kind && s.name === subject.name && (subject.namespace === undefined || s.namespace === subject.namespace),
        ),
    )
    .map((b) => only(objects, 'ClusterRole', b.roleRef.name));
  return roles.flatMap((r) => r.rules ?? []);
}

/** What the CronJob's pod runs and sees. */
export interface PodSpec {
  namespace: string;
  serviceAccountName: string;
  command: string[];
  args: string[];
  env: Record<string, string>;
  /** Absolute path in the pod -> content, from the ConfigMap volumes. */
  files: Map<string, string>;
}

/** The CronJob's container as its pod runs it: command, args, env (value only) and ConfigMap files. */
export function cronJobPod(objects: any[], name: string): PodSpec {
  const cronJob = only(objects, 'CronJob', name);
  const spec = cronJob.spec.jobTemplate.spec.template.spec;
  if (spec.containers.length !== 1) throw new Error('expected one container');
  const container = spec.containers[0];
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value === undefined) throw new Error(`env ${e.name} is not a plain value`);
    env[e.name] = e.value;
  }
  const files = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = spec.volumes.find((v: any) => v.name === mount.name);
    if (!volume?.configMap) throw new Error(`volume ${mount.name} is not a ConfigMap`);
    const configMap = only(objects, 'ConfigMap', volume.configMap.name);
    const items: { key: string; path: string }[] = volume.configMap.items ?? Object.keys(configMap.data).map((key) => ({ key, path: key }));
    for (const item of items) {
      const content = configMap.data?.[item.key];
      if (content === undefined) throw new Error(`ConfigMap ${configMap.metadata.name} has no key ${item.key}`);
      files.set(join(mount.mountPath, item.path), content);
    }
  }
  return {
    namespace: cronJob.metadata.namespace,
    serviceAccountName: spec.serviceAccountName,
    command: container.command ?? [],
    args: container.args ?? [],
    env,
    files,
  };
}

/**
 * The kubelet's expansion of `$(VAR)` in command and args: a defined variable is replaced, an
 * undefined one left as written, and `$$` is a literal `$` (k8s.io/kubernetes third_party/forked/golang/expansion).
 */
export function expandKubeletVars(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return env[name] ?? match;
  });
}

export interface InClusterRun {
  pod: PodSpec;
  /** The API server as the pod's environment names it. */
  apiServer: { host: string; port: number };
  serviceAccount: { token: string; caPem: string };
}

/** Runs the pod's command with the pod's files, service account and environment in place. */
export async function runAsPod(o: InClusterRun): Promise<RunResult> {
  const root = mkdtempSync(join(tmpdir(), 'rds-pod-'));
  try {
    const files = new Map(o.pod.files);
    files.set(join(SERVICE_ACCOUNT_DIR, 'token'), o.serviceAccount.token);
    files.set(join(SERVICE_ACCOUNT_DIR, 'ca.crt'), o.serviceAccount.caPem);
    files.set(join(SERVICE_ACCOUNT_DIR, 'namespace'), o.pod.namespace);
    // Each file goes under the host directory its top-level path resolves to (/var/run is /run).
    const tops = new Set<string>();
    for (const [path, content] of files) {
      const real = hostPath(path);
      const top = real.split('/')[1] ?? '';
      if (top === '' || !existsSync(`/${top}`)) throw new Error(`cannot lay out ${path}: /${top} does not exist here`);
      tops.add(top);
      mkdirSync(dirname(join(root, real)), { recursive: true });
      writeFileSync(join(root, real), content);
    }
    // Read-only, as a pod's ConfigMap and service-account volumes are.
    const mounts = [...tops]
      .map((top) => `mount --bind ${shellQuote(join(root, top))} /${top} && mount -o remount,bind,ro /${top}`)
      .join(' && ');
    const env = {
      ...o.pod.env,
      KUBERNETES_SERVICE_HOST: o.apiServer.host,
      KUBERNETES_SERVICE_PORT: String(o.apiServer.port),
      KUBERNETES_SERVICE_PORT_HTTPS: String(o.apiServer.port),
    };
    const argv = [...o.pod.command, ...o.pod.args].map((a) => expandKubeletVars(a, env));
    const home = join(root, 'home');
    mkdirSync(home);
    return await run('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', `${mounts} && exec "$@"`, 'sh', ...argv], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      ...env,
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Where a path of the pod lives on this host: its longest existing prefix resolved (/var/run -> /run). */
function hostPath(path: string): string {
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  const rest = path.slice(existing.length);
  const real = realpathSync(existing);
  return real === '/' ? rest : `${real}${rest}`;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function run(command: string, args: string[], env?: Record<string, string>): Promise<RunResult> {
  return runCommand(command, args, { env });
}
