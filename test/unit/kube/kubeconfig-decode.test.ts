import { describe, expect, it } from 'vitest';
import { decodeGoBase64, resolvePlain } from '../../../src/kube/kubeconfig-decode.js';

describe('resolvePlain: the type go-yaml v2 (sigs.k8s.io/yaml) gives an unquoted scalar', () => {
  it.each([
    // YAML 1.1 booleans, not only true/false.
    ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, 'bool'] as const),
    ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, 'bool'] as const),
    ...['', '~', 'null', 'Null', 'NULL'].map((s) => [s, 'null'] as const),
    // strconv.ParseInt(s, 0, 64) after removing underscores, of any size.
    ...[
      '0',
      '123456789',
      '-12',
      '+12',
      '0x1F',
      '0X1f',
      '0o17',
      '0O17',
      '0777',
      '0b101',
      '-0b101',
      '1_000',
      '0x_1F',
      '99999999999999999999999',
    ].map((s) => [s, 'int'] as const),
    // yamlStyleFloat, and a leading-dot float.
    ...['1.5', '1.', '.5', '-.5', '1e3', '1E-3', '0789', '08', '.5e3', '1e-999'].map((s) => [s, 'float'] as const),
    // Everything else is a string: no sexagesimal numbers, no timestamps, no hex floats, overflowing floats.
    ...[
      '12:34',
      '2001-12-14',
      '2001-12-14T21:59:43.10-05:00',
      '0x1p3',
      '1e999',
      'tRUE',
      'o',
      '.',
      '...',
      '._5',
      '-',
      '+',
      '_',
      'abc',
      '1a',
      '0x',
      '0b2',
      '<<',
    ].map((s) => [s, 'string'] as const),
  ])('%j is %s', (text, kind) => {
    expect(resolvePlain(text).kind).toBe(kind);
  });

  it.each(['.inf', '.Inf', '.INF', '+.inf', '-.inf', '.nan', '.NaN', '.NAN'])('%s is a float that JSON cannot hold', (text) => {
    expect(resolvePlain(text)).toEqual({ kind: 'float', finite: false });
  });
});

describe('decodeGoBase64: encoding/json []byte rules', () => {
  it.each([
    ['YWJj', 'abc'],
    ['YWJjZA==', 'abcd'],
    ['YWJj\nZGVm', 'abcdef'],
    ['YWJj\r\nZGVm', 'abcdef'],
    ['', ''],
  ])('%j decodes', (text, bytes) => {
    expect(decodeGoBase64(text)?.toString()).toBe(bytes);
  });

  it.each(['abc', 'YWJjZA', 'YW Jj', '-_-_', 'YW=j', 'YWJj====', 'YWJjZA=\n='.slice(0, 7)])(
    '%j is refused (Node would skip what it cannot read)',
    (text) => {
      expect(decodeGoBase64(text)).toBeUndefined();
    },
  );
});
