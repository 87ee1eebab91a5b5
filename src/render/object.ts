// A Kubernetes object as kubectl prints it with -o json|yaml.
import { toJson } from './document.js';
import { toYaml } from './yaml.js';

/** JSON (2-space indent) or YAML of an object, with a newline at the end; read alike by YAML 1.1 and 1.2 readers. */
export function renderObject(object: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? toJson(object) : toYaml(object);
}
