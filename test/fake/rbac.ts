// Allow-list RBAC for the fake: a request is allowed only when a PolicyRule allows it, as the
// real RBAC authorizer decides for a subject bound cluster-wide (ClusterRoleBinding) to those
// rules. Non-resource requests (discovery, /version, health) are allowed as the default
// ClusterRoles system:discovery and system:public-info-viewer allow them to every authenticated
// user. https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles

import { failure, StatusError } from './status.js';

/** A rule of a ClusterRole (rbac.authorization.k8s.io/v1 PolicyRule). */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** What the authorizer sees of a resource request (k8s.io/apiserver RequestInfo). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
}

/** The non-resource rules of system:discovery and system:public-info-viewer (bootstrap policy). */
export const DISCOVERY_RULES: readonly PolicyRule[] = [
  { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/'] },
  { verbs: ['get'], nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'] },
];

const has = (list: readonly string[] | undefined, value: string): boolean =>
  list !== undefined && (list.includes('*') || list.includes(value));

/** Whether one of `rules` allows the resource request (rbac/v1 RuleAllows). */
export function allowsResource(rules: readonly PolicyRule[], a: ResourceAttributes): boolean {
  const resource = a.subresource === undefined ? a.resource : `${a.resource}/${a.subresource}`;
  return rules.some((rule) => {
    if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.group)) return false;
    const resources = rule.resources ?? [];
    const resourceOk =
      resources.includes('*') || resources.includes(resource) || (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
    if (!resourceOk) return false;
    if (rule.resourceNames === undefined || rule.resourceNames.length === 0) return true;
    return a.name !== undefined && rule.resourceNames.includes(a.name);
  });
}

/** Whether one of `rules` allows a non-resource request (a `/x/*` pattern matches by prefix). */
export function allowsPath(rules: readonly PolicyRule[], verb: string, path: string): boolean {
  return rules.some(
    (rule) =>
      has(rule.verbs, verb) &&
      (rule.nonResourceURLs ?? []).some((pattern) =>
        pattern === '*' ? true : pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path,
      ),
  );
}

/** The API server's 403 for a non-resource path (`forbidden: User "x" cannot get path "/y"`). */
export function forbiddenPath(user: string, verb: string, path: string): StatusError {
  return new StatusError(failure(403, 'Forbidden', `forbidden: User "${user}" cannot ${verb} path "${path}"`, {}));
}
