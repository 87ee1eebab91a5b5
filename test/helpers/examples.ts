// The bundled example dump (examples/cluster) as objects, to load into the fake API server.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './run-cli.js';

/** The directory of the bundled example dump. */
export const EXAMPLE_CLUSTER = join(repoRoot, 'examples', 'cluster');

/** Every object of examples/cluster (Lists unpacked), as the fake server's `objects`. */
export function exampleObjects(): object[] {
  const objects: object[] = [];
  for (const file of readdirSync(EXAMPLE_CLUSTER).sort()) {
    const text = readFileSync(join(EXAMPLE_CLUSTER, file), 'utf8');
    const doc = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as { kind?: string; items?: object[] };
    if (doc.kind?.endsWith('List') && Array.isArray(doc.items)) objects.push(...doc.items);
    else objects.push(doc);
  }
  return objects;
}
