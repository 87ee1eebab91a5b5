import { describe, expect, it } from 'vitest';
import { groupingSegment, pushUrl, redactUrl } from '../../../src/kube/pushgateway.js';

describe('groupingSegment', () => {
  it.each([
    ['a plain value', 'cluster', 'prod-1', '/cluster/prod-1'],
    // base64url of the value, as the Pushgateway's README shows for label values with a slash.
    [
      'a value with a slash',
      'cluster',
      'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
      '/cluster@base64/YXJuOmF3czpla3M6ZXUtd2VzdC0xOjEyMzQ1Njc4OTAxMjpjbHVzdGVyL3Byb2Q',
    ],
    ['an empty value', 'cluster', '', '/cluster@base64/='],
    ['a space', 'cluster', 'my cluster', '/cluster@base64/bXkgY2x1c3Rlcg'],
    ['URL-special characters', 'cluster', 'a?b#c%d', '/cluster@base64/YT9iI2MlZA'],
  ])('%s', (_name, label, value, expected) => {
    expect(groupingSegment(label, value)).toBe(expected);
    if (expected.includes('@base64/') && value !== '') {
      expect(Buffer.from(expected.split('/').at(-1)!, 'base64url').toString('utf8')).toBe(value);
    }
  });
});

describe('pushUrl', () => {
  it.each([
    ['http://pgw:9091', 'http://pgw:9091/metrics/job/rds-migrate/cluster/prod'],
    ['http://pgw:9091/', 'http://pgw:9091/metrics/job/rds-migrate/cluster/prod'],
    ['https://monitoring.example/pushgateway/', 'https://monitoring.example/pushgateway/metrics/job/rds-migrate/cluster/prod'],
    ['https://user:secret@pgw:9091', 'https://pgw:9091/metrics/job/rds-migrate/cluster/prod'],
  ])('%s', (base, expected) => {
    expect(pushUrl(new URL(base), [['cluster', 'prod']]).href).toBe(expected);
  });
});

describe('redactUrl', () => {
  it.each([
    ['https://user:secret@pgw:9091/', 'https://user:xxxxx@pgw:9091/'],
    ['https://user@pgw:9091/', 'https://user@pgw:9091/'],
    ['http://pgw:9091/', 'http://pgw:9091/'],
  ])('%s', (url, expected) => {
    expect(redactUrl(new URL(url))).toBe(expected);
  });
});
