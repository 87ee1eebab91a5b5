#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The floor: a bare Node script that makes exactly the requests rds-migrate makes (same
// paths, queries, page sizes, Accept headers and concurrency) over the same HTTPS settings (a
// keep-alive https.Agent with maxSockets 8, the kubeconfig's CA, the bearer token, Accept-Encoding:
// gzip, a gzip body gunzipped as a stream as rds-migrate does) and only JSON.parses the answers: no
// client library, no kubeconfig/YAML parsing (the server, CA and token come from the JSON file
// bench/out/serve.mjs writes), no processing beyond what decides the next request. It is the
// physical limit of the job on this machine.
//   node bench/floor.mjs <conn.json> audit [--chunk-size 500] [--driver rds.csi.srvlab.io]
//   node bench/floor.mjs <conn.json> events <namespace> <pvc>
// Prints one line: the number of requests and of items received.
import https from 'node:https';
import { createGunzip } from 'node:zlib';

const [connFile, mode, ...rest] = process.argv.slice(2);
const conn = JSON.parse(readFileSync(connFile, 'utf8'));
const option = (name, fallback) => (rest.includes(`--${name}`) ? rest[rest.indexOf(`--${name}`) + 1] : fallback);
const limit = Number(option('chunk-size', '500'));
const driver = option('driver', 'rds.csi.srvlab.io');
const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: conn.ca });
const JSON_ACCEPT = 'application/json';
const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
let requests = 0;
let items = 0;

/** GET and JSON.parse; null for a 404 (a GET of something that may not exist), an error for anything else. */
function get(path, query = {}, accept = JSON_ACCEPT) {
  const url = new URL(path, conn.server);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  requests++;
  const headers = { Authorization: `Bearer ${conn.token}`, Accept: accept, 'Accept-Encoding': 'gzip', 'User-Agent': 'bench-floor' };
  return new Promise((resolve, reject) => {
    https
      .get(url, { agent, headers }, (res) => {
        const chunks = [];
        const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(createGunzip()) : res;
        res.on('error', reject);
        body.on('data', (c) => chunks.push(c));
        body.on('error', reject);
        body.on('end', () => {
          const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if (res.statusCode === 404) resolve(null);
          else if (res.statusCode !== 200) reject(new Error(`${res.statusCode} ${url.pathname}`));
          else resolve(parsed);
        });
      })
      .on('error', reject);
  });
}

/** Every page of a list, each handed to onPage as it arrives. */
async function list(path, query = {}, onPage = () => {}, pageLimit = limit, accept = JSON_ACCEPT) {
  let token;
  do {
    const page = await get(path, { ...query, limit: pageLimit, continue: token }, accept);
    items += (page.items ?? page.rows).length;
    onPage(page);
    token = page.metadata?.continue || undefined;
  } while (token);
}

if (mode === 'audit') {
  // rds-migrate audit: the three reasons, PVs, VolumeAttachments, Nodes and KubeVirt's discovery
  // concurrently; the VMIs and VMIMs once discovery says kubevirt.io/v1 is served; the pods of the
  // namespaces whose volumes are attached to two or more nodes once PVs and VolumeAttachments are in.
  // Started in rds-migrate's order: with 8 sockets, the order decides which requests wait.
  const events = ['MigrationStarted', 'MigrationCompleted', 'MigrationFailed'].map((r) =>
    list('/api/v1/events', { fieldSelector: `reason=${r}` }),
  );
  const claimNamespace = new Map(); // PV name -> its PVC's namespace
  const attachedNodes = new Map(); // PV name -> nodes the driver has it attached to
  const volumes = Promise.all([
    list('/api/v1/persistentvolumes', {}, (page) => {
      for (const pv of page.items) if (pv.spec?.claimRef?.namespace) claimNamespace.set(pv.metadata.name, pv.spec.claimRef.namespace);
    }),
    list('/apis/storage.k8s.io/v1/volumeattachments', {}, (page) => {
      for (const va of page.items) {
        const pv = va.spec?.source?.persistentVolumeName;
        if (va.spec?.attacher !== driver || !pv || va.status?.attached !== true) continue;
        const nodes = attachedNodes.get(pv) ?? new Set();
        nodes.add(va.spec.nodeName);
        attachedNodes.set(pv, nodes);
      }
    }),
  ]);
  const nodes = list('/api/v1/nodes');
  const kubevirt = (async () => {
    if ((await get('/apis/kubevirt.io/v1')) === null) return;
    await Promise.all([
      list('/apis/kubevirt.io/v1/virtualmachineinstances'),
      list('/apis/kubevirt.io/v1/virtualmachineinstancemigrations'),
    ]);
  })();
  const pods = (async () => {
    await volumes;
    const namespaces = new Set();
    for (const [pv, nodes] of attachedNodes) if (nodes.size >= 2 && claimNamespace.has(pv)) namespaces.add(claimNamespace.get(pv));
    await Promise.all([...namespaces].sort().map((ns) => list(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`)));
  })();
  await Promise.all([...events, volumes, nodes, kubevirt, pods]);
} else if (mode === 'events') {
  // rds-migrate events <pvc>: concurrently the PVC, its events, a Table of all VolumeAttachments
  // (names and PVs, 5000 rows a page), KubeVirt's discovery (then the namespace's VMIs and VMIMs)
  // and the namespace's pods; then the PV (once the PVC names it) and the PV's VolumeAttachments
  // by name (once the Table is in too).
  const [ns, pvc] = rest;
  const namespace = `/namespaces/${encodeURIComponent(ns)}`;
  const claimRead = get(`/api/v1${namespace}/persistentvolumeclaims/${encodeURIComponent(pvc)}`);
  const eventsRead = list(`/api/v1${namespace}/events`, {
    fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${pvc}`,
  });
  const rows = [];
  const tableRead = list(
    '/apis/storage.k8s.io/v1/volumeattachments',
    { includeObject: 'None' },
    (table) => {
      const name = table.columnDefinitions.findIndex((c) => c.name === 'Name');
      const pv = table.columnDefinitions.findIndex((c) => c.name === 'PV');
      for (const row of table.rows) rows.push([row.cells[name], row.cells[pv]]);
    },
    5000,
    TABLE_ACCEPT,
  );
  const kubevirtRead = (async () => {
    if ((await get('/apis/kubevirt.io/v1')) === null) return;
    await Promise.all([
      list(`/apis/kubevirt.io/v1${namespace}/virtualmachineinstances`),
      list(`/apis/kubevirt.io/v1${namespace}/virtualmachineinstancemigrations`),
    ]);
  })();
  const podsRead = list(`/api/v1${namespace}/pods`);
  const pvName = (await claimRead).spec.volumeName;
  const attachments = async () => {
    await tableRead;
    const names = rows.filter(([, pv]) => pv === pvName).map(([name]) => name);
    await Promise.all(names.map((n) => get(`/apis/storage.k8s.io/v1/volumeattachments/${encodeURIComponent(n)}`)));
  };
  await Promise.all([eventsRead, get(`/api/v1/persistentvolumes/${encodeURIComponent(pvName)}`), attachments(), kubevirtRead, podsRead]);
} else {
  console.error('usage: floor.mjs <conn.json> audit|events <ns> <pvc>');
  process.exit(2);
}
agent.destroy();
console.log(JSON.stringify({ requests, items }));
