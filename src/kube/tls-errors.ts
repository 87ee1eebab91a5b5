// What Node's network and certificate verification error codes mean, in words, for the API
// server, a proxy and the Pushgateway alike.

const CERTIFICATE_PROBLEMS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'is not valid for this host name',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is signed by an unknown authority',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is signed by an unknown authority',
  CERT_NOT_YET_VALID: 'is not yet valid',
};

/** `TLS error: <whose> certificate <problem> (<code>)` for a certificate verification code, else undefined. */
export function certificateError(code: string, whose: string): string | undefined {
  const problem = CERTIFICATE_PROBLEMS[code];
  return problem === undefined ? undefined : `TLS error: ${whose} certificate ${problem} (${code})`;
}

const NETWORK_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPROTO: 'TLS protocol error',
};

/**
 * A failed connection in words: the problem with `whose` certificate, or the network error.
 * `peer` is who reset the connection (the server, the proxy).
 */
export function networkError(code: string, whose: string, peer = 'the server'): string {
  if (code === 'ECONNRESET') return `connection reset by ${peer}`;
  return certificateError(code, whose) ?? NETWORK_PROBLEMS[code] ?? `network error (${code})`;
}
