// Decodes one kubeconfig file exactly as kubectl does (client-go's clientcmd.Load): the YAML is
// read with the rules of sigs.k8s.io/yaml (go-yaml v2: YAML 1.1 booleans such as `yes` and `on`,
// numbers such as `0x1F`, `0o17` and `1_000`, the first document only, `<<` merge keys, a repeated
// key's last value wins), then decoded by encoding/json into the v1 Config types, where a value of
// the wrong type fails the whole file. The `yaml` library parses the syntax; every scalar keeps its
// style and tag (failsafe schema) and is typed here the way go-yaml types it, so that an unquoted
// `token: 123456789` is refused, named, and never silently dropped.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Node, Parser, type Scalar } from 'yaml';
import { UsageError } from '../errors.js';

export interface V1Extension {
  name: string;
  extension?: unknown;
}

export interface V1Cluster {
  server?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  certificateAuthority?: string;
  certificateAuthorityData?: Buffer;
  proxyUrl?: string;
  disableCompression?: boolean;
  extensions?: V1Extension[];
}

export interface V1ExecEnvVar {
  name: string;
  value: string;
}

export interface V1ExecConfig {
  command?: string;
  args?: string[];
  env?: V1ExecEnvVar[];
  apiVersion?: string;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

export interface V1AuthInfo {
  clientCertificate?: string;
  clientCertificateData?: Buffer;
  clientKey?: string;
  clientKeyData?: Buffer;
  token?: string;
  tokenFile?: string;
  as?: string;
  asUid?: string;
  asGroups?: string[];
  asUserExtra?: Record<string, string[]>;
  username?: string;
  password?: string;
  authProvider?: { name?: string; config?: Record<string, string> };
  exec?: V1ExecConfig;
}

export interface V1Context {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** A named entry of clusters, users or contexts. */
export interface V1Named<T> {
  name: string;
  value: T;
}

/** The v1 Config of one file, with kubectl's types; absent or null fields are left out. */
export interface V1Config {
  clusters: V1Named<V1Cluster>[];
  users: V1Named<V1AuthInfo>[];
  contexts: V1Named<V1Context>[];
  currentContext?: string;
}

type FieldType =
  | { kind: 'string' }
  | { kind: 'bool' }
  | { kind: 'bytes' }
  | { kind: 'raw' }
  | { kind: 'list'; item: FieldType; goType: string }
  | { kind: 'map'; value: FieldType; goType: string }
  | { kind: 'struct'; goType: string; fields: Record<string, [prop: string, type: FieldType]> };

const STRING: FieldType = { kind: 'string' };
const BOOL: FieldType = { kind: 'bool' };
const BYTES: FieldType = { kind: 'bytes' };
const STRINGS: FieldType = { kind: 'list', item: STRING, goType: '[]string' };
const EXTENSIONS: FieldType = {
  kind: 'list',
  goType: '[]v1.NamedExtension',
  item: { kind: 'struct', goType: 'v1.NamedExtension', fields: { name: ['name', STRING], extension: ['extension', { kind: 'raw' }] } },
};

/** k8s.io/client-go/tools/clientcmd/api/v1 types.go, field by field. */
const CLUSTER: FieldType = {
  kind: 'struct',
  goType: 'v1.Cluster',
  fields: {
    server: ['server', STRING],
    'tls-server-name': ['tlsServerName', STRING],
    'insecure-skip-tls-verify': ['insecureSkipTlsVerify', BOOL],
    'certificate-authority': ['certificateAuthority', STRING],
    'certificate-authority-data': ['certificateAuthorityData', BYTES],
    'proxy-url': ['proxyUrl', STRING],
    'disable-compression': ['disableCompression', BOOL],
    extensions: ['extensions', EXTENSIONS],
  },
};
const EXEC: FieldType = {
  kind: 'struct',
  goType: 'v1.ExecConfig',
  fields: {
    command: ['command', STRING],
    args: ['args', STRINGS],
    env: [
      'env',
      {
        kind: 'list',
        goType: '[]v1.ExecEnvVar',
        item: { kind: 'struct', goType: 'v1.ExecEnvVar', fields: { name: ['name', STRING], value: ['value', STRING] } },
      },
    ],
    apiVersion: ['apiVersion', STRING],
    installHint: ['installHint', STRING],
    provideClusterInfo: ['provideClusterInfo', BOOL],
    interactiveMode: ['interactiveMode', STRING],
  },
};
const AUTH_INFO: FieldType = {
  kind: 'struct',
  goType: 'v1.AuthInfo',
  fields: {
    'client-certificate': ['clientCertificate', STRING],
    'client-certificate-data': ['clientCertificateData', BYTES],
    'client-key': ['clientKey', STRING],
    'client-key-data': ['clientKeyData', BYTES],
    token: ['token', STRING],
    tokenFile: ['tokenFile', STRING],
    as: ['as', STRING],
    'as-uid': ['asUid', STRING],
    'as-groups': ['asGroups', STRINGS],
    'as-user-extra': ['asUserExtra', { kind: 'map', value: STRINGS, goType: 'map[string][]string' }],
    username: ['username', STRING],
    password: ['password', STRING],
    'auth-provider': [
      'authProvider',
      {
        kind: 'struct',
        goType: 'v1.AuthProviderConfig',
        fields: { name: ['name', STRING], config: ['config', { kind: 'map', value: STRING, goType: 'map[string]string' }] },
      },
    ],
    exec: ['exec', EXEC],
    extensions: ['extensions', EXTENSIONS],
  },
};
const CONTEXT: FieldType = {
  kind: 'struct',
  goType: 'v1.Context',
  fields: {
    cluster: ['cluster', STRING],
    user: ['user', STRING],
    namespace: ['namespace', STRING],
    extensions: ['extensions', EXTENSIONS],
  },
};
const named = (goType: string, key: string, body: FieldType): FieldType => ({
  kind: 'list',
  goType: `[]v1.${goType}`,
  item: { kind: 'struct', goType: `v1.${goType}`, fields: { name: ['name', STRING], [key]: ['value', body] } },
});
const CONFIG: FieldType = {
  kind: 'struct',
  goType: 'v1.Config',
  fields: {
    kind: ['kind', STRING],
    apiVersion: ['apiVersion', STRING],
    preferences: [
      'preferences',
      { kind: 'struct', goType: 'v1.Preferences', fields: { colors: ['colors', BOOL], extensions: ['extensions', EXTENSIONS] } },
    ],
    clusters: ['clusters', named('NamedCluster', 'cluster', CLUSTER)],
    users: ['users', named('NamedAuthInfo', 'user', AUTH_INFO)],
    contexts: ['contexts', named('NamedContext', 'context', CONTEXT)],
    'current-context': ['currentContext', STRING],
    extensions: ['extensions', EXTENSIONS],
  },
};

/** How many aliases one file may expand: go-yaml refuses "excessive aliasing" too (billion laughs). */
const MAX_ALIAS_EXPANSIONS = 10_000;
/** The entry kinds, singular, for error lines: `user "admin"`. */
const ENTRY_NOUN: Record<string, string> = { clusters: 'cluster', users: 'user', contexts: 'context' };

type Resolved =
  | { kind: 'null'; node: Node | null }
  | { kind: 'bool'; value: boolean; node: Node }
  | { kind: 'number'; finite: boolean; node: Node }
  | { kind: 'string'; value: string; node: Node }
  | { kind: 'list'; node: Node }
  | { kind: 'mapping'; node: Node };

interface Where {
  /** The JSON path without indices, as kubectl names fields: `users.user.token`. */
  field: string;
  /** The same with list indices, for our own line: `users[0].user.token`. */
  shown: string;
  /** The named entry the field belongs to: `user "admin"`. */
  entry: string | undefined;
}

/** Decodes the text of one kubeconfig file; every refusal is a UsageError naming `path`, the line and the field. */
export function decodeKubeconfig(text: string, path: string): V1Config {
  return new Decoder(text, path).run();
}

class Decoder {
  private readonly lines = new LineCounter();
  /** Each alias's anchored node: the last node with that anchor before it, as go-yaml and yaml find it. */
  private readonly aliasTargets = new Map<Node, Node>();
  private aliases = 0;

