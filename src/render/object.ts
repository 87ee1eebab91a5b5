// A Kubernetes object as kubectl prints it with -o json|yaml.
import { stringify } from 'yaml';

/** JSON (2-space indent) or YAML of an object, with a newline at the end. */
export function renderObject(object: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(object, null, 2)}\n`;
  return stringify(object, { lineWidth: 0 });
}
