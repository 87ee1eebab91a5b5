// The reading half of `audit --from-file`: paths and stdin in, Kubernetes
// objects out, one at a time, each with the name of the input it came from. What the objects
// become (the snapshot) is the caller's business; what this layer guarantees is that no input
// makes it hang, ignore Ctrl-C or grow without bound (see DUMP_LIMITS and SECURITY.md).
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { describeFsError, forEachInputText, formatBytes, type InputSource } from '../read-input.js';
import { JsonDumpScanner, type JsonLimits } from './dump-json.js';
import { createObjectSink, OBJECT_HINT, type ObjectCaps } from './dump-objects.js';
import { YamlDumpSplitter, type YamlLimits } from './dump-yaml.js';

/** The caps on --from-file input (documented in SECURITY.md). */
export const DUMP_LIMITS: DumpLimits = {
  /** One input (a file, a FIFO, stdin), and all inputs together. */
  maxInputBytes: 1024 * 1024 * 1024,
  /** One YAML input: YAML parses ~30 times slower than JSON, and holds the same objects in ~half the bytes. */
  maxYamlBytes: 256 * 1024 * 1024,
  /**
   * Objects in all inputs together: what the audit keeps of each (an Event's record: ~400 bytes,
   * ~1.2 kB for events of a real cluster) must stay within memory (SECURITY.md).
   */
  maxObjects: 500_000,
  /** One object, or the keys of a List around its items: the API server stores objects of at most 1.5 MiB. */
  maxObjectBytes: 8 * 1024 * 1024,
  /** List items without a kind, held until a List's kind that comes after them is read. */
  maxHeldBytes: 64 * 1024 * 1024,
  /** Nesting of arrays/mappings: Kubernetes objects nest a few dozen levels at most. */
  maxDepth: 100,
  /** YAML aliases in one object: kubectl never writes any. */
  maxAliases: 100,
  /** YAML tokens in one object (an Event has ~300): bounds the time the yaml library takes without a break. */
  maxYamlTokens: 250_000,
};

export interface DumpLimits extends ObjectCaps, JsonLimits, YamlLimits {
  maxInputBytes: number;
  maxYamlBytes: number;
  maxObjects: number;
}

const DUMP_EXTENSIONS = /\.(json|ya?ml)$/i;

/**
 * Calls `visit` for every Kubernetes object in the --from-file inputs, in order: files as named,
 * directories by file name (.json, .yaml, .yml; symbolic links followed, each file read once),
 * `-` for stdin. Lists are flattened. Any unreadable or malformed input is a UsageError (exit 2);
 * an abort of ctx.signal rejects with its reason, between chunks of input. `limits`: the caps
 * (DUMP_LIMITS unless given).
 */
export async function forEachDumpObject(
  paths: readonly string[],
  ctx: Pick<Context, 'cwd' | 'stdin' | 'signal'>,
  visit: (object: object, source: string) => void,
  limits: DumpLimits = DUMP_LIMITS,
): Promise<void> {
  if (paths.filter((path) => path === '-').length > 1) throw new UsageError('--from-file - (stdin) can be given only once');
  let objects = 0;
  const read = { bytes: 0 };
  const count = (object: object, source: string): void => {
    if (++objects > limits.maxObjects) {
      throw new UsageError(
        `--from-file inputs hold more than ${limits.maxObjects} objects (at "${source}")`,
        'dump only what the audit reads: kubectl get events,pv,volumeattachments,nodes,pods,vmi,vmim -A -o json',
      );
    }
    visit(object, source);
  };
  for (const path of paths) {
    if (path === '-') {
      await readDump({ stream: ctx.stdin }, 'stdin', ctx.signal, limits, read, count);
      continue;
    }
    for (const file of await expand(resolve(ctx.cwd, path), path)) await readDump({ path: file }, file, ctx.signal, limits, read, count);
  }
}

