// Kubeconfig loading the way kubectl does it (SPEC §3, §5). We read and merge
// the files ourselves because @kubernetes/client-node's loadFromDefault lets
// the *last* KUBECONFIG file's current-context win and throws on duplicate
// names, where kubectl keeps the first of each (clientcmd's merge rules).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { ClusterError, NotFoundError, UsageError } from '../errors.js';
import { readPlainYaml } from './plain-yaml.js';

export interface NamedCluster {
  name: string;
  server: string;
  certificateAuthorityData?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

export interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

export interface NamedUser {
  name: string;
  token?: string;
  tokenFile?: string;
  clientCertificateData?: string;
  clientCertificate?: string;
  clientKeyData?: string;
  clientKey?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  authProvider?: { name: string; config?: Record<string, string> };
  as?: string;
}

export interface NamedContext {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
}

export interface KubeConfigFile {
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  currentContext: string | undefined;
}

/** What a command connects with: the resolved cluster, user and namespace. */
export interface ResolvedConfig {
  contextName: string;
  cluster: NamedCluster;
  user: NamedUser;
  namespace: string;
  /** The merged configuration, for the client-node fallback (auth providers). */
  source: KubeConfigFile;
}

export interface LoadConfigInput {
  kubeconfigFlag: string | undefined;
  contextFlag: string | undefined;
  namespaceFlag: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Where the in-cluster service account lives; the real path in production. */
  serviceAccountDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Loads, merges and resolves the kubeconfig as kubectl would; errors carry exit codes 2/3/4. */
export async function loadConfig(input: LoadConfigInput): Promise<ResolvedConfig> {
  const merged = await mergeKubeConfigs(configPaths(input));
  if (merged.contexts.length === 0 && merged.clusters.length === 0) {
    const inCluster = loadInCluster(input.env, input.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    if (inCluster) return resolveContext(inCluster, input);
    throw new ClusterError(
      'no cluster configuration found: no kubeconfig file and not running inside a cluster',
      'set --kubeconfig or KUBECONFIG, or create ~/.kube/config',
    );
  }
  return resolveContext(merged, input);
}

function resolveContext(config: KubeConfigFile, input: LoadConfigInput): ResolvedConfig {
  const contextName = input.contextFlag ?? config.currentContext;
  if (!contextName) {
    throw new ClusterError('the kubeconfig has no current-context', 'pass --context <name> or run kubectl config use-context');
  }
  const context = config.contexts.find((c) => c.name === contextName);
  if (!context) {
    const known = config.contexts.map((c) => c.name).join(', ') || 'none';
    throw new NotFoundError(`context "${contextName}" not found in kubeconfig`, `known contexts: ${known}`);
  }
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster)
    throw new UsageError(`context "${contextName}" refers to cluster "${context.cluster}", which the kubeconfig does not define`);
  const user = config.users.find((u) => u.name === context.user) ?? { name: context.user };
  return {
    contextName,
    cluster,
    user,
    namespace: input.namespaceFlag ?? (context.namespace || 'default'),
    source: config,
  };
}

/** The files to read, in precedence order: --kubeconfig, else $KUBECONFIG entries, else ~/.kube/config. */
export function configPaths(input: LoadConfigInput): string[] {
  if (input.kubeconfigFlag !== undefined) {
    const path = input.kubeconfigFlag;
    if (path === '') throw new UsageError('--kubeconfig must not be empty');
    if (!existsSync(path)) throw new UsageError(`--kubeconfig "${path}": no such file`);
    return [path];
  }
  const fromEnv = input.env.KUBECONFIG;
  if (fromEnv) {
    // kubectl skips entries that do not exist.
    return fromEnv.split(delimiter).filter((p) => p !== '' && existsSync(p));
  }
  const home = input.env.HOME;
  if (home) {
    const path = join(home, '.kube', 'config');
    if (existsSync(path)) return [path];
  }
  return [];
}

/** Merges kubeconfig files with kubectl's rules: for every name and for current-context, the first file wins. */
export async function mergeKubeConfigs(paths: string[]): Promise<KubeConfigFile> {
  const merged: KubeConfigFile = { clusters: [], users: [], contexts: [], currentContext: undefined };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  for (const path of paths) {
    const file = await readKubeConfigFile(path);
    merged.currentContext ||= file.currentContext;
    for (const key of ['clusters', 'users', 'contexts'] as const) {
      for (const entry of file[key]) {
        if (seen[key].has(entry.name)) continue;
        seen[key].add(entry.name);
        (merged[key] as { name: string }[]).push(entry);
      }
    }
  }
  return merged;
}

/** Reads one kubeconfig file; relative file references resolve against its directory. */
export async function readKubeConfigFile(path: string): Promise<KubeConfigFile> {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`kubeconfig "${path}" is a directory, not a file`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read kubeconfig "${path}": ${(err as NodeJS.ErrnoException).code ?? 'read error'}`);
  }
  // Most kubeconfigs are plain block YAML, read without loading the yaml library.
  let doc = readPlainYaml(text);
  if (doc === undefined) doc = await parseYaml(text, path);

  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [], currentContext: undefined };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`kubeconfig "${path}" is not a kubeconfig (expected a mapping)`);
  const base = dirname(path);
  const abs = (p: unknown): string | undefined => (typeof p === 'string' && p !== '' ? (isAbsolute(p) ? p : join(base, p)) : undefined);
  const root = doc as Record<string, unknown>;
  const entries = (key: string): Record<string, unknown>[] => {
    const list = root[key];
    if (list === undefined || list === null) return [];
    if (!Array.isArray(list)) throw new UsageError(`kubeconfig "${path}": "${key}" must be a list`);
    return list.map((item, i) => {
      if (typeof item !== 'object' || item === null || typeof (item as { name?: unknown }).name !== 'string') {
        throw new UsageError(`kubeconfig "${path}": ${key}[${i}] has no name`);
      }
      return item as Record<string, unknown>;
    });
  };
  const body = (item: Record<string, unknown>, key: string): Record<string, unknown> => {
    const inner = item[key];
    return typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
  };
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

  const clusters = entries('clusters').map((item): NamedCluster => {
    const c = body(item, 'cluster');
    const server = str(c.server);
    if (!server) throw new UsageError(`kubeconfig "${path}": cluster "${String(item.name)}" has no server`);
    return dropUndefined({
      name: item.name as string,
      server,
      certificateAuthorityData: str(c['certificate-authority-data']),
      certificateAuthority: abs(c['certificate-authority']),
      insecureSkipTlsVerify: c['insecure-skip-tls-verify'] === true ? true : undefined,
      tlsServerName: str(c['tls-server-name']),
      proxyUrl: str(c['proxy-url']),
    });
  });
  const users = entries('users').map((item): NamedUser => {
    const u = body(item, 'user');
    const exec = typeof u.exec === 'object' && u.exec !== null ? (u.exec as Record<string, unknown>) : undefined;
    const provider =
      typeof u['auth-provider'] === 'object' && u['auth-provider'] !== null ? (u['auth-provider'] as Record<string, unknown>) : undefined;
    return dropUndefined({
      name: item.name as string,
      token: str(u.token),
      tokenFile: abs(u.tokenFile),
      clientCertificateData: str(u['client-certificate-data']),
      clientCertificate: abs(u['client-certificate']),
      clientKeyData: str(u['client-key-data']),
      clientKey: abs(u['client-key']),
      username: str(u.username),
      password: str(u.password),
      as: str(u.as),
      exec:
        exec && typeof exec.command === 'string'
          ? dropUndefined({
              // kubectl resolves a relative exec command containing a path separator against the file.
              command: exec.command.includes('/') ? (abs(exec.command) as string) : exec.command,
              args: Array.isArray(exec.args) ? exec.args.map(String) : undefined,
              env: Array.isArray(exec.env) ? (exec.env as { name: string; value: string }[]) : undefined,
              apiVersion: str(exec.apiVersion),
              installHint: str(exec.installHint),
              provideClusterInfo: exec.provideClusterInfo === true ? true : undefined,
            })
          : undefined,
      authProvider:
        provider && typeof provider.name === 'string'
          ? { name: provider.name, config: (provider.config ?? {}) as Record<string, string> }
          : undefined,
    });
  });
  const contexts = entries('contexts').map((item): NamedContext => {
    const c = body(item, 'context');
    return dropUndefined({
      name: item.name as string,
      cluster: str(c.cluster) ?? '',
      user: str(c.user) ?? '',
      namespace: str(c.namespace),
    });
  });
  return { clusters, users, contexts, currentContext: str(root['current-context']) };
}

/** The in-cluster service account, when the process runs in a pod. */
function loadInCluster(env: LoadConfigInput['env'], dir: string): KubeConfigFile | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let namespace: string | undefined;
  try {
    namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
  } catch {
    namespace = undefined;
  }
  return {
    clusters: [{ name: 'in-cluster', server: `https://${hostPart}:${port}`, certificateAuthority: join(dir, 'ca.crt') }],
    users: [{ name: 'in-cluster', tokenFile }],
    contexts: [dropUndefined({ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace })],
    currentContext: 'in-cluster',
  };
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}

/** Any YAML, through the yaml library. */
async function parseYaml(text: string, path: string): Promise<unknown> {
  const { parse } = await import('./yaml-parse.js');
  try {
    return parse(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw new UsageError(`kubeconfig "${path}" is not valid YAML: ${first}`);
  }
}
