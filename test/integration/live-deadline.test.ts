// The command deadline (max(60 s, 4 × --request-timeout)) covers connecting and reading the current
// state; the live commands then follow the cluster for as long as they are asked to. This
// file runs for a little over a minute, so that the deadline passes while they run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../fake/server.js';
import { startCli, stopClis } from '../helpers/live-cli.js';
import { event, namespace, pv, pvc, volumeAttachment } from '../helpers/objects.js';
import { newVolumeIdentity, startedMessage } from '../helpers/read-side.js';

let server: FakeServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  server = await startFakeServer({ objects: [namespace('vms')] });
  dir = mkdtempSync(join(tmpdir(), 'rds-deadline-'));
  kubeconfig = server.writeKubeconfig(dir, { namespace: 'vms' });
});
afterAll(async () => {
  stopClis();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('events -w and wait outlive the 60 s deadline; each request still has its timeout', async () => {
  const { uid, vol } = newVolumeIdentity();
  const claim = pvc({ namespace: 'vms', name: 'long', uid, volumeName: vol });
  const volume = pv({ name: vol, claimRef: { namespace: 'vms', name: 'long', uid } });
  server.add(claim, volume, volumeAttachment({ pv: volume, node: 'node-a', attached: true, createdAt: new Date(Date.now() - 60_000) }));
  // --request-timeout 1s: the deadline is its minimum, 60 s.
  const events = startCli(['events', 'long', '-w', '-o', 'json', '--request-timeout', '1s'], { kubeconfig, killAfterMs: 110_000 });
  const wait = startCli(['wait', 'long', '--timeout', '65s', '--request-timeout', '1s'], { kubeconfig, killAfterMs: 110_000 });
  const began = Date.now();
  await events.waitForStdout((t) => t.includes('"type":"attachment"'));
  await new Promise((resolve) => setTimeout(resolve, 62_000));
  server.add(
    event({
      pvc: claim,
      name: 'long.s',
      reason: 'MigrationStarted',
      type: 'Normal',
      message: startedMessage(vol, 'node-a', 'node-b', '5m0s'),
      firstTimestamp: new Date(),
    }),
  );
  await events.waitForStdout((t) => t.includes('long.s'));
  // wait saw the migration start and, with no outcome, gives up at its own --timeout (exit 5), not at the deadline (exit 4).
  const waited = await wait.exited;
  expect(waited.code).toBe(5);
  expect(Date.now() - began).toBeGreaterThanOrEqual(64_000);
  expect(waited.stderr).toContain('in-progress');
  expect(waited.stderr).toContain('error: timed out after 65s waiting for a migration of PVC vms/long to record an outcome');
  events.signal('SIGINT');
  const res = await events.exited;
  expect(res.code).toBe(130);
  expect(res.stderr).toBe('error: interrupted\n');
}, 120_000);
