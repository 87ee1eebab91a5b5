import { describe, expect, it } from 'vitest';
import { displayWidth } from '../../../src/domain/sanitize.js';
import { createPalette, plainPalette } from '../../../src/render/palette.js';
import { renderTable } from '../../../src/render/table.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const strip = (s: string): string => s.replace(ANSI, '');

describe('renderTable', () => {
  it('looks like kubectl: uppercase headers, three spaces between columns, no borders', () => {
    const out = renderTable(
      ['namespace', 'pvc', 'state'],
      [
        ['vms', 'vm-web-disk', 'completed'],
        ['tenant-a', 'builder-root', 'failed'],
      ],
    );
    expect(out).toBe(
      'NAMESPACE   PVC            STATE\n' + 'vms         vm-web-disk    completed\n' + 'tenant-a    builder-root   failed\n',
    );
  });

  it('has no trailing spaces and ends with a newline', () => {
    const out = renderTable(
      ['a', 'b'],
      [
        ['long value', ''],
        ['x', 'y'],
      ],
    );
    for (const line of out.split('\n')) expect(line).toBe(line.trimEnd());
    expect(out.endsWith('y\n')).toBe(true);
  });

  it('--no-headers drops the header row', () => {
    expect(renderTable(['a', 'b'], [['1', '2']], { noHeaders: true })).toBe('1   2\n');
    expect(renderTable(['a', 'b'], [], { noHeaders: true })).toBe('');
  });

  it('aligns cells that carry colour codes', () => {
    const p = createPalette(true);
    const out = renderTable(
      ['state', 'age'],
      [
        [p.green('completed'), '5m'],
        [p.red('failed'), '45s'],
        ['in-progress', '3h'],
      ],
    );
    expect(out).toContain('\u001b[32mcompleted\u001b[39m');
    expect(strip(out)).toBe('STATE         AGE\ncompleted     5m\nfailed        45s\nin-progress   3h\n');
  });

  it('aligns wide characters (CJK, emoji) by display width', () => {
    const out = renderTable(
      ['name', 'node'],
      [
        ['磁盘', 'worker-1'],
        ['💾 disk', 'worker-2'],
        ['plain', 'worker-3'],
      ],
    );
    // "💾 disk" is 7 columns wide: the NODE column starts at column 10 on every line.
    expect(out).toBe('NAME      NODE\n磁盘      worker-1\n💾 disk   worker-2\nplain     worker-3\n');
    for (const line of out.trimEnd().split('\n')) expect(displayWidth(line.replace(/(NODE|worker-\d)$/, ''))).toBe(10);
  });

  it('sizes every column by its widest cell, wherever it is among 10k rows', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [`ns-${i % 7}`, `vm-disk-${i}`, i % 2 ? 'completed' : 'failed']);
    rows[9_999] = ['ns-x', 'the-widest-pvc-name-of-all', 'failed'];
    const out = renderTable(['namespace', 'pvc', 'state'], rows);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[0]).toBe('NAMESPACE   PVC                          STATE');
    expect(lines[1]).toBe('ns-0        vm-disk-0                    failed');
    expect(lines[10_000]).toBe('ns-x        the-widest-pvc-name-of-all   failed');
  });

  it('cuts the end of the fit column, and only that column, to stay within maxWidth', () => {
    const rows = [
      ['vms', 'worker-3', 'Volume migration timeout exceeded (5m0s elapsed, 5m0s max). Previous migration may be stuck.'],
      ['tenant-a', 'worker-1', 'short'],
    ];
    const out = renderTable(['namespace', 'node', 'message'], rows, { maxWidth: 60, fit: 2 });
    expect(out).toBe(
      'NAMESPACE   NODE       MESSAGE\n' +
        'vms         worker-3   Volume migration timeout exceeded (5…\n' +
        'tenant-a    worker-1   short\n',
    );
    for (const line of out.trimEnd().split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(60);
    expect(rows[0]?.[2]).toMatch(/stuck\.$/); // the caller's rows are not changed
  });

  it('a table that fits is not cut, and the fit column is not cut below 20 columns', () => {
    const rows = [['a-very-long-namespace-name-indeed', 'a-very-long-pvc-name-as-well', 'message that is long enough to be cut']];
    expect(renderTable(['namespace', 'pvc', 'message'], rows, { maxWidth: 200, fit: 2 })).toContain('long enough to be cut\n');
    const cut = renderTable(['namespace', 'pvc', 'message'], rows, { maxWidth: 40, fit: 2, noHeaders: true });
    expect(cut).toBe('a-very-long-namespace-name-indeed   a-very-long-pvc-name-as-well   message that is lon…\n');
  });

  it('plain palette adds nothing', () => {
    expect(plainPalette.red('x')).toBe('x');
    expect(createPalette(false).red('x')).toBe('x');
    expect(createPalette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});