  constructor(
    private readonly text: string,
    private readonly path: string,
  ) {}

  run(): V1Config {
    const root = this.parseFirstDocument();
    // sigs.k8s.io/yaml turns the whole document into JSON before anything is decoded.
    this.checkJsonable(root, '');
    const top = this.resolve(root);
    if (top.kind === 'null') return { clusters: [], users: [], contexts: [] };
    if (top.kind !== 'mapping') {
      throw this.fail(top.node, `is not a kubeconfig: the document is ${describeKind(top.kind)}, not a mapping`);
    }
    this.checkTypeMeta(top.node);
    const config = this.decode(top, CONFIG, { field: '', shown: '', entry: undefined }) as {
      clusters?: { name?: string; value?: V1Cluster }[];
      users?: { name?: string; value?: V1AuthInfo }[];
      contexts?: { name?: string; value?: V1Context }[];
      currentContext?: string;
    };
    const result: V1Config = {
      clusters: this.entries(top.node, 'clusters', config.clusters),
      users: this.entries(top.node, 'users', config.users),
      contexts: this.entries(top.node, 'contexts', config.contexts),
    };
    if (config.currentContext !== undefined) result.currentContext = config.currentContext;
    return result;
  }

  private parseFirstDocument(): Node | null {
    const composer = new Composer({ schema: 'failsafe', uniqueKeys: false, resolveKnownTags: false });
    const parser = new Parser(this.lines.addNewLine);
    // go-yaml reads the first document only: what follows a `---` is neither used nor checked.
    for (const doc of composer.compose(parser.parse(this.text), true, this.text.length)) {
      const error = doc.errors[0];
      if (error) {
        const { line, col } = this.lines.linePos(error.pos[0]);
        // The message only: yaml's code frame would quote the file, secrets included.
        throw new UsageError(`kubeconfig "${this.path}" is not valid YAML (line ${line}, column ${col}): ${error.message.split('\n')[0]}`);
      }
      const contents = doc.contents as Node | null;
      this.findAnchors(contents, new Map());
      return contents;
    }
    return null;
  }

