// JSON merge patch (RFC 7386, also used for strategic merge on the simple objects served here)
// and JSON Patch (RFC 6902).
import { badRequest, failure, StatusError } from './status.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // strategic-merge directives are not modelled
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6902 with add, remove, replace and test (what the tests need). */
export function jsonPatch(target: unknown, ops: unknown[]): unknown {
  let doc = structuredClone(target);
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw badRequest('the server rejected our request due to an error in our request');
    }
    const tokens = raw.path === '' ? [] : raw.path.split('/').slice(1).map(unescapePointer);
    if (tokens.length === 0) {
      if (raw.op === 'add' || raw.op === 'replace') doc = structuredClone(raw.value);
      continue;
    }
    let parent: any = doc;
    for (const t of tokens.slice(0, -1)) {
      parent = parent?.[Array.isArray(parent) ? Number(t) : t];
      if (parent === undefined || parent === null) {
        throw new StatusError(failure(422, 'Invalid', `the server rejected our request due to an error in our request`));
      }
    }
    const last = tokens[tokens.length - 1]!;
    switch (raw.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, structuredClone(raw.value));
        else parent[last] = structuredClone(raw.value);
        break;
      case 'replace':
        if (!(last in parent))
          throw new StatusError(failure(422, 'Invalid', `replace operation does not apply: doc is missing key: ${raw.path}`));
        parent[last] = structuredClone(raw.value);
        break;
      case 'remove':
        if (!(last in parent))
          throw new StatusError(failure(422, 'Invalid', `remove operation does not apply: doc is missing path: ${raw.path}`));
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(raw.value)) {
          throw new StatusError(failure(422, 'Invalid', `testing value ${raw.path} failed: test failed`));
        }
        break;
      default:
        throw badRequest(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
