// Writes deploy/bundle/: the files the kustomization's ConfigMap carries into the CronJob's pod
// (bin/rds-migrate.cjs as rds-migrate.cjs, dist/main.cjs as main.cjs). They are generated from
// the build, not committed: `npm run deploy-bundle` builds and writes them. Each file is written
// whole (a temporary file renamed into place), so a concurrent `kubectl kustomize` never reads half
// of one. dist/client-node.cjs is left out: it serves only legacy auth-provider kubeconfigs, never
// the service account, and would take the ConfigMap past its 1 MiB limit; so would
// dist/main.cjs.cache (the code cache saves a scheduled audit ~30 ms; the CLI runs the same without).

import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'deploy', 'bundle');
const files = [
  ['bin/rds-migrate.cjs', 'rds-migrate.cjs'],
  ['dist/main.cjs', 'main.cjs'],
];

for (const [from] of files) {
  if (!existsSync(join(root, from))) {
    console.error(`error: ${from} does not exist; run npm run build first (npm run deploy-bundle does both)`);
    process.exit(2);
  }
}
mkdirSync(out, { recursive: true });
for (const [from, to] of files) {
  const staging = join(out, `.${to}.${process.pid}`);
  copyFileSync(join(root, from), staging);
  renameSync(staging, join(out, to));
}
