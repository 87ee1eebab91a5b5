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

  it('renders 10k-row tables (linear layout) exactly as cli-table3 lays out their head', () => {
    const p = createPalette(true);
    const row = (i: number): string[] => [
      `ns-${i % 7}`,
      i % 3 === 0 ? `磁盘-${i}` : `vm-disk-${i}`,
      i % 2 ? p.green('completed') : p.red('failed'),
      i % 5 === 0 ? '' : `${i % 60}m`,
      '💾',
    ];
    const head = ['namespace', 'pvc', 'state', 'age', 'icon'];
    // The first 300 rows hold every column's widest cell, so both layouts must agree on them.
    const small = Array.from({ length: 300 }, (_, i) => row(i + 1000));
    const large = [...small, ...Array.from({ length: 9_700 }, (_, i) => row(i))];
    const viaCliTable3 = renderTable(head, small);
    const viaLinear = renderTable(head, large);
    expect(viaLinear.startsWith(viaCliTable3)).toBe(true);
    expect(viaLinear.split('\n')).toHaveLength(10_002);
  });

  it('plain palette adds nothing', () => {
    expect(plainPalette.red('x')).toBe('x');
    expect(createPalette(false).red('x')).toBe('x');
    expect(createPalette(true).red('x')).toBe('\u001b[31mx\u001b[39m');
  });
});
