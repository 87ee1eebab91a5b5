// Kubeconfig loading the way kubectl does it. Each file is decoded with
// kubectl's types and refused where kubectl refuses it (kubeconfig-decode.ts); files are merged
// with clientcmd's rules (for every name and for current-context, the first file wins); the
// context in use is then checked as kubectl's ConfirmUsable checks it, so that a credential the
// file meant is never dropped or read differently.
import { stat } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { ClusterError, NotFoundError, UsageError } from '../errors.js';
import { readInputFile } from '../read-input.js';
import { decodeKubeconfig, type V1AuthInfo, type V1Cluster, type V1Named } from './kubeconfig-decode.js';

/** A kubeconfig is read up to this size: real ones are a few kB, a large merged one a few MB. */
export const MAX_KUBECONFIG_BYTES = 16 << 20;

export interface NamedCluster {
  name: string;
  /** The file that defines it, for error lines. */
  file: string;
  server: string;
  certificateAuthorityData?: Buffer;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  disableCompression?: boolean;
  /** The cluster's `client.authentication.k8s.io/exec` extension, handed to exec plugins. */
  execExtension?: unknown;
}

export type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  /** Checked and defaulted for the user in use (resolveContext); as written until then. */
  interactiveMode: string;
}

export interface NamedUser {
  name: string;
  /** The file that defines it, for error lines ('' for a user the kubeconfig does not define). */
  file: string;
  token?: string;
  tokenFile?: string;
  clientCertificateData?: Buffer;
  clientCertificate?: string;
  clientKeyData?: Buffer;
  clientKey?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  authProvider?: { name: string; config: Record<string, string> };
  as?: string;
  asUid?: string;
  asGroups?: string[];
  asUserExtra?: Record<string, string[]>;
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

/** What a command connects with: the resolved cluster, user and namespace, checked as kubectl checks them. */
export interface ResolvedConfig {
  contextName: string;
  cluster: NamedCluster;
  /** The cluster's server, parsed: an https or http URL. */
  serverUrl: URL;
  user: NamedUser & { exec?: ExecConfig & { interactiveMode: InteractiveMode } };
  namespace: string;
}

export interface LoadConfigInput {
  kubeconfigFlag: string | undefined;
  contextFlag: string | undefined;
  namespaceFlag: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Stops reading (Ctrl-C, the command's deadline). */
  signal: AbortSignal;
  /** Where the in-cluster service account lives; the real path in production. */
  serviceAccountDir?: string;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const EXEC_API_VERSIONS = new Set(['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1']);
const INTERACTIVE_MODES = new Set<string>(['Never', 'IfAvailable', 'Always']);

/** Loads, merges and resolves the kubeconfig as kubectl would; errors carry exit codes 2/3/4. */
export async function loadConfig(input: LoadConfigInput): Promise<ResolvedConfig> {
  const merged = await mergeKubeConfigs(await configPaths(input), input.signal);
  if (merged.contexts.length === 0 && merged.clusters.length === 0) {
    const inCluster = await loadInCluster(input.env, input.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, input.signal);
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
  const user = config.users.find((u) => u.name === context.user) ?? { name: context.user, file: '' };
  return {
    contextName,
    cluster,
    serverUrl: checkCluster(cluster),
    user: checkUser(user),
    namespace: input.namespaceFlag ?? (context.namespace || 'default'),
  };
}

/** kubectl's checks of the cluster in use (clientcmd validateClusterInfo); returns the parsed server. */
function checkCluster(cluster: NamedCluster): URL {
  const where = `kubeconfig "${cluster.file}": cluster "${cluster.name}"`;
  if (cluster.server === '') throw new UsageError(`${where} has no server`);
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    // Never echo it: a server URL may hold a user name and password.
    throw new UsageError(`${where}: its server is not a valid URL`, 'write it as https://<host>:<port>');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${where}: its server must be an https:// or http:// URL`, 'write it as https://<host>:<port>');
  }
  if (cluster.certificateAuthority !== undefined && cluster.certificateAuthorityData !== undefined) {
    throw bothSpecified(where, 'certificate-authority');
  }
  return url;
}

/** kubectl's checks of the user in use (clientcmd validateAuthInfo and the exec plugin's); the exec mode defaulted. */
function checkUser(user: NamedUser): ResolvedConfig['user'] {
  const where = `kubeconfig "${user.file}": user "${user.name}"`;
  const hasCert = user.clientCertificate !== undefined || user.clientCertificateData !== undefined;
  const hasKey = user.clientKey !== undefined || user.clientKeyData !== undefined;
  if (user.clientCertificate !== undefined && user.clientCertificateData !== undefined) throw bothSpecified(where, 'client-certificate');
  if (user.clientKey !== undefined && user.clientKeyData !== undefined) throw bothSpecified(where, 'client-key');
  if (hasCert && !hasKey) throw new UsageError(`${where} has a client certificate but no client-key or client-key-data`);
  // kubectl would ignore a key without its certificate; a credential is never dropped here.
  if (hasKey && !hasCert) throw new UsageError(`${where} has a client key but no client-certificate or client-certificate-data`);
  const basic = user.username !== undefined || user.password !== undefined;
  if ((user.token !== undefined || user.tokenFile !== undefined) && basic) {
    throw new UsageError(`${where} has both a token and a username/password`, 'kubectl refuses this too: only one is allowed');
  }
  if (user.password !== undefined && user.username === undefined) {
    throw new UsageError(`${where} has a password but no username`);
  }
  const impersonates = user.asUid !== undefined || user.asGroups !== undefined || user.asUserExtra !== undefined;
  if (impersonates && user.as === undefined) {
    throw new UsageError(`${where} sets as-uid, as-groups or as-user-extra without as`, 'kubectl refuses this too');
  }
  if (!user.exec) return user as ResolvedConfig['user'];
  const exec = user.exec;
  if (user.authProvider) throw new UsageError(`${where} has both exec and auth-provider`, 'kubectl refuses this too: keep one');
  if (exec.command === '') throw new UsageError(`${where}: exec has no command`);
  if (!EXEC_API_VERSIONS.has(exec.apiVersion)) {
    throw new UsageError(
      exec.apiVersion === '' ? `${where}: exec has no apiVersion` : `${where}: exec apiVersion "${exec.apiVersion}" is not supported`,
      'use client.authentication.k8s.io/v1 (or v1beta1), as kubectl does',
    );
  }
  if (exec.env.some((v) => v.name === '')) throw new UsageError(`${where}: an exec env entry has no name`, 'kubectl refuses this too');
  // v1beta1 defaults the mode to IfAvailable; v1 requires it (clientcmd defaults and validation).
  const mode = exec.interactiveMode === '' && exec.apiVersion.endsWith('/v1beta1') ? 'IfAvailable' : exec.interactiveMode;
  if (!INTERACTIVE_MODES.has(mode)) {
    throw new UsageError(
      mode === ''
        ? `${where}: exec has no interactiveMode`
        : `${where}: exec interactiveMode "${mode}" is not Never, IfAvailable or Always`,
      'kubectl refuses this too',
    );
  }
  return { ...user, exec: { ...exec, interactiveMode: mode as InteractiveMode } };
}

function bothSpecified(where: string, field: string): UsageError {
  return new UsageError(`${where} sets both ${field} and ${field}-data`, 'kubectl refuses this too ("both specified"): keep one of them');
}

/** The files to read, in precedence order: --kubeconfig, else $KUBECONFIG entries that exist, else ~/.kube/config. */
export async function configPaths(input: Pick<LoadConfigInput, 'kubeconfigFlag' | 'env'>): Promise<{ path: string; what: string }[]> {
  if (input.kubeconfigFlag !== undefined) {
    const path = input.kubeconfigFlag;
    if (path === '') throw new UsageError('--kubeconfig must not be empty');
    return [{ path, what: `--kubeconfig "${path}"` }];
  }
  const fromEnv = input.env.KUBECONFIG;
  if (fromEnv) {
    const paths = fromEnv.split(delimiter).filter((p) => p !== '');
    const exist = await Promise.all(paths.map(exists));
    // kubectl skips entries that do not exist, and reads each file once.
    return [...new Set(paths.filter((_, i) => exist[i]))].map((path) => ({ path, what: `kubeconfig "${path}"` }));
  }
  const home = input.env.HOME;
  if (home) {
    const path = join(home, '.kube', 'config');
    if (await exists(path)) return [{ path, what: `kubeconfig "${path}"` }];
  }
  return [];
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** Merges kubeconfig files with kubectl's rules: for every name and for current-context, the first file wins. */
export async function mergeKubeConfigs(files: { path: string; what: string }[], signal: AbortSignal): Promise<KubeConfigFile> {
  const merged: KubeConfigFile = { clusters: [], users: [], contexts: [], currentContext: undefined };
  const seen = { clusters: new Set<string>(), users: new Set<string>(), contexts: new Set<string>() };
  const read = await Promise.all(files.map(({ path, what }) => readKubeConfigFile(path, what, signal)));
  for (const file of read) {
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

/** Reads and decodes one kubeconfig file; relative file references resolve against its directory. */
export async function readKubeConfigFile(path: string, what: string, signal: AbortSignal): Promise<KubeConfigFile> {
  const text = await readInputFile(path, { maxBytes: MAX_KUBECONFIG_BYTES, what, signal });
  const config = decodeKubeconfig(text, path);
  const base = dirname(path);
  const abs = (p: string | undefined): string | undefined => (p ? (isAbsolute(p) ? p : join(base, p)) : undefined);
  return {
    clusters: config.clusters.map((entry) => toCluster(entry, path, abs)),
    users: config.users.map((entry) => toUser(entry, path, abs)),
    contexts: config.contexts.map(({ name, value }) =>
      dropUndefined({ name, cluster: value.cluster ?? '', user: value.user ?? '', namespace: value.namespace || undefined }),
    ),
    currentContext: config.currentContext || undefined,
  };
}

type Absolute = (p: string | undefined) => string | undefined;

function toCluster({ name, value: c }: V1Named<V1Cluster>, file: string, abs: Absolute): NamedCluster {
  return dropUndefined({
    name,
    file,
    server: c.server ?? '',
    certificateAuthorityData: nonEmpty(c.certificateAuthorityData),
    certificateAuthority: abs(c.certificateAuthority),
    insecureSkipTlsVerify: c.insecureSkipTlsVerify === true ? true : undefined,
    tlsServerName: c.tlsServerName || undefined,
    proxyUrl: c.proxyUrl || undefined,
    disableCompression: c.disableCompression === true ? true : undefined,
    execExtension: c.extensions?.find((e) => e.name === 'client.authentication.k8s.io/exec')?.extension,
  });
}

function toUser({ name, value: u }: V1Named<V1AuthInfo>, file: string, abs: Absolute): NamedUser {
  const exec = u.exec;
  const command = exec?.command ?? '';
  return dropUndefined({
    name,
    file,
    token: u.token || undefined,
    tokenFile: abs(u.tokenFile),
    clientCertificateData: nonEmpty(u.clientCertificateData),
    clientCertificate: abs(u.clientCertificate),
    clientKeyData: nonEmpty(u.clientKeyData),
    clientKey: abs(u.clientKey),
    username: u.username || undefined,
    password: u.password || undefined,
    as: u.as || undefined,
    asUid: u.asUid || undefined,
    asGroups: u.asGroups?.length ? u.asGroups : undefined,
    asUserExtra: u.asUserExtra && Object.keys(u.asUserExtra).length > 0 ? u.asUserExtra : undefined,
    exec: exec
      ? dropUndefined({
          // kubectl resolves a relative command containing a path separator against the file.
          command: command.includes('/') ? (abs(command) as string) : command,
          args: exec.args ?? [],
          env: (exec.env ?? []).map((v) => ({ name: v.name ?? '', value: v.value ?? '' })),
          apiVersion: exec.apiVersion ?? '',
          installHint: exec.installHint || undefined,
          provideClusterInfo: exec.provideClusterInfo === true,
          interactiveMode: exec.interactiveMode ?? '',
        })
      : undefined,
    authProvider: u.authProvider ? { name: u.authProvider.name ?? '', config: u.authProvider.config ?? {} } : undefined,
  });
}

function nonEmpty(data: Buffer | undefined): Buffer | undefined {
  return data && data.length > 0 ? data : undefined;
}

/** The in-cluster service account, when the process runs in a pod. */
async function loadInCluster(env: LoadConfigInput['env'], dir: string, signal: AbortSignal): Promise<KubeConfigFile | undefined> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !(await exists(tokenFile))) return undefined;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let namespace: string | undefined;
  try {
    namespace = (await readInputFile(join(dir, 'namespace'), { maxBytes: 4096, what: 'the service account namespace', signal })).trim();
  } catch {
    namespace = undefined;
  }
  const file = 'in-cluster service account';
  return {
    clusters: [{ name: 'in-cluster', file, server: `https://${hostPart}:${port}`, certificateAuthority: join(dir, 'ca.crt') }],
    users: [{ name: 'in-cluster', file, tokenFile }],
    contexts: [dropUndefined({ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace: namespace || undefined })],
    currentContext: 'in-cluster',
  };
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
