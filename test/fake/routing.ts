// Maps a request path to a discovery document or a resource request.

import type { ResourceDef } from './resources.js';
import { findResource } from './resources.js';

export type Route =
  | { type: 'version' }
  | { type: 'health' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'resource'; def: ResourceDef; namespace?: string; name?: string; subresource?: string }
  | { type: 'notFound' };

export function route(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/version') return { type: 'version' };
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return { type: 'health' };
  if (path === '/api') return { type: 'api' };
  if (path === '/apis') return { type: 'apis' };
  const segments = path.split('/').slice(1).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 2) {
    group = '';
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length === 2) {
    return { type: 'group', group: segments[1]! };
  } else if (segments[0] === 'apis' && segments.length >= 3) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return { type: 'notFound' };
  }
  if (rest.length === 0) return { type: 'resourceList', group, version };

  // namespaces/<ns>/<plural>[/<name>[/<sub>]] is a namespaced resource; anything else is
  // <plural>[/<name>[/<sub>]] (namespaces/<name> included).
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const def = findResource(group, version, rest[2]!);
    if (!def?.namespaced || rest.length > 5) return { type: 'notFound' };
    return { type: 'resource', def, namespace: rest[1]!, name: rest[3], subresource: rest[4] };
  }
  const def = findResource(group, version, rest[0]!);
  if (!def || rest.length > 3) return { type: 'notFound' };
  // A namespaced resource is only listed (across namespaces) at the cluster path, never read by name.
  if (def.namespaced && rest.length > 1) return { type: 'notFound' };
  return { type: 'resource', def, name: rest[1], subresource: rest[2] };
}

/** The RBAC verb of a resource request. */
export function verbOf(method: string, hasName: boolean, query: Record<string, string>): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (query.watch === 'true' || query.watch === '1') return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
