import { describe, expect, it } from 'vitest';
import { decodeWatchFrame, FrameSplitter, FrameTooLargeError } from '../../../src/kube/watch-frames.js';

const event = (type: string, name: string) => JSON.stringify({ type, object: { kind: 'Pod', metadata: { name, resourceVersion: '7' } } });

describe('FrameSplitter', () => {
  it('returns whole lines and keeps a partial one until its newline arrives', () => {
    const splitter = new FrameSplitter(1024);
    const a = event('ADDED', 'a');
    const b = event('MODIFIED', 'b');
    const wire = Buffer.from(`${a}\n${b}\n`);
    const cut = a.length + 10; // inside the second frame
    expect(splitter.push(wire.subarray(0, cut))).toEqual([a]);
    expect(splitter.rest()).toBe(b.slice(0, 9));
    expect(splitter.push(wire.subarray(cut))).toEqual([b]);
    expect(splitter.rest()).toBe('');
  });

  it('reassembles a frame split into single bytes, including a multi-byte character cut in half', () => {
    const splitter = new FrameSplitter(1024);
    const line = JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'x', resourceVersion: '1' }, message: 'Größe ✓ 𝄞' } });
    const bytes = Buffer.from(`${line}\n`);
    const lines: string[] = [];
    for (const byte of bytes) lines.push(...splitter.push(Buffer.from([byte])));
    expect(lines).toEqual([line]);
  });

  it('returns several frames from one chunk, and blank lines as empty strings', () => {
    const splitter = new FrameSplitter(1024);
    expect(splitter.push(Buffer.from('one\n\ntwo\nthr'))).toEqual(['one', '', 'two']);
    expect(splitter.push(Buffer.from('ee\n'))).toEqual(['three']);
  });

  it('throws FrameTooLargeError as soon as a line passes the bound, before its newline', () => {
    const splitter = new FrameSplitter(100);
    expect(splitter.push(Buffer.from('x'.repeat(60)))).toEqual([]);
    expect(() => splitter.push(Buffer.from('x'.repeat(41)))).toThrow(FrameTooLargeError);
  });

  it('accepts a line of exactly the bound', () => {
    const splitter = new FrameSplitter(100);
    expect(splitter.push(Buffer.from(`${'y'.repeat(100)}\n`))).toEqual(['y'.repeat(100)]);
  });

  it('bounds each line, not the stream: many small frames pass', () => {
    const splitter = new FrameSplitter(64);
    const small = event('ADDED', 'p').slice(0, 50);
    let count = 0;
    for (let i = 0; i < 1000; i++) count += splitter.push(Buffer.from(`${small}\n`)).length;
    expect(count).toBe(1000);
  });
});

describe('decodeWatchFrame', () => {
  it.each([['ADDED'], ['MODIFIED'], ['DELETED'], ['BOOKMARK'], ['ERROR']])('decodes a %s event', (type) => {
    expect(decodeWatchFrame(event(type, 'a'))).toEqual({ type, object: { kind: 'Pod', metadata: { name: 'a', resourceVersion: '7' } } });
  });

  it('skips blank lines', () => {
    expect(decodeWatchFrame('')).toBeNull();
    expect(decodeWatchFrame('  \r')).toBeNull();
  });

  it.each([
    ['not JSON', 'hello'],
    ['truncated JSON', '{"type":"ADDED","object":{"metadata"'],
    ['a JSON string', '"ADDED"'],
    ['null', 'null'],
    ['an array', '[1,2]'],
    ['an unknown type', '{"type":"UPSERTED","object":{}}'],
    ['a lowercase type', '{"type":"added","object":{}}'],
    ['no object', '{"type":"ADDED"}'],
    ['an array object', '{"type":"ADDED","object":[]}'],
    ['a string object', '{"type":"ADDED","object":"x"}'],
  ])('calls %s garbage', (_what, line) => {
    expect(decodeWatchFrame(line)).toBe('garbage');
  });
});