  private findAnchors(node: Node | null, anchors: Map<string, Node>): void {
    if (node === null) return;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) this.aliasTargets.set(node, target);
      return;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (isMap(node)) {
      for (const pair of node.items) {
        this.findAnchors(pair.key as Node | null, anchors);
        this.findAnchors(pair.value as Node | null, anchors);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.findAnchors(item as Node | null, anchors);
    }
  }

  /** The named entries of a list, each with its name ("" when absent, as kubectl has it); a repeated name is refused as kubectl refuses it. */
  private entries<T>(root: Node, key: string, list: { name?: string; value?: T }[] | undefined): V1Named<T>[] {
    const seen = new Set<string>();
    const listNode = this.follow(this.fieldNode(root, key));
    return (list ?? []).map((item, i) => {
      const name = item.name ?? '';
      const itemNode = listNode && isSeq(listNode) ? this.follow(listNode.items[i] as Node | null) : null;
      if (seen.has(name)) {
        throw this.fail(itemNode, `has two ${key} named "${name}"`, 'kubectl refuses the file too; remove or rename one of them');
      }
      seen.add(name);
      return { name, value: item.value ?? ({} as T) };
    });
  }

  /** apiVersion and kind, checked first as the codec does: only v1 Config (or neither) is a kubeconfig. */
  private checkTypeMeta(root: Node): void {
    for (const key of ['apiVersion', 'kind'] as const) {
      const node = this.fieldNode(root, key);
      if (node === undefined) continue;
      const value = this.resolve(node);
      if (value.kind === 'null') continue;
      if (value.kind !== 'string') throw this.fail(value.node, `${key} must be a string, not ${describeKind(value.kind)}`);
      const wanted = key === 'apiVersion' ? 'v1' : 'Config';
      if (value.value !== '' && value.value !== wanted) {
        throw this.fail(value.node, `is not a kubeconfig: ${key} is "${clip(value.value)}", not "${wanted}"`);
      }
    }
  }

  /** The value node of a key of a mapping (the last one when repeated), after merges; undefined when absent. */
  private fieldNode(mapping: Node, key: string): Node | null | undefined {
    return this.pairsOf(mapping).get(key)?.value;
  }

