// Offline input for `audit --from-file` (SPEC §3.3): kubectl dumps in JSON or
// YAML — Lists, single objects, multi-document YAML, directories of such files,
// or `-` for stdin — turned into the same snapshot the cluster path builds.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Context } from '../context.js';
import { createSnapshotBuilder } from '../domain/kinds.js';
import type { ClusterSnapshot } from '../domain/types.js';
import { UsageError } from '../errors.js';

const DUMP_EXTENSIONS = /\.(json|ya?ml)$/i;

/** Reads every dump named by --from-file into one snapshot; any unreadable or malformed input is exit 2. */
export async function readDumps(paths: string[], ctx: Context): Promise<ClusterSnapshot> {
  const files: { name: string; text: string }[] = [];
  for (const path of paths) {
    if (path === '-') files.push({ name: 'stdin', text: await readStdin(ctx) });
    else for (const file of expand(resolve(ctx.cwd, path), path)) files.push({ name: file, text: readText(file) });
  }
  // The registry of kinds turns objects into records; the same object saved twice (overlapping
  // dumps, or `kubectl get events` and `events.events.k8s.io` of one cluster) counts once.
  const builder = createSnapshotBuilder();
  for (const { name, text } of files) {
    for (const object of parseObjects(name, text)) builder.add(object);
  }
  return builder.finish();
}

function expand(path: string, shown: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (err) {
    throw new UsageError(`cannot read --from-file "${shown}": ${describeFsError(err)}`);
  }
  if (!stat.isDirectory()) return [path];
  const entries = readdirSync(path, { withFileTypes: true })
    .filter((e) => e.isFile() && DUMP_EXTENSIONS.test(e.name))
    .map((e) => join(path, e.name))
    .sort();
  if (entries.length === 0) throw new UsageError(`--from-file "${shown}" is a directory with no .json, .yaml or .yml files`);
  return entries;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --from-file "${path}": ${describeFsError(err)}`);
  }
}

async function readStdin(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The Kubernetes objects in one file: List items are flattened; YAML may hold several documents. */
function parseObjects(name: string, text: string): object[] {
  const trimmed = text.trimStart();
  if (trimmed === '') throw new UsageError(`--from-file "${name}" is empty`);
  let documents: unknown[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      documents = [JSON.parse(text)];
    } catch (err) {
      throw new UsageError(`--from-file "${name}" is not valid JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  } else {
    const parsed = parseAllDocuments(text);
    const docs = Array.isArray(parsed) ? parsed : [parsed];
    for (const doc of docs) {
      const error = doc.errors[0];
      if (error) throw new UsageError(`--from-file "${name}" is not valid YAML: ${error.message.split('\n')[0]}`);
    }
    documents = docs.map((d) => d.toJS({ maxAliasCount: 1000 }));
  }
  const objects: object[] = [];
  // `itemKind`: API-server lists (EventList, ...) leave kind off their items.
  const visit = (value: unknown, itemKind?: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, itemKind);
      return;
    }
    if (typeof value !== 'object') throw new UsageError(`--from-file "${name}" does not hold Kubernetes objects`);
    const items = (value as { items?: unknown }).items;
    const kind = (value as { kind?: unknown }).kind ?? itemKind;
    if (Array.isArray(items) && (typeof kind !== 'string' || kind.endsWith('List'))) {
      const inner = typeof kind === 'string' && kind !== 'List' ? kind.slice(0, -'List'.length) : undefined;
      for (const v of items) visit(v, inner);
    } else if (typeof kind === 'string') objects.push(kind === (value as { kind?: unknown }).kind ? value : { ...value, kind });
    else throw new UsageError(`--from-file "${name}" holds an object without a kind`);
  };
  for (const d of documents) visit(d);
  return objects;
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'ENOTDIR') return 'not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'file name too long';
  if (code === 'EPERM') return 'operation not permitted';
  return code ?? 'read error';
}
