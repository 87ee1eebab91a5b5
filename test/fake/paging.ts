// limit/continue paging with the etcd3 storage's semantics.
import { badRequest } from './status.js';
import { compareKeys, keyOf } from './store.js';

interface ContinueToken {
  /** resourceVersion of the first page; every page reports it. */
  rv: string;
  /** Key (namespace/name) of the last item returned; the next page starts after it. */
  start: string;
  /** Offset of the next item in the full (unfiltered) list when the token was issued (informational). */
  offset: number;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'fake.k8s.io/v1', ...token })).toString('base64url');
}

export function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (parsed?.v === 'fake.k8s.io/v1' && typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return { rv: parsed.rv, start: parsed.start, offset: Number(parsed.offset) || 0 };
    }
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export interface Page {
  items: any[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * Index of the first item of `all` (sorted by key) whose key sorts after `key`: a binary search,
 * as etcd starts a range read at the key instead of scanning the keys before it.
 */
function firstAfter(all: any[], key: string): number {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keyOf(all[mid]), key) > 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * One page of `all` (sorted by key). Like the etcd3 store, it fills the page with up to `limit`
 * matching items and sets `continue` only when the page is full and more (raw) items follow,
 * so a later page may be empty. remainingItemCount is only reported without selectors.
 */
export function paginate(
  all: any[],
  matches: (obj: any) => boolean,
  opts: { limit?: number; continueToken?: string; currentRv: string; hasSelector: boolean },
): Page {
  let rv = opts.currentRv;
  let startIndex = 0;
  if (opts.continueToken) {
    const token = decodeContinue(opts.continueToken);
    rv = token.rv;
    startIndex = firstAfter(all, token.start);
  }
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const items: any[] = [];
  let i = startIndex;
  for (; i < all.length; i++) {
    if (items.length >= limit) break;
    if (matches(all[i])) items.push(all[i]);
  }
  const page: Page = { items, resourceVersion: rv };
  if (items.length >= limit && i < all.length) {
    const last = items[items.length - 1];
    page.continue = encodeContinue({ rv, start: keyOf(last), offset: i });
    if (!opts.hasSelector) page.remainingItemCount = all.length - i;
  }
  return page;
}
