// Turns a resolved kubeconfig into TLS options and request headers. Tokens,
// keys and exec-plugin output live only in the returned object: nothing here
// logs them or puts them in an error message.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ClusterError, UsageError } from '../errors.js';
import type { NamedCluster, NamedUser, ResolvedConfig } from './config.js';

export interface Credentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
  headers: Record<string, string>;
}

/** Resolves the TLS material and the Authorization header for the current context. */
export async function resolveCredentials(
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<Credentials> {
  const { cluster, user } = config;
  const creds: Credentials = {
    rejectUnauthorized: cluster.insecureSkipTlsVerify !== true,
    headers: {},
  };
  const ca = fileOrData(cluster.certificateAuthority, cluster.certificateAuthorityData, 'certificate-authority');
  if (ca) creds.ca = ca;
  if (cluster.tlsServerName) creds.servername = cluster.tlsServerName;
  const cert = fileOrData(user.clientCertificate, user.clientCertificateData, 'client-certificate');
  const key = fileOrData(user.clientKey, user.clientKeyData, 'client-key');
  if (cert) creds.cert = cert;
  if (key) creds.key = key;

  if (user.token) {
    creds.headers.Authorization = `Bearer ${user.token}`;
  } else if (user.tokenFile) {
    creds.headers.Authorization = `Bearer ${readSecretFile(user.tokenFile, 'tokenFile').toString('utf8').trim()}`;
  } else if (user.username !== undefined && user.password !== undefined) {
    creds.headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  } else if (user.exec) {
    await applyExecCredential(user, cluster, creds, env, signal);
  } else if (user.authProvider) {
    await applyAuthProvider(config, creds);
  }
  if (user.as) creds.headers['Impersonate-User'] = user.as;
  return creds;
}

function fileOrData(file: string | undefined, data: string | undefined, what: string): Buffer | undefined {
  if (file) return readSecretFile(file, what);
  if (data) return Buffer.from(data, 'base64');
  return undefined;
}

function readSecretFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(
      `cannot read ${what} file "${path}" named in the kubeconfig: ${(err as NodeJS.ErrnoException).code ?? 'read error'}`,
    );
  }
}

/** Runs a client-go credential plugin (client.authentication.k8s.io ExecCredential). */
async function applyExecCredential(
  user: NamedUser,
  cluster: NamedCluster,
  creds: Credentials,
  parentEnv: Readonly<Record<string, string | undefined>>,
  signal: AbortSignal,
): Promise<void> {
  const exec = user.exec!;
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const info: Record<string, unknown> = { apiVersion, kind: 'ExecCredential', spec: { interactive: false } };
  if (exec.provideClusterInfo) {
    (info.spec as Record<string, unknown>).cluster = {
      server: cluster.server,
      'insecure-skip-tls-verify': cluster.insecureSkipTlsVerify === true,
    };
  }
  const env: Record<string, string | undefined> = { ...parentEnv, KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  for (const { name, value } of exec.env ?? []) env[name] = value;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(exec.command, exec.args ?? [], { env, signal, maxBuffer: 4 << 20, encoding: 'utf8' }, (err, out) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'command not found' : `exit code ${String((err as { code?: unknown }).code ?? 'unknown')}`;
        // The plugin's own output may hold secrets; name only the command.
        reject(new ClusterError(`credential plugin "${exec.command}" failed: ${why}`, exec.installHint?.split('\n')[0]));
        return;
      }
      resolve(out);
    });
  });
  let status: Record<string, unknown> | undefined;
  try {
    status = (JSON.parse(stdout) as { status?: Record<string, unknown> }).status;
  } catch {
    status = undefined;
  }
  if (!status) throw new ClusterError(`credential plugin "${exec.command}" did not print an ExecCredential with a status`);
  if (typeof status.token === 'string' && status.token !== '') creds.headers.Authorization = `Bearer ${status.token}`;
  if (typeof status.clientCertificateData === 'string') creds.cert = Buffer.from(status.clientCertificateData);
  if (typeof status.clientKeyData === 'string') creds.key = Buffer.from(status.clientKeyData);
}

/** Legacy auth providers (oidc, gcp, azure): delegate to @kubernetes/client-node, loaded only here. */
async function applyAuthProvider(config: ResolvedConfig, creds: Credentials): Promise<void> {
  const { KubeConfig } = await import('./client-node.js');
  const kc = new KubeConfig();
  const { cluster, user } = config;
  kc.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.server, skipTLSVerify: cluster.insecureSkipTlsVerify === true }],
    users: [{ name: user.name, authProvider: user.authProvider }],
    contexts: [{ name: config.contextName, cluster: cluster.name, user: user.name }],
    currentContext: config.contextName,
  });
  const opts: { headers?: Record<string, unknown> } = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch {
    throw new ClusterError(`auth provider "${user.authProvider?.name ?? ''}" could not produce credentials`);
  }
  const authorization = opts.headers?.Authorization;
  if (typeof authorization === 'string') creds.headers.Authorization = authorization;
}
