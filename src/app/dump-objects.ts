// What a dump's parsed values mean: Kubernetes objects, Lists of them (kind
// `List` or `<Kind>List`, whose items may leave their kind off, as API-server lists do), arrays
// of either, and nulls (empty YAML documents). Shared by the JSON and the YAML reader; both hand
// values over either whole, or — for a top-level object whose `items` they stream — as its
// members and items one at a time, so that a List is never held whole.
import { UsageError } from '../errors.js';
import { formatBytes } from '../read-input.js';

/** What the streaming readers call; `source` names the input in error lines. */
export interface DumpValueSink {
  /** A complete value: an object, a List, an array of them, or null. */
  value(value: unknown): void;
  /** A top-level object begins whose members and items follow. */
  beginObject(): void;
  /** Some of the open object's members (never its streamed items). */
  members(members: Record<string, unknown>, size: number): void;
  /**
   * The open object's `items` array begins: whether to stream it item by item (true), or to hand it
   * over whole as a member (false: the object's kind, read before, says it is not a List).
   */
  beginItems(): boolean;
  /** One element of the open object's `items`, with the size of its text. */
  item(value: unknown, size: number): void;
  /** The open object ends. */
  endObject(): void;
}

export interface ObjectCaps {
  /** The largest text of one object, or of the members of a List outside its items. */
  maxObjectBytes: number;
  /** List items without a kind that come before the List's kind are held until it is read, up to this many bytes. */
  maxHeldBytes: number;
}

/**
 * Turns the values of one input into Kubernetes objects, calling `visit` for each: Lists are
 * flattened, and items of a `<Kind>List` without a kind get `<Kind>`.
 */
export function createObjectSink(source: string, caps: ObjectCaps, visit: (object: object) => void): DumpValueSink {
  let open: { members: Record<string, unknown>; memberBytes: number; streamed: boolean; held: unknown[]; heldBytes: number } | null = null;

  // `itemKind`: API-server lists (EventList, ...) leave kind off their items.
  const visitValue = (value: unknown, itemKind?: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) visitValue(v, itemKind);
      return;
    }
    if (typeof value !== 'object') throw new UsageError(`--from-file "${source}" does not hold Kubernetes objects`);
    const items = (value as { items?: unknown }).items;
    const kind = (value as { kind?: unknown }).kind ?? itemKind;
    if (Array.isArray(items) && isListKind(kind)) {
      for (const v of items) visitValue(v, innerKind(kind));
    } else if (typeof kind === 'string') visit(kind === (value as { kind?: unknown }).kind ? value : { ...value, kind });
    else throw new UsageError(`--from-file "${source}" holds an object without a kind`);
  };

  const current = (): NonNullable<typeof open> => {
    if (open === null) throw new Error('dump reader: no open object');
    return open;
  };

  return {
    value: (value) => visitValue(value),
    beginObject: () => {
      open = { members: {}, memberBytes: 0, streamed: false, held: [], heldBytes: 0 };
    },
    members: (members, size) => {
      const o = current();
      o.memberBytes += size;
      if (o.memberBytes > caps.maxObjectBytes) {
        throw new UsageError(
          `--from-file "${source}" holds an object larger than ${formatBytes(caps.maxObjectBytes)} (outside its items)`,
          OBJECT_HINT,
        );
      }
      // defineProperty: a member named __proto__ is data, as JSON.parse makes it.
      for (const [key, v] of Object.entries(members)) {
        Object.defineProperty(o.members, key, { value: v, enumerable: true, writable: true, configurable: true });
      }
    },
    beginItems: () => {
      const o = current();
      const kind = o.members.kind;
      o.streamed = kind === null || kind === undefined || isListKind(kind);
      return o.streamed;
    },
    item: (value, size) => {
      const o = current();
      const kind = o.members.kind;
      if (kind !== null && kind !== undefined) {
        visitValue(value, innerKind(kind));
        return;
      }
      // The List's kind is not read yet (kubectl writes it after the items): an item with a kind
      // of its own does not need it; one without waits for it.
      const own = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { kind?: unknown }).kind : undefined;
      if (own !== null && own !== undefined) {
        visitValue(value);
        return;
      }
      o.heldBytes += size;
      if (o.heldBytes > caps.maxHeldBytes) {
        throw new UsageError(
          `--from-file "${source}" holds more than ${formatBytes(caps.maxHeldBytes)} of List items without a kind before the List's kind`,
          'give the items their kind, or put the List\'s "kind" before its "items"',
        );
      }
      o.held.push(value);
    },
    endObject: () => {
      const o = current();
      open = null;
      if (!o.streamed) {
        visitValue(o.members);
        return;
      }
      const kind = o.members.kind;
      if (isListKind(kind)) {
        for (const v of o.held) visitValue(v, innerKind(kind));
        return;
      }
      // A kind that is not a List's, read after the items: the object itself, as it would have been read whole.
      visitValue(o.members);
    },
  };
}

export const OBJECT_HINT = 'a Kubernetes object is at most 1.5 MiB; check that the file is a kubectl dump';

function isListKind(kind: unknown): boolean {
  return typeof kind !== 'string' || kind.endsWith('List');
}

function innerKind(kind: unknown): string | undefined {
  return typeof kind === 'string' && kind !== 'List' ? kind.slice(0, -'List'.length) : undefined;
}
