// Property tests of the pairing engine: every timed occurrence belongs to exactly one
// migration, completed and failed durations are never negative, and the result does not depend on
// the order of the input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairMigrations } from '../../../src/domain/pairing.js';
import type { EventRecord } from '../../../src/domain/types.js';
import { completed, failed, NOW, started } from './builders.js';

const nodes = fc.constantFrom('node-a', 'node-b', 'node-c');
const pvcs = fc.constantFrom('disk', 'data');
const duration = fc.constantFrom('0s', '1s', '45s', '5m0s', '1h2m3s');
/** Times within the last two hours, on a coarse grid so that ties are common. */
const time = fc.integer({ min: 0, max: 240 }).map((k) => NOW - k * 30_000);

const eventArb = fc
  .record({
    kind: fc.constantFrom('started', 'completed', 'failed', 'garbage'),
    src: nodes,
    tgt: nodes,
    pvc: pvcs,
    last: time,
    span: fc.integer({ min: 0, max: 20 }).map((k) => k * 30_000),
    count: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 5 }) }),
    dur: duration,
    untimed: fc.integer({ min: 0, max: 4 }).map((k) => k === 0),
  })
  .map((r): EventRecord => {
    const o = { pvc: r.pvc, src: r.src, tgt: r.tgt, count: r.count, firstSeen: r.untimed ? null : r.last - (r.count > 1 ? r.span : 0) };
    const at = r.untimed ? null : r.last;
    switch (r.kind) {
      case 'started':
        return started(at, r.dur === '0s' ? '5m0s' : r.dur, o);
      case 'completed':
        return completed(at, r.dur, o);
      case 'failed':
        return failed(at, 'timeout', r.dur, o);
      default:
        return { ...completed(at, r.dur, o), message: 'not the driver format' };
    }
  });

/** Unique names, as the API server guarantees within a namespace. */
const eventsArb = fc
  .array(eventArb, { maxLength: 25 })
  .map((events) => events.map((e, i) => ({ ...e, name: `${e.involvedObject.name}.${i.toString(16).padStart(4, '0')}` })));

const options = { now: NOW, volumeTimeout: () => null };

/** How many timed occurrences an event has: count 1 → 1 at lastSeen; n ≥ 2 → first and last. */
function timedOccurrences(e: EventRecord): number {
  if (e.count <= 1) return e.lastSeen === null ? 0 : 1;
  return (e.firstSeen === null ? 0 : 1) + (e.lastSeen === null ? 0 : 1);
}

describe('pairMigrations properties', () => {
  it('every parsed, timed event belongs to at least one migration, and each migration names only given events', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const result = pairMigrations(events, options);
        const unparsed = new Set(result.unparsedEvents.map((e) => e.name));
        const inMigrations = result.migrations.flatMap((m) => m.events);
        const names = new Set(events.map((e) => e.name));
        for (const name of inMigrations) expect(names.has(name)).toBe(true);
        for (const e of events) {
          if (unparsed.has(e.name)) {
            expect(inMigrations).not.toContain(e.name);
          } else if (timedOccurrences(e) > 0) {
            expect(inMigrations).toContain(e.name);
          }
        }
      }),
    );
  });

  it('every timed occurrence is in exactly one migration: occurrences = migrations an event is in, counted with multiplicity', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const result = pairMigrations(events, options);
        // A migration lists an event once even when both of its occurrences joined it, so an event with
        // k timed occurrences is in between 1 and k migrations: never in more migrations than occurrences.
        const memberships = new Map<string, number>();
        for (const m of result.migrations) {
          expect(new Set(m.events).size).toBe(m.events.length);
          for (const name of m.events) memberships.set(name, (memberships.get(name) ?? 0) + 1);
        }
        const unparsed = new Set(result.unparsedEvents.map((e) => e.name));
        for (const e of events) {
          if (unparsed.has(e.name)) continue;
          const timed = timedOccurrences(e);
          const seen = memberships.get(e.name) ?? 0;
          expect(seen).toBeLessThanOrEqual(timed);
          if (timed > 0) expect(seen).toBeGreaterThanOrEqual(1);
        }
        // Occurrences without a time are counted, not paired.
        const untimed = events
          .filter((e) => !unparsed.has(e.name))
          .reduce((sum, e) => sum + (e.count <= 1 ? (e.lastSeen === null ? 1 : 0) : e.count - timedOccurrences(e)), 0);
        expect(result.untimedOccurrences).toBe(untimed);
      }),
    );
  });

  it('completed and failed migrations have a duration ≥ 0 and end no earlier than they start', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        for (const m of pairMigrations(events, options).migrations) {
          if (m.state === 'completed' || m.state === 'failed') {
            expect(m.durationSeconds).not.toBeNull();
            expect(m.durationSeconds!).toBeGreaterThanOrEqual(0);
            expect(Date.parse(m.endedAt!)).toBeGreaterThanOrEqual(Date.parse(m.startedAt));
          } else {
            expect(m.endedAt).toBeNull();
            expect(m.durationSeconds).toBeNull();
          }
        }
      }),
    );
  });

  it('the output does not depend on the input order', () => {
    fc.assert(
      fc.property(
        eventsArb.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length })),
        ),
        ([events, shuffled]) => {
          expect(pairMigrations(shuffled, options)).toEqual(pairMigrations(events, options));
        },
      ),
    );
  });

  it('migration ids are unique', () => {
    fc.assert(
      fc.property(eventsArb, (events) => {
        const ids = pairMigrations(events, options).migrations.map((m) => m.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
    );
  });
});
