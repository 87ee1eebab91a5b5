#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The floor (issue #5): a bare Node script that fetches exactly the pages rds-migrate fetches (same
// paths, field selectors, limit/continue, the same concurrency) over the same HTTPS settings (a
// keep-alive https.Agent with maxSockets 8, the kubeconfig's CA, the bearer token, Accept:
// application/json, Accept-Encoding: gzip, a gzip body gunzipped as a stream as rds-migrate does)
// and only JSON.parses them: no client library, no kubeconfig/YAML parsing (the
// server, CA and token come from the JSON file bench/out/serve.mjs writes), no processing. It is
// the physical limit of the job on this machine.
//   node bench/floor.mjs <conn.json> audit [--chunk-size 500]
//   node bench/floor.mjs <conn.json> events <namespace> <pvc>
// Prints one line: the number of requests and of items received.
import https from 'node:https';
import { createGunzip } from 'node:zlib';

const [connFile, mode, ...rest] = process.argv.slice(2);
const conn = JSON.parse(readFileSync(connFile, 'utf8'));
const chunkIdx = rest.indexOf('--chunk-size');
const limit = chunkIdx >= 0 ? Number(rest[chunkIdx + 1]) : 500;
const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: conn.ca });
const headers = {
  Authorization: `Bearer ${conn.token}`,
  Accept: 'application/json',
  'Accept-Encoding': 'gzip',
  'User-Agent': 'bench-floor',
};
let requests = 0;
let items = 0;

function get(path, query = {}, accept = 'application/json') {
  const url = new URL(path, conn.server);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  requests++;
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, headers: { ...headers, Accept: accept } }, (res) => {
        const chunks = [];
        const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
        res.on('error', reject);
        body.on('data', (c) => chunks.push(c));
        body.on('error', reject);
        body.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode !== 200) reject(new Error(`${res.statusCode} ${url.pathname}`));
          else resolve(body);
        });
      })
      .on('error', reject);
  });
}

async function list(path, query = {}, accept = undefined, pageLimit = limit, onPage = () => {}) {
  let token;
  do {
    const page = await get(path, { ...query, limit: pageLimit, continue: token }, accept);
    items += (page.items ?? page.rows).length;
    onPage(page);
    token = page.metadata?.continue || undefined;
  } while (token);
}

if (mode === 'audit') {
  // rds-migrate audit: the three reasons, VolumeAttachments and PVs, all concurrently.
  await Promise.all([
    ...['MigrationStarted', 'MigrationCompleted', 'MigrationFailed'].map((r) => list('/api/v1/events', { fieldSelector: `reason=${r}` })),
    list('/apis/storage.k8s.io/v1/volumeattachments'),
    list('/api/v1/persistentvolumes'),
  ]);
} else if (mode === 'events') {
  // rds-migrate events <pvc>: concurrently the PVC, its events and a Table of all VolumeAttachments
  // (names and PVs, 5000 rows a page); then the PV (once the PVC names it) and the PV's
  // VolumeAttachments by name (once the Table is in too).
  const [ns, pvc] = rest;
  const claimRead = get(`/api/v1/namespaces/${encodeURIComponent(ns)}/persistentvolumeclaims/${encodeURIComponent(pvc)}`);
  const eventsRead = list(`/api/v1/namespaces/${encodeURIComponent(ns)}/events`, {
    fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${pvc}`,
  });
  const rows = [];
  const tableRead = list(
    '/apis/storage.k8s.io/v1/volumeattachments',
    { includeObject: 'None' },
    'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    5000,
    (table) => {
      const name = table.columnDefinitions.findIndex((c) => c.name === 'Name');
      const pv = table.columnDefinitions.findIndex((c) => c.name === 'PV');
      for (const row of table.rows) rows.push([row.cells[name], row.cells[pv]]);
    },
  );
  const pvName = (await claimRead).spec.volumeName;
  const attachments = async () => {
    await tableRead;
    const names = rows.filter(([, pv]) => pv === pvName).map(([name]) => name);
    await Promise.all(names.map((n) => get(`/apis/storage.k8s.io/v1/volumeattachments/${encodeURIComponent(n)}`)));
  };
  await Promise.all([eventsRead, get(`/api/v1/persistentvolumes/${encodeURIComponent(pvName)}`), attachments()]);
} else {
  console.error('usage: floor.mjs <conn.json> audit|events <ns> <pvc>');
  process.exit(2);
}
agent.destroy();
console.log(JSON.stringify({ requests, items }));
