import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readPlainYaml } from '../../../src/kube/plain-yaml.js';

// Written by `kind` / `kubectl config` (Go yaml: sequences at the key's indentation).
const KUBECTL_STYLE = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    namespace: vms-prod
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=
`;

// `aws eks update-kubeconfig`: an exec plugin with options, env and booleans; names with colons.
const EKS_STYLE = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://ABCDEF0123456789.gr7.eu-west-1.eks.amazonaws.com
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
contexts:
- context:
    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod
    user: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
current-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod
kind: Config
preferences: {}
users:
- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - eu-west-1
      - eks
      - get-token
      - --cluster-name
      - prod
      command: aws
      env:
      - name: AWS_PROFILE
        value: prod
      interactiveMode: IfAvailable
      provideClusterInfo: false
`;

// Hand-written: indented sequences, quoted values, comments, null and empty values.
const HAND_WRITTEN = `# rds-migrate test cluster
apiVersion: "v1"
kind: 'Config'
clusters:
  - name: lab
    cluster:
      server: "https://rds-lab.example:6443"
      insecure-skip-tls-verify: true
      # tls-server-name: lab
contexts:
  -   name: lab
      context:
        cluster: lab
        user: admin
        namespace:
users:
  - name: admin
    user:
      token: "abc.def-ghi_jkl"
      username: ~
current-context: lab
extensions: []
`;

const FIXTURES = { KUBECTL_STYLE, EKS_STYLE, HAND_WRITTEN };

describe('readPlainYaml', () => {
  it.each(Object.entries(FIXTURES))('reads the %s kubeconfig exactly as the yaml library does', (_name, text) => {
    const fast = readPlainYaml(text);
    expect(fast).not.toBeUndefined();
    expect(fast).toStrictEqual(parse(text));
  });

  it.each([
    ['an anchor and alias', 'a: &x foo\nb: *x\n'],
    ['a flow mapping', 'a: {b: c}\n'],
    ['a flow sequence', 'args: [--region, eu-west-1]\n'],
    ['a block scalar', 'a: |\n  line\n'],
    ['a folded multi-line plain scalar', 'installHint: Install the plugin\n  by following the docs\n'],
    ['an escape in double quotes', 'a: "x\\ty"\n'],
    ['a doubled single quote', "a: 'it''s'\n"],
    ['a number', 'port: 6443\n'],
    ['a negative number', 'a: -1\n'],
    ['a float-looking word', 'a: .inf\n'],
    ['a tag', 'a: !!str 5\n'],
    ['a comment after a value', 'a: b # note\n'],
    ['a tab', 'a:\tb\n'],
    ['CRLF line ends', 'a: b\r\nc: d\r\n'],
    ['a byte order mark', '\ufeffa: b\n'],
    ['non-ASCII text', 'a: café\n'],
    ['a duplicate key', 'a: b\na: c\n'],
    ['a document marker', '---\na: b\n'],
    ['a quoted key', '"a": b\n'],
    ['a key that is a boolean', 'true: b\n'],
    ['the __proto__ key', '__proto__: b\n'],
    ['a bare scalar document', 'hello\n'],
    ['an empty document', '# nothing\n'],
    ['a mapping after a sequence at one level', '- a\nb: c\n'],
    ['a nested sequence entry', '- - a\n'],
    ['an empty entry', '-\n  a: b\n'],
    ['an indented root', '  a: b\n'],
    ['a dedent to no level', 'a:\n    b: c\n  d: e\n'],
  ])('leaves %s to the yaml library', (_name, text) => {
    expect(readPlainYaml(text)).toBeUndefined();
  });

  // Whatever it accepts, yaml.parse accepts too and reads the same way.
  const agreesWithYaml = (text: string): void => {
    const fast = readPlainYaml(text);
    if (fast === undefined) return;
    expect(fast).toStrictEqual(parse(text));
  };

  it('agrees with the yaml library on every edit of the fixtures it accepts', () => {
    const alphabet = [
      ' ',
      '  ',
      '\n',
      '-',
      '- ',
      ':',
      ': ',
      '#',
      ' #',
      "'",
      '"',
      '{}',
      '[]',
      '{',
      ']',
      '&a',
      '*a',
      '|',
      '>',
      '~',
      'a',
      'Z',
      '1',
      '.5',
      'true',
      'null',
      '--x',
      '?',
      '!',
      '%',
      ',',
      '\\',
      '@',
    ];
    const fixture = fc.constantFrom(...Object.values(FIXTURES));
    const edit = fc.record({ at: fc.nat(), cut: fc.nat({ max: 6 }), insert: fc.array(fc.constantFrom(...alphabet), { maxLength: 3 }) });
    fc.assert(
      fc.property(fixture, fc.array(edit, { minLength: 1, maxLength: 4 }), (text, edits) => {
        let t = text;
        for (const e of edits) {
          const at = e.at % (t.length + 1);
          t = t.slice(0, at) + e.insert.join('') + t.slice(at + e.cut);
        }
        agreesWithYaml(t);
      }),
      { numRuns: 4000 },
    );
  });

  it('agrees with the yaml library on documents it writes', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 _.:/@#'"~-]{0,12}$/);
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/);
    const leaf = fc.oneof(word, fc.boolean(), fc.constant(null), fc.integer(), fc.constant({}), fc.constant([]));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('map'), tie('list')),
      map: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      list: fc.array(tie('tree'), { maxLength: 4 }),
    }));
    const root = fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 });
    fc.assert(
      fc.property(
        root,
        fc.boolean(),
        fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'>,
        (doc, indentSeq, defaultStringType) => {
          agreesWithYaml(stringify(doc, { indentSeq, defaultStringType }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('reads what the yaml library writes for string-only kubeconfigs in either sequence style', () => {
    const config = parse(KUBECTL_STYLE) as unknown;
    for (const indentSeq of [true, false]) expect(readPlainYaml(stringify(config, { indentSeq }))).toStrictEqual(config);
  });
});
