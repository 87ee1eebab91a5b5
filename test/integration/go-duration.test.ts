// Go's own time package as the oracle for the durations the driver writes and reads: a small Go
// program (Debian's golang-go, installed by .ci/run) parses and formats every generated case, and
// src/domain/duration.ts must agree on each — the value to the nanosecond, or the refusal.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGoDuration, parseDuration } from '../../src/domain/duration.js';

// Reads one case per line: `parse <text>` prints the nanoseconds or `error`; `format <ns>` prints
// time.Duration(ns).Round(time.Second).String(), which is what the driver puts in its messages.
const ORACLE = `package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		op, arg, _ := strings.Cut(in.Text(), " ")
		switch op {
		case "parse":
			d, err := time.ParseDuration(arg)
			if err != nil {
				fmt.Fprintln(out, "error")
			} else {
				fmt.Fprintln(out, d.Nanoseconds())
			}
		case "format":
			ns, err := strconv.ParseInt(arg, 10, 64)
			if err != nil {
				panic(err)
			}
			fmt.Fprintln(out, time.Duration(ns).Round(time.Second).String())
		}
	}
}
`;

let dir: string;
let binary: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rds-go-oracle-'));
  writeFileSync(join(dir, 'main.go'), ORACLE);
  binary = join(dir, 'oracle');
  // No module, no network: GOTOOLCHAIN=local keeps a newer go.mod directive from fetching a toolchain.
  execFileSync('go', ['build', '-o', binary, 'main.go'], {
    cwd: dir,
    env: { ...process.env, GO111MODULE: 'off', GOTOOLCHAIN: 'local', GOCACHE: process.env.GOCACHE ?? join(dir, 'cache') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs every line through the Go program in one process; one answer per line. */
function oracle(lines: string[]): string[] {
  const out = execFileSync(binary, { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trimEnd().split('\n');
}

/** Seconds from nanoseconds, as the parser computes them (exact for whole seconds, ns-accurate below). */
function secondsOf(ns: bigint): number {
  const magnitude = ns < 0n ? -ns : ns;
  const seconds = Number(magnitude / 1_000_000_000n) + Number(magnitude % 1_000_000_000n) / 1e9;
  return ns < 0n ? -seconds : seconds;
}

function ours(text: string): number | 'error' {
  try {
    return parseDuration(text, { allowNegative: true });
  } catch {
    return 'error';
  }
}

const UNITS = ['ns', 'us', '\u00b5s', '\u03bcs', 'ms', 's', 'm', 'h'];

/** Go duration syntax, with the edge cases around it: signs, fractions, overflow, junk units. */
const durationText = fc
  .tuple(
    fc.constantFrom('', '', '', '-', '+'),
    fc.array(
      fc.tuple(
        fc.oneof(
          { arbitrary: fc.nat({ max: 99999 }).map(String), weight: 3 },
          { arbitrary: fc.bigInt({ min: 0n, max: 1n << 66n }).map(String), weight: 1 },
          { arbitrary: fc.tuple(fc.nat({ max: 999 }), fc.stringMatching(/^[0-9]{0,25}$/)).map(([i, f]) => `${i}.${f}`), weight: 3 },
          { arbitrary: fc.stringMatching(/^[0-9]{0,3}$/).map((f) => `.${f}`), weight: 1 },
        ),
        fc.oneof(
          { arbitrary: fc.constantFrom(...UNITS), weight: 12 },
          { arbitrary: fc.constantFrom('', 'd', 'x', 'H', 'sec', '.'), weight: 1 },
        ),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([sign, pairs]) => sign + pairs.map(([n, u]) => n + u).join(''))
  // A bare number is our documented extension (seconds); Go refuses it. Compare Go's syntax only.
  .filter((text) => /[^0-9.+-]/.test(text));

describe("durations agree with Go's time package", () => {
  it('parses what time.ParseDuration parses, to the nanosecond, and refuses what it refuses', () => {
    const cases = fc.sample(durationText, { numRuns: 5000, seed: 20261201 });
    cases.push(
      '0',
      '-0',
      '+0',
      '5m0s',
      '1h2m3.5s',
      '2562047h47m16.854775807s',
      '2562047h47m16.854775808s',
      '-2562047h47m16.854775808s',
      '9223372036854775807ns',
      '9223372036854775808ns',
      '-9223372036854775808ns',
      '0.0000000001s',
      '1.0000000000000000000000001h',
      '1e3s',
      '1_000s',
      '1s ',
      '',
    );
    const expected = oracle(cases.map((c) => `parse ${c}`));
    // Both sides of the syntax are exercised: thousands of accepted values, hundreds of refusals.
    expect(expected.filter((e) => e === 'error').length).toBeGreaterThan(300);
    expect(expected.filter((e) => e !== 'error').length).toBeGreaterThan(2000);
    const mismatches = cases
      .map((text, i) => {
        const go = expected[i] ?? 'missing';
        const want = go === 'error' ? 'error' : secondsOf(BigInt(go));
        const got = ours(text);
        return Object.is(got, want) || (got === 0 && want === 0) ? null : { text, go, want, got };
      })
      .filter((m) => m !== null);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it("formats like time.Duration's Round(time.Second).String(), the driver's elapsed and timeout", () => {
    const ns = fc.sample(
      fc.oneof(
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.bigInt({ min: -(10n ** 13n), max: 10n ** 13n }),
        fc.nat({ max: 400_000 }).map((s) => BigInt(s) * 1_000_000_000n),
        fc.nat({ max: 400_000 }).map((s) => BigInt(s) * 1_000_000_000n + 500_000_000n),
        fc.bigInt({ min: (1n << 63n) - 10n ** 12n, max: (1n << 63n) - 1n }),
      ),
      { numRuns: 3000, seed: 20261201 },
    );
    ns.push(0n, 499_999_999n, 500_000_000n, -500_000_000n, 59_500_000_000n, 3_599_500_000_000n, (1n << 63n) - 1n, -(1n << 63n));
    const expected = oracle(ns.map((n) => `format ${n}`));
    const mismatches = ns
      .map((n, i) => {
        const got = formatGoDuration(secondsOf(n));
        return got === expected[i] ? null : { ns: String(n), go: expected[i], got };
      })
      .filter((m) => m !== null);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
