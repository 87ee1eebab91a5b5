import { describe, expect, it } from 'vitest';
import { formatMigrationMessage, parseMigrationMessage } from '../../../src/domain/messages.js';
import type { MigrationMessageInput, ParsedMessage } from '../../../src/domain/types.js';

const VOL = 'pvc-0f8e2c1a-6b7d-4e3f-9a10-2b3c4d5e6f70';

describe('formatMigrationMessage: golden strings of the driver', () => {
  it.each<[string, MigrationMessageInput, string]>([
    [
      'started',
      { reason: 'MigrationStarted', volumeId: VOL, sourceNode: 'node-a', targetNode: 'node-b', timeoutSeconds: 300 },
      `[${VOL}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`,
    ],
    [
      'started, timeout rounded up',
      { reason: 'MigrationStarted', volumeId: 'vol', sourceNode: 'a', targetNode: 'b', timeoutSeconds: 3599.5 },
      '[vol]: KubeVirt live migration started - source: a, target: b, timeout: 1h0m0s',
    ],
    [
      'completed, 2m15.5s rounds to 2m16s',
      { reason: 'MigrationCompleted', volumeId: 'vol', sourceNode: 'node-a', targetNode: 'node-b', durationSeconds: 135.5 },
      '[vol]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 2m16s)',
    ],
    [
      'completed, 2m15.456s rounds to 2m15s',
      { reason: 'MigrationCompleted', volumeId: 'vol', sourceNode: 'node-a', targetNode: 'node-b', durationSeconds: 135.456 },
      '[vol]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 2m15s)',
    ],
    [
      'completed in under half a second',
      { reason: 'MigrationCompleted', volumeId: 'vol', sourceNode: 'node-a', targetNode: 'node-b', durationSeconds: 0.4 },
      '[vol]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 0s)',
    ],
    [
      'failed on timeout',
      {
        reason: 'MigrationFailed',
        volumeId: 'vol',
        sourceNode: 'node-a',
        targetNode: 'node-b',
        failureReason: 'timeout',
        elapsedSeconds: 300,
      },
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: timeout, elapsed: 5m0s',
    ],
    [
      'failed with free text, elapsed rounded',
      {
        reason: 'MigrationFailed',
        volumeId: VOL,
        sourceNode: 'worker-1.example.com',
        targetNode: 'worker-2.example.com',
        failureReason: 'manual abort, see INC-42',
        elapsedSeconds: 93783.5,
      },
      `[${VOL}]: KubeVirt live migration failed - source: worker-1.example.com, attempted target: worker-2.example.com, reason: manual abort, see INC-42, elapsed: 26h3m4s`,
    ],
  ])('%s', (_name, input, expected) => {
    expect(formatMigrationMessage(input)).toBe(expected);
  });
});

const started = (timeoutSeconds: number, volumeId = 'vol'): ParsedMessage => ({
  volumeId,
  sourceNode: 'node-a',
  targetNode: 'node-b',
  timeoutSeconds,
  durationSeconds: null,
  failureReason: null,
});
const completed = (durationSeconds: number): ParsedMessage => ({
  volumeId: 'vol',
  sourceNode: 'node-a',
  targetNode: 'node-b',
  timeoutSeconds: null,
  durationSeconds,
  failureReason: null,
});
const failed = (failureReason: string, durationSeconds: number): ParsedMessage => ({
  volumeId: 'vol',
  sourceNode: 'node-a',
  targetNode: 'node-b',
  timeoutSeconds: null,
  durationSeconds,
  failureReason,
});