  private decode(value: Resolved, type: FieldType, where: Where): unknown {
    if (value.kind === 'null') return undefined;
    switch (type.kind) {
      case 'raw':
        return this.toPlain(value);
      case 'string':
        if (value.kind !== 'string') throw this.typeError(value, where, 'a string', 'string');
        return value.value;
      case 'bool':
        if (value.kind !== 'bool') throw this.typeError(value, where, 'true or false', 'bool');
        return value.value;
      case 'bytes': {
        if (value.kind !== 'string') throw this.typeError(value, where, 'base64 data', '[]uint8');
        const bytes = decodeGoBase64(value.value);
        if (bytes === undefined) throw this.fail(value.node, `${this.named(where)} is not valid base64`, 'kubectl refuses the file too');
        return bytes;
      }
      case 'list': {
        if (value.kind !== 'list') throw this.typeError(value, where, 'a list', type.goType);
        const items = (value.node as { items: (Node | null)[] }).items;
        return items.map((item, i) => {
          const resolved = this.resolve(item);
          const at: Where = { ...where, shown: `${where.shown}[${i}]` };
          // encoding/json: a null element is the element type's zero value.
          if (resolved.kind === 'null') return type.item.kind === 'string' ? '' : type.item.kind === 'struct' ? {} : undefined;
          if (type.item.kind === 'struct' && where.field.split('.').length === 1 && ENTRY_NOUN[where.field]) {
            at.entry = this.entryLabel(where.field, resolved);
          }
          return this.decode(resolved, type.item, at);
        });
      }
      case 'map': {
        if (value.kind !== 'mapping') throw this.typeError(value, where, 'a mapping', type.goType);
        const out: Record<string, unknown> = {};
        for (const [key, pair] of this.pairsOf(value.node)) {
          if (pair.keyKind !== 'string') {
            throw this.fail(pair.keyNode, `${this.named(where)} has a key that is not a string`, 'put the key in quotes');
          }
          const resolved = this.resolve(pair.value);
          const at: Where = { ...where, shown: `${where.shown}.${key}` };
          out[key] = resolved.kind === 'null' ? (type.value.kind === 'string' ? '' : []) : this.decode(resolved, type.value, at);
        }
        return out;
      }
      case 'struct': {
        if (value.kind !== 'mapping') throw this.typeError(value, where, 'a mapping', type.goType);
        const pairs = this.pairsOf(value.node);
        const out: Record<string, unknown> = {};
        // encoding/json reads the keys in the order json.Marshal wrote them: sorted. Its first
        // error is the one kubectl shows, and so is ours.
        for (const key of [...pairs.keys()].sort()) {
          const field = type.fields[key];
          const pair = pairs.get(key)!;
          if (field === undefined || pair.keyKind !== 'string') continue;
          const [prop, fieldType] = field;
          const at: Where = {
            field: where.field === '' ? key : `${where.field}.${key}`,
            shown: where.shown === '' ? key : `${where.shown}.${key}`,
            entry: where.entry,
          };
          const decoded = this.decode(this.resolve(pair.value), fieldType, at);
          if (decoded !== undefined) out[prop] = decoded;
        }
        return out;
      }
    }
  }

  /** `user "admin"` for an entry of clusters/users/contexts whose name is a string. */
  private entryLabel(list: string, entry: Resolved): string | undefined {
    if (entry.kind !== 'mapping') return undefined;
    const name = this.fieldNode(entry.node, 'name');
    const resolved = name === undefined ? undefined : this.resolve(name);
    return resolved?.kind === 'string' ? `${ENTRY_NOUN[list]} "${clip(resolved.value)}"` : undefined;
  }

  /** The mapping's pairs by key, with go-yaml's rules: a later key wins, `<<` merges mappings in. */
  private pairsOf(node: Node): Map<string, { keyKind: Resolved['kind']; keyNode: Node | null; value: Node | null }> {
    const out = new Map<string, { keyKind: Resolved['kind']; keyNode: Node | null; value: Node | null }>();
    const mapping = this.follow(node);
    if (!mapping || !isMap(mapping)) return out;
    for (const pair of mapping.items) {
      const keyNode = pair.key as Node | null;
      const value = pair.value as Node | null;
      if (isMergeKey(keyNode)) {
        this.merge(value, out);
        continue;
      }
      const key = this.resolve(keyNode);
      if (key.kind === 'list' || key.kind === 'mapping' || key.kind === 'null') continue; // refused by checkJsonable
      const name = key.kind === 'string' ? key.value : key.kind === 'bool' ? String(key.value) : `\u0000number`;
      out.set(name, { keyKind: key.kind, keyNode, value });
    }
    return out;
  }

  private merge(value: Node | null, into: Map<string, { keyKind: Resolved['kind']; keyNode: Node | null; value: Node | null }>): void {
    const source = this.resolve(value);
    const sources =
      source.kind === 'mapping' ? [source.node] : source.kind === 'list' ? [...(source.node as { items: Node[] }).items].reverse() : [];
    if (sources.length === 0 && source.kind !== 'list') {
      throw this.fail(source.node, 'has a << merge key whose value is not a mapping or a list of mappings');
    }
    for (const item of sources) {
      const resolved = this.resolve(item);
      // Earlier mappings of the list take precedence: they are merged last.
      if (resolved.kind !== 'mapping')
        throw this.fail(resolved.node, 'has a << merge key whose value is not a mapping or a list of mappings');
      for (const [key, pair] of this.pairsOf(resolved.node)) into.set(key, pair);
    }
  }

