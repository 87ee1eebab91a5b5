// Choosing the proxy as kubectl does: Go's environment rules (the NO_PROXY cases in
// test/fixtures/proxy/no-proxy-cases.json agree with Go's net/http ProxyFromEnvironment, checked
// with Go 1.19 when they were written) and the kubeconfig's proxy-url.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { chooseProxy, parseIp, redactUrl, useProxy } from '../../../src/kube/proxy.js';

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/proxy/no-proxy-cases.json', import.meta.url), 'utf8')) as {
  cases: [string, string, 'proxy' | 'direct'][];
};
const ENV_PROXY = 'http://proxy.test:3128';

describe('NO_PROXY and loopback (Go httpproxy rules)', () => {
  it.each(fixture.cases)('NO_PROXY=%j, %s: %s', (noProxy, url, expected) => {
    const proxy = chooseProxy(new URL(url), undefined, 'c', { HTTPS_PROXY: ENV_PROXY, HTTP_PROXY: ENV_PROXY, NO_PROXY: noProxy });
    expect(proxy === undefined ? 'direct' : 'proxy').toBe(expected);
  });

  it('useProxy takes the host without brackets and the port as text', () => {
    expect(useProxy('2001:db8::1', '6443', '[2001:db8::1]:6443')).toBe(false);
    expect(useProxy('kube.example.com', '443', '')).toBe(true);
  });
});

describe('which environment variable', () => {
  const server = new URL('https://kube.example.com:6443');

  it('HTTPS_PROXY before https_proxy; an empty one counts as unset', () => {
    expect(chooseProxy(server, undefined, 'c', { HTTPS_PROXY: 'http://a:1', https_proxy: 'http://b:2' })?.url.host).toBe('a:1');
    expect(chooseProxy(server, undefined, 'c', { HTTPS_PROXY: '', https_proxy: 'http://b:2' })?.source).toBe('https_proxy');
  });

  it('an https server uses only HTTPS_PROXY, an http one only HTTP_PROXY', () => {
    expect(chooseProxy(server, undefined, 'c', { HTTP_PROXY: 'http://a:1' })).toBeUndefined();
    expect(chooseProxy(new URL('http://kube.example.com'), undefined, 'c', { HTTP_PROXY: 'http://a:1' })?.source).toBe('HTTP_PROXY');
    expect(chooseProxy(new URL('http://kube.example.com'), undefined, 'c', { HTTPS_PROXY: 'http://a:1' })).toBeUndefined();
  });

  it('NO_PROXY before no_proxy', () => {
    const env = { HTTPS_PROXY: 'http://a:1', NO_PROXY: 'other.test', no_proxy: 'example.com' };
    expect(chooseProxy(server, undefined, 'c', env)).toBeDefined();
  });

  it.each([
    ['proxy.corp:3128', 'http://proxy.corp:3128'],
    ['10.0.0.1:3128', 'http://10.0.0.1:3128'],
    ['https://proxy.corp', 'https://proxy.corp'],
    ['socks5://proxy.corp:1080', 'socks5://proxy.corp:1080'],
    ['http://user:p%40ss@proxy.corp:3128', 'http://proxy.corp:3128'],
  ])('HTTPS_PROXY=%s is the proxy %s (Go reads a value without scheme as http://)', (value, shown) => {
    const proxy = chooseProxy(server, undefined, 'c', { HTTPS_PROXY: value });
    expect(redactUrl(proxy!.url)).toBe(shown);
    expect(proxy!.display).toBe(`${shown} (HTTPS_PROXY)`);
  });

  it('a proxy scheme that cannot work is an input error naming the variable, never its password', () => {
    expect(() => chooseProxy(server, undefined, 'c', { HTTPS_PROXY: 'socks4://u:secret@proxy.corp:1080' })).toThrow(
      new UsageError('HTTPS_PROXY: cannot use socks4://proxy.corp:1080 as a proxy: the scheme must be http, https or socks5'),
    );
  });
});

describe('proxy-url', () => {
  const server = new URL('https://127.0.0.1:6443');

  it('is used for every request, loopback and NO_PROXY notwithstanding, and wins over the environment', () => {
    const proxy = chooseProxy(server, 'socks5://proxy.corp:1080', 'c', { HTTPS_PROXY: 'http://a:1', NO_PROXY: '*' });
    expect(proxy?.source).toBe('proxy-url');
    expect(proxy?.url.protocol).toBe('socks5:');
  });

  it.each([
    [
      'ftp://proxy.corp',
      'invalid proxy-url "ftp://proxy.corp" for cluster "prod": unsupported scheme "ftp", must be http, https, or socks5',
    ],
    [
      'socks5h://u:pw@proxy.corp',
      'invalid proxy-url "socks5h://proxy.corp" for cluster "prod": unsupported scheme "socks5h", must be http, https, or socks5',
    ],
    ['not a url', 'invalid proxy-url for cluster "prod": not a URL'],
  ])('%s is refused as kubectl refuses it', (value, message) => {
    expect(() => chooseProxy(server, value, 'prod', {})).toThrow(new UsageError(message));
  });
});

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', '00000000000000000000ffff7f000001'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
    ['fe80::1:2:3', 'fe800000000000000000000100020003'],
  ])('%s', (text, hex) => {
    expect(Buffer.from(parseIp(text)!).toString('hex')).toBe(hex);
  });

  it.each(['kube', '1.2.3', '256.0.0.1', '::1%eth0', ''])('%j is not an IP', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });
});
