// Turns a resolved kubeconfig into TLS options and request headers, as kubectl would send them.
// Tokens, keys and exec-plugin output live only in the returned object: nothing here logs them
// or puts them in an error message. Material that kubectl would refuse (a certificate that does
// not parse, an encrypted key, a token that cannot be an HTTP header) is refused here, exit 2,
// before any request is sent.
import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { ClusterError, UsageError } from '../errors.js';
import { readInputFile } from '../read-input.js';
import type { NamedCluster, ResolvedConfig } from './config.js';
import { runCredentialPlugin } from './exec-plugin.js';

/** Token, certificate and key files (and a credential plugin's output) are read up to this size. */
export const MAX_CREDENTIAL_BYTES = 1 << 20;

export interface Credentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
  headers: Record<string, string>;
}

export interface CredentialOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Stops file reads and credential plugins (Ctrl-C, the command's deadline). */
  signal: AbortSignal;
  /** Whether standard input is a terminal: an exec plugin's interactiveMode depends on it. */
  stdinIsTerminal: boolean;
}

/** Resolves the TLS material and the Authorization and impersonation headers for the current context. */
export async function resolveCredentials(config: ResolvedConfig, options: CredentialOptions): Promise<Credentials> {
  const { cluster, user } = config;
  const creds: Credentials = {
    rejectUnauthorized: cluster.insecureSkipTlsVerify !== true,
    headers: {},
  };
  const clusterWhere = `cluster "${cluster.name}" (kubeconfig "${cluster.file}")`;
  const userWhere = `user "${user.name}" (kubeconfig "${user.file}")`;
  const read = async (path: string, field: string, owner: string): Promise<Buffer> =>
    Buffer.from(
      await readInputFile(path, { maxBytes: MAX_CREDENTIAL_BYTES, what: `the ${field} "${path}" of ${owner}`, signal: options.signal }),
    );

  const ca = cluster.certificateAuthority
    ? await read(cluster.certificateAuthority, 'certificate-authority', clusterWhere)
    : cluster.certificateAuthorityData;
  if (ca) {
    checkCertificateAuthority(ca, `the certificate-authority${cluster.certificateAuthority ? '' : '-data'} of ${clusterWhere}`);
    creds.ca = ca;
  }
  if (cluster.tlsServerName) creds.servername = cluster.tlsServerName;

  const cert = user.clientCertificate ? await read(user.clientCertificate, 'client-certificate', userWhere) : user.clientCertificateData;
  const key = user.clientKey ? await read(user.clientKey, 'client-key', userWhere) : user.clientKeyData;
  if (cert && key) {
    const names = { cert: `client-certificate${user.clientCertificate ? '' : '-data'}`, key: `client-key${user.clientKey ? '' : '-data'}` };
    checkKeyPair(cert, key, names, userWhere);
    creds.cert = cert;
    creds.key = key;
  }

  const token = await staticToken(user, (path) => read(path, 'tokenFile', userWhere));
  if (token !== undefined) {
    creds.headers.Authorization = `Bearer ${headerValue(token, `the token of ${userWhere}`)}`;
  } else if (user.username !== undefined) {
    creds.headers.Authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
  } else if (user.exec && !creds.cert) {
    // kubectl runs the plugin only when the kubeconfig gives no token, password or certificate.
    await applyExecCredential(config, creds, options, userWhere);
  } else if (user.authProvider) {
    await applyAuthProvider(config, creds);
  }
  applyImpersonation(config.user, creds, userWhere);
  return creds;
}

/** The bearer token of the kubeconfig: tokenFile's content when it can be read (kubectl rereads it), else token. */
async function staticToken(user: ResolvedConfig['user'], read: (path: string) => Promise<Buffer>): Promise<string | undefined> {
  if (user.tokenFile === undefined) return user.token;
  try {
    return (await read(user.tokenFile)).toString('utf8').trim();
  } catch (err) {
    if (user.token !== undefined && err instanceof UsageError) return user.token;
    throw err;
  }
}

/** kubectl refuses a CA with no certificate in it ("unable to load root certificates"); Node would ignore it. */
function checkCertificateAuthority(pem: Buffer, what: string): void {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const parses = (block: string): boolean => {
    try {
      new X509Certificate(block);
      return true;
    } catch {
      return false;
    }
  };
  if (!blocks.some(parses)) throw new UsageError(`${what} holds no PEM certificate`, 'kubectl refuses it too');
}