  /** What json.Marshal would refuse anywhere in the document: .inf/.nan, and keys that are null, lists or mappings. */
  private checkJsonable(node: Node | null, path: string): void {
    const value = this.resolve(node);
    if (value.kind === 'number' && !value.finite) {
      throw this.fail(value.node, `${path || 'the document'} is .inf or .nan, which kubectl cannot read`, 'put the value in quotes');
    }
    if (value.kind === 'list') {
      for (const [i, item] of (value.node as { items: (Node | null)[] }).items.entries()) this.checkJsonable(item, `${path}[${i}]`);
    }
    if (value.kind === 'mapping') {
      for (const pair of (this.follow(value.node) as { items: unknown[] }).items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        let name = '<<';
        if (!isMergeKey(keyNode)) {
          const key = this.resolve(keyNode);
          if (key.kind === 'null' || key.kind === 'list' || key.kind === 'mapping' || (key.kind === 'number' && !key.finite)) {
            throw this.fail(
              key.node ?? value.node,
              `${path || 'the document'} has a key that is ${describeKind(key.kind)}`,
              'kubectl refuses the file too',
            );
          }
          name = key.kind === 'string' ? key.value : String((keyNode as Scalar).source);
        }
        this.checkJsonable(pair.value as Node | null, path === '' ? name : `${path}.${name}`);
      }
    }
  }

  /** A value as plain data (an extension's content). */
  private toPlain(value: Resolved): unknown {
    switch (value.kind) {
      case 'null':
        return null;
      case 'bool':
      case 'string':
        return value.value;
      case 'number':
        return goNumber(String((value.node as Scalar).source));
      case 'list':
        return (value.node as { items: (Node | null)[] }).items.map((item) => this.toPlain(this.resolve(item)));
      case 'mapping': {
        const out: Record<string, unknown> = {};
        for (const [key, pair] of this.pairsOf(value.node)) out[key] = this.toPlain(this.resolve(pair.value));
        return out;
      }
    }
  }

  private follow(node: Node | null | undefined): Node | null {
    let current = node ?? null;
    while (current && isAlias(current)) {
      if (++this.aliases > MAX_ALIAS_EXPANSIONS) {
        throw this.fail(current, `expands more than ${MAX_ALIAS_EXPANSIONS} aliases`, 'kubectl refuses excessive aliasing too');
      }
      const target = this.aliasTargets.get(current);
      if (!target) throw this.fail(current, 'has an alias to an unknown anchor');
      current = target;
    }
    return current;
  }

  private resolve(node: Node | null | undefined): Resolved {
    const target = this.follow(node);
    if (target === null) return { kind: 'null', node: null };
    if (isMap(target)) return { kind: 'mapping', node: target };
    if (isSeq(target)) return { kind: 'list', node: target };
    if (!isScalar(target)) throw this.fail(target, 'has a value rds-migrate cannot read');
    return this.resolveScalar(target);
  }

  /** go-yaml v2's resolve(): quoted and block scalars are strings; plain ones may be null, booleans or numbers. */
  private resolveScalar(node: Scalar): Resolved {
    const text = String(node.source ?? node.value ?? '');
    const tag = node.tag ? shortTag(node.tag) : '';
    if (tag === '') {
      if (node.type !== 'PLAIN') return { kind: 'string', value: text, node };
      return typed(resolvePlain(text), text, node);
    }
    if (tag === '!!str') return { kind: 'string', value: text, node };
    if (tag === '!!binary') {
      const bytes = decodeGoBase64(text);
      if (bytes === undefined) throw this.fail(node, 'has a !!binary value that is not valid base64');
      return { kind: 'string', value: bytes.toString('utf8'), node };
    }
    const wanted = { '!!bool': 'bool', '!!int': 'int', '!!float': 'float', '!!null': 'null', '!!timestamp': 'timestamp' }[tag];
    // Any other tag (a local `!foo`, `!`, `!!map` on a scalar): go-yaml keeps the text as a string.
    if (wanted === undefined) return { kind: 'string', value: text, node };
    const resolved = resolvePlain(text);
    const timestamp = /^[0-9]{4}-/.test(text);
    const fits =
      resolved.kind === wanted ||
      (wanted === 'float' && resolved.kind === 'int') ||
      (wanted === 'timestamp' && timestamp && resolved.kind === 'string');
    if (!fits) throw this.fail(node, `has a value that is not a ${tag}`, 'kubectl refuses the file too');
    return typed(resolved, text, node);
  }