describe('parseMigrationMessage', () => {
  it.each<[string, string, string, ParsedMessage]>([
    [
      'driver Started',
      'MigrationStarted',
      `[${VOL}]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s`,
      started(300, VOL),
    ],
    [
      'driver Completed',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 2m16s)',
      completed(136),
    ],
    [
      'driver Failed',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: timeout, elapsed: 5m0s',
      failed('timeout', 300),
    ],
    [
      'arrow U+2192',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: node-a \u2192 target: node-b (duration: 45s)',
      completed(45),
    ],
    [
      'arrow U+2192 without spaces',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: node-a\u2192target: node-b(duration: 45s)',
      completed(45),
    ],
    [
      'combined prefix on Started',
      'MigrationStarted',
      '(combined from similar events): [vol]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 5m0s',
      started(300),
    ],
    [
      'combined prefix on Failed',
      'MigrationFailed',
      '(combined from similar events): [vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: timeout, elapsed: 1m0s',
      failed('timeout', 60),
    ],
    [
      'extra spaces everywhere',
      'MigrationStarted',
      '  [ vol ] :  KubeVirt  live   migration started  -  source :  node-a ,  target:node-b ,timeout:   1h0m0s  ',
      started(3600),
    ],
    [
      'extra spaces around the arrow and parentheses',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source:   node-a   ->   target:  node-b   ( duration:  2m15.456s )',
      completed(135.456),
    ],
    [
      'fractional Go duration',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: node-a -> target: node-b (duration: 300ms)',
      completed(0.3),
    ],
    [
      'failure reason with commas',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: aborted, by hand, for INC-7, elapsed: 2m15s',
      failed('aborted, by hand, for INC-7', 135),
    ],
    [
      'failure reason containing ", elapsed: "',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: stalled, elapsed: 10s of no progress, elapsed: 1m30s',
      failed('stalled, elapsed: 10s of no progress', 90),
    ],
    [
      'failure reason with colons and arrows',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: target: node-c -> (x), elapsed: 0s',
      failed('target: node-c -> (x)', 0),
    ],
    [
      'empty failure reason',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: node-a, attempted target: node-b, reason: , elapsed: 3s',
      failed('', 3),
    ],
    [
      'volume id with brackets inside',
      'MigrationStarted',
      '[a]b[c]: KubeVirt live migration started - source: node-a, target: node-b, timeout: 30s',
      started(30, 'a]b[c'),
    ],
  ])('%s', (_name, reason, message, expected) => {
    expect(parseMigrationMessage(reason, message)).toEqual(expected);
  });

  it.each<[string, string, string]>([
    ['not a Migration reason', 'VolumeAttached', '[vol]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['reason of another verb', 'MigrationCompleted', '[vol]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['empty', 'MigrationStarted', ''],
    ['only spaces', 'MigrationStarted', '   '],
    ['missing bracket', 'MigrationStarted', 'vol: KubeVirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['unclosed bracket', 'MigrationStarted', '[vol: KubeVirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['empty volume id', 'MigrationStarted', '[]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['wrong verb', 'MigrationStarted', '[vol]: KubeVirt live migration begun - source: a, target: b, timeout: 5m0s'],
    ['wrong product', 'MigrationStarted', '[vol]: Libvirt live migration started - source: a, target: b, timeout: 5m0s'],
    ['missing timeout', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a, target: b'],
    ['missing target', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a, timeout: 5m0s'],
    ['empty source', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: , target: b, timeout: 5m0s'],
    ['node with a space', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a x, target: b, timeout: 5m0s'],
    ['junk after timeout', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a, target: b, timeout: 5m0s extra'],
    ['bad timeout unit', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a, target: b, timeout: 5d'],
    ['negative timeout', 'MigrationStarted', '[vol]: KubeVirt live migration started - source: a, target: b, timeout: -5s'],
    ['completed without arrow', 'MigrationCompleted', '[vol]: KubeVirt live migration completed - source: a, target: b (duration: 5s)'],
    [
      'completed without closing parenthesis',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: a -> target: b (duration: 5s',
    ],
    [
      'completed with junk after parenthesis',
      'MigrationCompleted',
      '[vol]: KubeVirt live migration completed - source: a -> target: b (duration: 5s) ok',
    ],
    ['completed without duration', 'MigrationCompleted', '[vol]: KubeVirt live migration completed - source: a -> target: b'],
    [
      'failed without elapsed',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: timeout',
    ],
    [
      'failed with "elapsed" only in the reason',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: time elapsed',
    ],
    [
      'failed without the comma before elapsed',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: timeout elapsed: 5s',
    ],
    ['failed without reason', 'MigrationFailed', '[vol]: KubeVirt live migration failed - source: a, attempted target: b, elapsed: 5s'],
    [
      'failed without "attempted"',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: a, target: b, reason: x, elapsed: 5s',
    ],
    [
      'failed with bad elapsed',
      'MigrationFailed',
      '[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: x, elapsed: soon',
    ],
  ])('returns null: %s', (_name, reason, message) => {
    expect(parseMigrationMessage(reason, message)).toBeNull();
  });

  it.each<[MigrationMessageInput, ParsedMessage]>([
    [{ reason: 'MigrationStarted', volumeId: 'vol', sourceNode: 'node-a', targetNode: 'node-b', timeoutSeconds: 299.5 }, started(300)],
    [
      { reason: 'MigrationCompleted', volumeId: 'vol', sourceNode: 'node-a', targetNode: 'node-b', durationSeconds: 135.456 },
      completed(135),
    ],
    [
      {
        reason: 'MigrationFailed',
        volumeId: 'vol',
        sourceNode: 'node-a',
        targetNode: 'node-b',
        failureReason: 'manual abort, elapsed: never',
        elapsedSeconds: 3599.5,
      },
      failed('manual abort, elapsed: never', 3600),
    ],
  ])('round-trips $reason with rounded durations', (input, expected) => {
    expect(parseMigrationMessage(input.reason, formatMigrationMessage(input))).toEqual(expected);
  });

  it.each<[string, string]>([
    [
      'repeated ", elapsed: "',
      `[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: ${', elapsed: 1s'.repeat(9000)}`,
    ],
    ['repeated "]"', `[${' ]'.repeat(50_000)}`],
    ['repeated spaces', `[vol]: KubeVirt${' '.repeat(100_000)}`],
    [
      'long valid reason',
      `[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: ${'x,'.repeat(50_000)}, elapsed: 1s`,
    ],
    ['long Go duration', `[vol]: KubeVirt live migration started - source: a, target: b, timeout: ${'1ns'.repeat(33_000)}`],
  ])('handles a ~100 kB hostile message: %s (linear time: bench/linear.mjs)', (_name, message) => {
    expect(message.length).toBeGreaterThan(60_000);
    for (const reason of ['MigrationStarted', 'MigrationCompleted', 'MigrationFailed']) {
      const parsed = parseMigrationMessage(reason, message);
      if (parsed !== null) expect(parsed.volumeId).toBe('vol');
    }
  });

  it('returns null for a message over 64 KiB', () => {
    const message = `[vol]: KubeVirt live migration failed - source: a, attempted target: b, reason: ${'x'.repeat(70_000)}, elapsed: 1s`;
    expect(parseMigrationMessage('MigrationFailed', message)).toBeNull();
  });
});