/** A path, or the dump files of a directory (not its subdirectories). */
async function expand(path: string, shown: string): Promise<string[]> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    throw new UsageError(`cannot read --from-file "${shown}": ${describeFsError(err)}`);
  }
  if (!info.isDirectory()) return [path];
  let names: string[];
  try {
    names = (await readdir(path)).filter((name) => DUMP_EXTENSIONS.test(name)).sort();
  } catch (err) {
    throw new UsageError(`cannot read --from-file "${shown}": ${describeFsError(err)}`);
  }
  // A mounted ConfigMap is all symbolic links (`x.json -> ..data/x.json`, `..data -> ..<time>`):
  // follow them, and read a file reached by two names once.
  const files: string[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    const file = join(path, name);
    let target: Awaited<ReturnType<typeof stat>>;
    try {
      target = await stat(file);
    } catch (err) {
      throw new UsageError(`cannot read --from-file "${file}": ${describeFsError(err)}`);
    }
    if (target.isDirectory()) continue;
    const id = `${target.dev}:${target.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    files.push(file);
  }
  if (files.length === 0) throw new UsageError(`--from-file "${shown}" is a directory with no .json, .yaml or .yml files`);
  return files;
}

/** Reads one input: JSON when its first character is `{` or `[`, else YAML. */
async function readDump(
  source: InputSource,
  name: string,
  signal: AbortSignal,
  limits: DumpLimits,
  /** Bytes of all inputs read so far. */
  read: { bytes: number },
  visit: (object: object, source: string) => void,
): Promise<void> {
  const sink = createObjectSink(name, limits, (object) => visit(object, name));
  const pause = async (): Promise<void> => {
    await new Promise((done) => setImmediate(done));
    signal.throwIfAborted();
  };
  let reader: JsonDumpScanner | YamlDumpSplitter | null = null;
  // Until the first character that is not white space: the lines skipped, and the current line's start.
  let skippedLines = 0;
  let indent = '';
  let yamlBytes = 0;
  await forEachInputText(source, { maxBytes: limits.maxInputBytes, what: `--from-file "${name}"`, signal }, async (text) => {
    if (text.includes('\0')) throw new UsageError(`--from-file "${name}" holds NUL bytes: it is binary data, not a JSON or YAML dump`);
    const bytes = Buffer.byteLength(text);
    read.bytes += bytes;
    if (read.bytes > limits.maxInputBytes) {
      throw new UsageError(`--from-file inputs together are over the ${formatBytes(limits.maxInputBytes)} limit (at "${name}")`);
    }
    let chunk = text;
    if (reader === null) {
      const first = chunk.search(/\S/);
      const lead = first === -1 ? chunk : chunk.slice(0, first);
      for (let i = lead.indexOf('\n'); i !== -1; i = lead.indexOf('\n', i + 1)) skippedLines++;
      const lastBreak = lead.lastIndexOf('\n');
      indent = lastBreak === -1 ? indent + lead : lead.slice(lastBreak + 1);
      if (indent.length > limits.maxObjectBytes)
        throw new UsageError(`--from-file "${name}" holds a line of white space longer than the object limit`, OBJECT_HINT);
      if (first === -1) return;
      const firstLine = skippedLines + 1;
      const json = chunk[first] === '{' || chunk[first] === '[';
      chunk = indent + chunk.slice(first);
      reader = json ? new JsonDumpScanner(name, sink, limits, firstLine) : new YamlDumpSplitter(name, sink, limits, pause, firstLine);
    }
    if (reader instanceof YamlDumpSplitter) {
      yamlBytes += bytes;
      if (yamlBytes > limits.maxYamlBytes) {
        throw new UsageError(
          `--from-file "${name}" is over the ${formatBytes(limits.maxYamlBytes)} limit for YAML`,
          'YAML is read about 30 times slower than JSON: save large dumps as JSON (kubectl get ... -o json)',
        );
      }
    }
    await reader.write(chunk);
  });
  if (reader === null) throw new UsageError(`--from-file "${name}" is empty`);
  await (reader as JsonDumpScanner | YamlDumpSplitter).end();
}
