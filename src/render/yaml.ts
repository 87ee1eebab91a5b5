// YAML output, in a module of its own: only `-o yaml` loads the yaml library.
import { Document, visit } from 'yaml';
import { escapeRawUnsafe, RAW_UNSAFE } from './document.js';

/** One YAML document that YAML 1.1 and 1.2 readers read alike, lines never folded; terminal-active characters are escaped in double quotes. */
export function toYaml(value: unknown): string {
  // A string that either YAML 1.1 (kubectl's go-yaml, PyYAML: `yes`, `1:20`, timestamps) or
  // YAML 1.2 (the yaml library, yq v4, js-yaml: `0o17`) would read as something else is quoted,
  // so that every reader reads every string as a string.
  const doc = new Document(value, { version: '1.1', compat: 'core' });
  // Strings holding such characters are forced into double quotes, where the yaml
  // library already escapes C0 (\e, \a, ...) and the \uXXXX escapes below are valid.
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && RAW_UNSAFE.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return escapeRawUnsafe(doc.toString({ lineWidth: 0 }));
}
