// In-memory object store, keyed by Kind and namespace/name, with a cluster-wide resourceVersion.
// Every change gets a new resourceVersion, is kept in a bounded history (what a watch resumes
// from; older resourceVersions are "too old", 410) and is handed to the open watches.
import { randomUUID } from 'node:crypto';
import { eventFromEventsV1 } from './events-v1.js';
import { apiVersionOf, resourceForKind } from './resources.js';

/** Whole-second RFC 3339 UTC, the way metav1.Time is stored and served. */
export function wholeSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function keyOf(obj: any): string {
  const ns = obj.metadata?.namespace ?? '';
  return `${ns}/${obj.metadata?.name ?? ''}`;
}

/** One change of the store, as a watch sees it. */
export interface StoreChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resourceVersion: number;
  kind: string;
  /** The object after the change; for DELETED its last state, carrying the deletion's resourceVersion. */
  object: any;
  /** The object before the change (MODIFIED, DELETED). */
  previous?: any;
}

export class Store {
  private rv = 1000;
  private readonly byKind = new Map<string, Map<string, any>>();
  private history: StoreChange[] = [];
  /** A watch may resume from this resourceVersion or a later one; older ones are compacted (410). */
  private oldestResumableRv = 1000;
  private readonly listeners = new Set<(change: StoreChange) => void>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** How many changes the history keeps (etcd keeps ~5 minutes of them). */
    private readonly historySize = 10_000,
  ) {}

  /** Calls `listener` with every change from now on; returns the unsubscribe function. */
  subscribe(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The changes after `rv`, or 'expired' when some of them are no longer kept. */
  changesSince(rv: number): StoreChange[] | 'expired' {
    if (rv < this.oldestResumableRv) return 'expired';
    return this.history.filter((c) => c.resourceVersion > rv);
  }

  /** The oldest resourceVersion a watch may still resume from. */
  oldestResourceVersion(): number {
    return this.oldestResumableRv;
  }

  /** Forgets the history (like an etcd compaction): every earlier resourceVersion is then too old. */
  compact(): void {
    this.history = [];
    this.oldestResumableRv = this.rv;
  }

  private record(change: StoreChange): void {
    this.history.push(change);
    while (this.history.length > this.historySize) this.oldestResumableRv = this.history.shift()!.resourceVersion;
    for (const listener of [...this.listeners]) listener(change);
  }

  /** The latest resourceVersion handed out (what a list reports). */
  currentResourceVersion(): string {
    return String(this.rv);
  }

  nextResourceVersion(): string {
    this.rv += 1;
    return String(this.rv);
  }

  private bucket(kind: string): Map<string, any> {
    let bucket = this.byKind.get(kind);
    if (!bucket) {
      bucket = new Map();
      this.byKind.set(kind, bucket);
    }
    return bucket;
  }

  /**
   * Seeds raw objects. Fills in apiVersion/kind-independent server fields that are missing (uid,
   * resourceVersion, creationTimestamp), accepts `List` objects and events.k8s.io/v1 Events, and
   * creates the Namespace of a namespaced object when it does not exist yet.
   */
  seed(raw: any): void {
    if (raw && typeof raw.kind === 'string' && raw.kind.endsWith('List') && Array.isArray(raw.items)) {
      for (const item of raw.items) this.seed(item);
      return;
    }
    let obj = structuredClone(raw);
    if (obj.kind === 'Event' && obj.apiVersion === 'events.k8s.io/v1') obj = eventFromEventsV1(obj);
    const def = resourceForKind(obj.kind);
    if (!def) throw new Error(`fake server: unsupported kind ${String(obj.kind)}`);
    obj.apiVersion = apiVersionOf(def);
    obj.metadata ??= {};
    if (!obj.metadata.name) throw new Error(`fake server: ${obj.kind} without metadata.name`);
    if (def.namespaced) {
      obj.metadata.namespace ??= 'default';
      this.ensureNamespace(obj.metadata.namespace);
    } else {
      delete obj.metadata.namespace;
    }
    // Seeding an object that exists replaces it (a MODIFIED change), keeping its identity.
    const existing = this.get(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name);
    obj.metadata.uid ??= existing?.metadata?.uid ?? randomUUID();
    obj.metadata.creationTimestamp ??= existing?.metadata?.creationTimestamp ?? wholeSeconds(this.now());
    obj.metadata.resourceVersion = this.nextResourceVersion();
    this.put(obj);
  }

  ensureNamespace(name: string): void {
    if (this.get('Namespace', '', name)) return;
    this.put({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: randomUUID(),
        resourceVersion: this.nextResourceVersion(),
        creationTimestamp: wholeSeconds(this.now()),
        labels: { 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  get(kind: string, namespace: string, name: string): any | undefined {
    return this.byKind.get(kind)?.get(`${namespace}/${name}`);
  }

  /** Stores an object as is (the caller has set its metadata, including a new resourceVersion). */
  put(obj: any): void {
    const bucket = this.bucket(obj.kind);
    const key = keyOf(obj);
    const previous = bucket.get(key);
    bucket.set(key, obj);
    this.record({
      type: previous === undefined ? 'ADDED' : 'MODIFIED',
      resourceVersion: Number(obj.metadata.resourceVersion),
      kind: obj.kind,
      object: obj,
      ...(previous !== undefined ? { previous } : {}),
    });
  }

  /** Deletes an object (a change with its own resourceVersion); returns what was stored. */
  delete(kind: string, namespace: string, name: string): any | undefined {
    const bucket = this.byKind.get(kind);
    const key = `${namespace}/${name}`;
    const obj = bucket?.get(key);
    if (obj === undefined) return undefined;
    bucket!.delete(key);
    const resourceVersion = this.nextResourceVersion();
    this.record({
      type: 'DELETED',
      resourceVersion: Number(resourceVersion),
      kind,
      object: { ...obj, metadata: { ...obj.metadata, resourceVersion } },
      previous: obj,
    });
    return obj;
  }

  /** All objects of a kind (optionally in one namespace), sorted by namespace then name. */
  list(kind: string, namespace?: string): any[] {
    const items = [...(this.byKind.get(kind)?.values() ?? [])].filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    );
    return items.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  }
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