/** The client certificate and key must parse and belong together, as tls.X509KeyPair checks them for kubectl. */
function checkKeyPair(cert: Buffer, key: Buffer, names: { cert: string; key: string }, owner: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch {
    throw new UsageError(`the ${names.cert} of ${owner} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key, format: 'pem', passphrase: '' });
  } catch {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(key.toString('latin1'))) {
      throw new UsageError(
        `the ${names.key} of ${owner} is encrypted`,
        'kubectl cannot use an encrypted key either: decrypt it (openssl pkey -in key.pem -out plain.pem)',
      );
    }
    throw new UsageError(`the ${names.key} of ${owner} is not a PEM private key`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new UsageError(`the ${names.key} of ${owner} does not match its ${names.cert}`);
}

/**
 * A value that can go into an HTTP header as it is: printable ASCII and tabs. A line break would
 * inject headers (Node and Go refuse it), and Node would send other characters differently from kubectl.
 */
function headerValue(value: string, what: string): string {
  if (!/^[\t\x20-\x7e]*$/.test(value)) {
    throw new UsageError(`${what} contains a line break or another character that cannot go into an HTTP header`);
  }
  return value;
}

/** Impersonate-* headers, as client-go sends them for as, as-uid, as-groups and as-user-extra. */
function applyImpersonation(user: ResolvedConfig['user'], creds: Credentials, where: string): void {
  if (user.as === undefined) return;
  creds.headers['Impersonate-User'] = headerValue(user.as, `the as (impersonated user) of ${where}`);
  if (user.asUid !== undefined) creds.headers['Impersonate-Uid'] = headerValue(user.asUid, `the as-uid of ${where}`);
  const groups = user.asGroups ?? [];
  if (groups.length > 1) {
    throw new UsageError(`${where} has ${groups.length} as-groups: rds-migrate can impersonate one group only`, 'keep one group');
  }
  if (groups[0] !== undefined) creds.headers['Impersonate-Group'] = headerValue(groups[0], `the as-groups of ${where}`);
  for (const [key, values] of Object.entries(user.asUserExtra ?? {})) {
    if (values.length > 1) {
      throw new UsageError(`${where} has several as-user-extra values for "${key}": rds-migrate can send one only`, 'keep one value');
    }
    if (values[0] !== undefined) {
      creds.headers[`Impersonate-Extra-${escapeHeaderKey(key)}`] = headerValue(values[0], `the as-user-extra of ${where}`);
    }
  }
}

/** client-go's headerKeyEscape: bytes that are not HTTP token characters (and %) are %-encoded. */
function escapeHeaderKey(key: string): string {
  return [...Buffer.from(key, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /^[A-Za-z0-9!#$&'*+\-.^_`|~]$/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Runs a client-go credential plugin (client.authentication.k8s.io ExecCredential) and applies what it returns. */
async function applyExecCredential(config: ResolvedConfig, creds: Credentials, options: CredentialOptions, where: string): Promise<void> {
  const exec = config.user.exec!;
  const { cluster } = config;
  const interactive = exec.interactiveMode === 'Always' || (exec.interactiveMode === 'IfAvailable' && options.stdinIsTerminal);
  if (exec.interactiveMode === 'Always' && !options.stdinIsTerminal) {
    throw new UsageError(
      `the exec plugin "${exec.command}" of ${where} cannot support interactive mode: standard input is not a terminal (interactiveMode: Always)`,
      'run the command from a terminal, or log in first so that the plugin need not ask',
    );
  }
  const spec: Record<string, unknown> = { interactive };
  if (exec.provideClusterInfo) spec.cluster = clusterInfo(cluster, creds.ca);
  const env: Record<string, string | undefined> = { ...options.env };
  for (const { name, value } of exec.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: exec.apiVersion, kind: 'ExecCredential', spec });
  const stdout = await runCredentialPlugin({
    command: exec.command,
    args: exec.args,
    env,
    interactive,
    signal: options.signal,
    maxBytes: MAX_CREDENTIAL_BYTES,
    installHint: exec.installHint,
  });
  const status = readExecCredential(stdout, exec.apiVersion, exec.command);
  const plugin = `the credential plugin "${exec.command}" of ${where}`;
  if (status.token) creds.headers.Authorization = `Bearer ${headerValue(status.token, `the token printed by ${plugin}`)}`;
  if (status.clientCertificateData && status.clientKeyData) {
    const cert = Buffer.from(status.clientCertificateData);
    const key = Buffer.from(status.clientKeyData);
    checkKeyPair(cert, key, { cert: 'clientCertificateData', key: 'clientKeyData' }, `the ExecCredential printed by ${plugin}`);
    creds.cert = cert;
    creds.key = key;
  }
}

/** What kubectl tells the plugin of the cluster (ExecCredential spec.cluster) when provideClusterInfo is set. */
function clusterInfo(cluster: NamedCluster, ca: Buffer | undefined): Record<string, unknown> {
  const info: Record<string, unknown> = { server: cluster.server };
  if (cluster.tlsServerName) info['tls-server-name'] = cluster.tlsServerName;
  if (cluster.insecureSkipTlsVerify) info['insecure-skip-tls-verify'] = true;
  if (ca) info['certificate-authority-data'] = ca.toString('base64');
  if (cluster.proxyUrl) info['proxy-url'] = cluster.proxyUrl;
  if (cluster.disableCompression) info['disable-compression'] = true;
  if (cluster.execExtension !== undefined) info.config = cluster.execExtension;
  return info;
}

interface ExecStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}

/** The status of the ExecCredential a plugin printed, checked as client-go checks it (a plugin fault: exit 4). */
function readExecCredential(stdout: string, apiVersion: string, command: string): ExecStatus {
  const bad = (why: string): ClusterError => new ClusterError(`credential plugin "${command}" ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw bad('did not print an ExecCredential with a status');
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad('did not print an ExecCredential with a status');
  const credential = parsed as { apiVersion?: unknown; kind?: unknown; status?: unknown };
  if (credential.apiVersion !== apiVersion || credential.kind !== 'ExecCredential') {
    throw bad(`did not print an ExecCredential of ${apiVersion}`);
  }
  const status = credential.status;
  if (typeof status !== 'object' || status === null) throw bad('did not print an ExecCredential with a status');
  const out: ExecStatus = {};
  for (const field of ['token', 'clientCertificateData', 'clientKeyData'] as const) {
    const value = (status as Record<string, unknown>)[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw bad(`printed a status.${field} that is not a string`);
    out[field] = value;
  }
  if (!out.token && !out.clientCertificateData && !out.clientKeyData) throw bad('returned neither a token nor a certificate and key');
  if (!out.clientCertificateData !== !out.clientKeyData) throw bad('returned a certificate or a key, not both');
  return out;
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
  if (typeof authorization === 'string')
    creds.headers.Authorization = headerValue(authorization, `the token of auth provider "${user.authProvider?.name ?? ''}"`);
}