  private typeError(value: Resolved, where: Where, want: string, goType: string): UsageError {
    const fix =
      goType === 'string' && (value.kind === 'number' || value.kind === 'bool')
        ? '; put the value in quotes'
        : goType === 'bool' && value.kind === 'string'
          ? '; write true or false without quotes'
          : '';
    return this.fail(
      value.node,
      `${this.named(where)} must be ${want}, not ${describeKind(value.kind)}`,
      `kubectl refuses the file too (cannot unmarshal ${jsonKind(value.kind)} into ${where.field} of type ${goType})${fix}`,
    );
  }

  private named(where: Where): string {
    return where.entry ? `${where.shown} (${where.entry})` : where.shown;
  }

  private lineOf(node: Node | null | undefined): number {
    const offset = node?.range?.[0];
    return offset === undefined ? 0 : this.lines.linePos(offset).line;
  }

  private fail(node: Node | null | undefined, what: string, hint?: string): UsageError {
    const line = this.lineOf(node);
    return new UsageError(`kubeconfig "${this.path}"${line > 0 ? `, line ${line}` : ''}: ${what}`, hint);
  }
}

type PlainKind = { kind: 'null' } | { kind: 'bool'; value: boolean } | { kind: 'int' | 'float'; finite: boolean } | { kind: 'string' };

function typed(plain: PlainKind, text: string, node: Node): Resolved {
  if (plain.kind === 'null') return { kind: 'null', node };
  if (plain.kind === 'bool') return { kind: 'bool', value: plain.value, node };
  if (plain.kind === 'string') return { kind: 'string', value: text, node };
  return { kind: 'number', finite: plain.finite, node };
}

const PLAIN_VALUES = new Map<string, PlainKind>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'])
  PLAIN_VALUES.set(s, { kind: 'bool', value: true });
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'])
  PLAIN_VALUES.set(s, { kind: 'bool', value: false });
for (const s of ['', '~', 'null', 'Null', 'NULL']) PLAIN_VALUES.set(s, { kind: 'null' });
for (const s of ['.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF']) {
  PLAIN_VALUES.set(s, { kind: 'float', finite: false });
}

/** A Go integer literal as strconv.ParseInt(s, 0, 64) reads it (any size: go-yaml falls back to big.Int). */
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** The type go-yaml v2 gives an untagged plain scalar (resolve.go). */
export function resolvePlain(text: string): PlainKind {
  const known = PLAIN_VALUES.get(text);
  if (known) return known;
  const first = text[0] ?? '';
  if (first === '.') {
    // strconv.ParseFloat on the text as written (no underscores there).
    return /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(text) && Number.isFinite(Number(text))
      ? { kind: 'float', finite: true }
      : { kind: 'string' };
  }
  if (!/[-+0-9]/.test(first)) return { kind: 'string' };
  // Timestamps (2001-12-14) stay strings as written; none of them is also a number.
  const plain = text.replaceAll('_', '');
  if (GO_INT.test(plain)) return { kind: 'int', finite: true };
  // A float that overflows fails ParseFloat and stays a string, as in go-yaml.
  if (YAML_FLOAT.test(plain) && Number.isFinite(Number(plain))) return { kind: 'float', finite: true };
  return { kind: 'string' };
}

/**
 * encoding/json's []byte: base64.StdEncoding, padding required, CR and LF ignored; undefined when
 * the text is not that (Node's own decoder would skip what it cannot read, silently).
 */
export function decodeGoBase64(text: string): Buffer | undefined {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined;
  return Buffer.from(clean, 'base64');
}

/** The value of a number go-yaml read (an extension's content only). */
function goNumber(text: string): number {
  const plain = text.replaceAll('_', '');
  const sign = plain.startsWith('-') ? -1 : 1;
  const digits = plain.replace(/^[-+]/, '');
  if (/^0[0-7]+$/.test(digits)) return sign * Number.parseInt(digits, 8);
  return sign * Number(digits);
}

function isMergeKey(node: Node | null): boolean {
  return node !== null && isScalar(node) && node.type === 'PLAIN' && !node.tag && node.source === '<<';
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

function describeKind(kind: Resolved['kind']): string {
  return { null: 'null', bool: 'a boolean', number: 'a number', string: 'a string', list: 'a list', mapping: 'a mapping' }[kind];
}

function jsonKind(kind: Resolved['kind']): string {
  return { null: 'null', bool: 'bool', number: 'number', string: 'string', list: 'array', mapping: 'object' }[kind];
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
