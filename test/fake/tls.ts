// Test TLS material committed under test/fixtures/tls (see the README there).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Which server certificate the fake presents. */
export type TlsVariant = 'good' | 'wrong-host' | 'expired' | 'untrusted';

const tlsDir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

function read(file: string): string {
  return readFileSync(tlsDir + file, 'utf8');
}

/** PEM of the test CA that signs the good, wrong-host and expired certificates. */
export const testCaPem = read('ca.crt');
/** PEM of a second CA that no kubeconfig trusts unless asked; it signs the `untrusted` certificate. */
export const otherCaPem = read('other-ca.crt');

const files: Record<TlsVariant, string> = {
  good: 'server',
  'wrong-host': 'wrong-host',
  expired: 'expired',
  untrusted: 'other-server',
};

/** Key and certificate chain for the chosen variant. */
export function serverCredentials(variant: TlsVariant): { key: string; cert: string } {
  const base = files[variant];
  return { key: read(`${base}.key`), cert: read(`${base}.crt`) };
}
