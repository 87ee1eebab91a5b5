// Legacy discovery documents (/version, /api, /api/v1, /apis, /apis/<group>[/<version>]).

import type { ResourceDef } from './resources.js';
import { apiGroups, resources } from './resources.js';

export function versionInfo(serverVersion: string): object {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(serverVersion);
  const major = m?.[1] ?? '1';
  const minor = m?.[2] ?? '31';
  const patch = m?.[3] ?? '0';
  return {
    major,
    minor,
    gitVersion: `v${major}.${minor}.${patch}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-01-01T00:00:00Z',
    goVersion: 'go1.22.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(hostPort: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: hostPort }],
  };
}

function groupDoc(name: string, version: string): object {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

/** Whether a group is served: every group, except the optional ones (KubeVirt) unless enabled. */
export type GroupFilter = (group: string) => boolean;

export function apiGroupList(served: GroupFilter): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: apiGroups.filter((g) => served(g.name)).map((g) => groupDoc(g.name, g.version)),
  };
}

export function apiGroup(name: string, served: GroupFilter): object | undefined {
  if (!served(name)) return undefined;
  const group = apiGroups.find((g) => g.name === name);
  return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group.name, group.version) } : undefined;
}

function resourceEntry(r: ResourceDef): object {
  const entry: Record<string, unknown> = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames) entry.shortNames = r.shortNames;
  if (r.categories) entry.categories = r.categories;
  return entry;
}

/** APIResourceList of a group version, or undefined when not served. */
export function apiResourceList(group: string, version: string, served: GroupFilter): object | undefined {
  if (!served(group)) return undefined;
  const list = resources.filter((r) => r.group === group && r.version === version);
  if (list.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: list.map(resourceEntry),
  };
}
