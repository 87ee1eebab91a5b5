// Writes <dist>/main.cjs.cache, the V8 code cache bin/rds-migrate.cjs compiles main.cjs with: the
// SHA-256 of main.cjs, then V8's cached data. The data is made after two runs, so that the
// functions a run needs are in it compiled, not only the top level: `events` against a kubeconfig
// whose server refuses connections (reading the kubeconfig, the client up to the connect), then
// an offline audit of the bundled example (pairing, findings, the JSON renderer).
//   node scripts/code-cache.cjs <dist>    (run by scripts/build.mjs and bench/build.mjs, with
//                                          stdout ignored and an environment of its own)
'use strict';
const { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { compileMain, digestOf } = require('../bin/rds-migrate.cjs');

const file = join(process.argv[2], 'main.cjs');
const bytes = readFileSync(file);
const { exports: cli, script } = compileMain(file, bytes);

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: refused
  cluster:
    server: https://127.0.0.1:1
users:
- name: warm-up
  user:
    token: warm-up-token
contexts:
- name: warm-up
  context:
    cluster: refused
    user: warm-up
    namespace: default
current-context: warm-up
`;

async function run(...args) {
  process.argv.splice(2, Infinity, ...args);
  await cli.main(process);
}

(async () => {
  const work = mkdtempSync(join(tmpdir(), 'rds-migrate-code-cache-'));
  try {
    process.env.KUBECONFIG = join(work, 'kubeconfig');
    writeFileSync(process.env.KUBECONFIG, KUBECONFIG);
    await run('events', 'warm-up', '-o', 'json', '--request-timeout', '5s');
    await run('audit', '--from-file', join(__dirname, '..', 'examples', 'cluster'), '-o', 'json');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const staging = `${file}.cache.${process.pid}`;
  writeFileSync(staging, Buffer.concat([digestOf(bytes), script.createCachedData()]));
  renameSync(staging, `${file}.cache`);
  process.exitCode = 0;
})();
