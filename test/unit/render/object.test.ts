import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { renderObject } from '../../../src/render/object.js';
import { AMBIGUOUS_YAML_STRINGS } from './fixtures.js';

describe('renderObject (post -o json|yaml)', () => {
  const event = {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: 'vm-disk.17979cfe3d85cd15', namespace: 'vms', resourceVersion: '017' },
    reason: 'MigrationFailed',
    message: '[pvc-1]: KubeVirt live migration failed - source: a, attempted target: b, reason: 0o17, elapsed: 5m0s',
    source: { component: 'yes' },
    annotations: Object.fromEntries(AMBIGUOUS_YAML_STRINGS.map((s, i) => [`k${i}`, s])),
    count: 1,
  };

  it('YAML reads back as the same object under YAML 1.1 and YAML 1.2', () => {
    const yaml = renderObject(event, 'yaml');
    for (const version of ['1.1', '1.2'] as const) expect(parseYaml(yaml, { version })).toEqual(event);
    expect(yaml).toContain('  resourceVersion: "017"\n');
    expect(yaml).toContain('  component: "yes"\n');
  });

  it('JSON escapes terminal-active characters and parses back', () => {
    const hostile = { ...event, message: 'a\u009b2J\u202eb' };
    const json = renderObject(hostile, 'json');
    expect(json).not.toMatch(/[\u009b\u202e]/);
    expect(JSON.parse(json)).toEqual(hostile);
    expect(json.endsWith('}\n')).toBe(true);
  });
});
