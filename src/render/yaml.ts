// YAML output, in a module of its own: only `-o yaml` loads the yaml library (issue #5).
import { Document, visit } from 'yaml';
import { escapeRawUnsafe, RAW_UNSAFE } from './document.js';

/** One YAML document, lines never folded; terminal-active characters are escaped in double quotes. */
export function toYaml(value: unknown): string {
  // Emitted with YAML 1.1 quoting rules, like kubectl's output: strings such as
  // timestamps, "yes" or "on" are quoted, so 1.1 readers (PyYAML, go-yaml v2) keep them strings.
  const doc = new Document(value, { version: '1.1' });
  // Strings holding such characters are forced into double quotes, where the yaml
  // library already escapes C0 (\e, \a, ...) and the \uXXXX escapes below are valid.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && RAW_UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return escapeRawUnsafe(doc.toString({ lineWidth: 0 }));
}
