// Maps API-server answers and transport failures to the CLI's error classes:
// one clear line, never the raw HTTP exchange.
import { CliError, ClusterError, NotFoundError } from '../errors.js';
import { ApiStatusError, ResponseError, TransportError } from './http.js';
import { ProxyError } from './proxy.js';

/** What a request was doing, in Kubernetes words, for error messages. */
export interface RequestTarget {
  verb: 'get' | 'list' | 'watch' | 'create' | 'patch';
  /** Plural resource, with group for non-core ones: `volumeattachments.storage.k8s.io`. */
  resource: string;
  namespace?: string | null;
  name?: string;
}

/** Turns any failure of a request into a CliError with the right exit code. */
export function mapRequestError(err: unknown, target: RequestTarget, server: string): Error {
  if (err instanceof CliError) return err;
  if (err instanceof ProxyError) {
    if (err.code === 'ABORTED') return err;
    // The proxy failed, not the cluster: say which proxy, and where it was configured.
    const hint = err.proxy.endsWith('(proxy-url)')
      ? "check the proxy, or the proxy-url of the kubeconfig's cluster"
      : "check the proxy, or list the cluster's host in NO_PROXY if it should be reached directly";
    return new ClusterError(err.message, hint);
  }
  if (err instanceof ResponseError) return new ClusterError(err.message);
  if (err instanceof TransportError) {
    if (err.code === 'ABORTED') return err;
    const hint = err.message.startsWith('TLS error')
      ? 'check the certificate-authority and server of the kubeconfig context; verification is never turned off by rds-migrate'
      : undefined;
    return new ClusterError(`cannot reach the cluster at ${server}: ${err.message}`, hint);
  }
  if (!(err instanceof ApiStatusError)) return err instanceof Error ? err : new Error(String(err));
  const where = target.namespace ? ` in namespace "${target.namespace}"` : target.verb === 'get' ? '' : ' at the cluster scope';
  const shortResource = target.resource.split('.')[0] ?? target.resource;
  switch (err.status) {
    case 404:
      return new NotFoundError(`${target.resource} "${target.name ?? ''}" not found${where}`);
    case 401:
      return new ClusterError(
        'unauthorized: the cluster rejected the credentials (401)',
        'refresh the token or client certificate of the kubeconfig context',
        401,
      );
    case 403:
      return new ClusterError(
        `forbidden: cannot ${target.verb} ${target.resource}${target.name ? ` "${target.name}"` : ''}${where} (needs RBAC: ${target.verb} ${shortResource})`,
        undefined,
        403,
      );
    default: {
      const what = err.statusMessage ? `: ${oneLine(err.statusMessage)}` : '';
      return new ClusterError(
        `the API server refused to ${target.verb} ${target.resource}${target.name ? ` "${target.name}"` : ''}${where}: ${err.status} ${err.reason || 'error'}${what}${attempts(err.attempt)}`,
        undefined,
        err.status,
      );
    }
  }
}

function attempts(n: number): string {
  return n > 1 ? ` (gave up after ${n} attempts)` : '';
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
