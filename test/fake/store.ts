// In-memory object store, keyed by Kind and namespace/name, with a cluster-wide resourceVersion.
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

export class Store {
  private rv = 1000;
  private readonly byKind = new Map<string, Map<string, any>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

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
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= wholeSeconds(this.now());
    obj.metadata.resourceVersion = this.nextResourceVersion();
    this.bucket(obj.kind).set(keyOf(obj), obj);
  }

  ensureNamespace(name: string): void {
    if (this.get('Namespace', '', name)) return;
    this.bucket('Namespace').set(`/${name}`, {
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

  /** Stores an object as is (the caller has set its metadata). */
  put(obj: any): void {
    this.bucket(obj.kind).set(keyOf(obj), obj);
  }

  delete(kind: string, namespace: string, name: string): any | undefined {
    const bucket = this.byKind.get(kind);
    const key = `${namespace}/${name}`;
    const obj = bucket?.get(key);
    bucket?.delete(key);
    return obj;
  }

  /** All objects of a kind (optionally in one namespace), sorted by namespace then name. */
  list(kind: string, namespace?: string): any[] {
    const items = [...(this.byKind.get(kind)?.values() ?? [])].filter(
      (o) => namespace === undefined || o.metadata?.namespace === namespace,
    );
    return items.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  }

  clear(): void {
    this.byKind.clear();
  }
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
