// @kubernetes/client-node, for the legacy auth providers only (auth.ts). Built into a file of
// its own (dist/client-node.cjs, ~1 MB) that nothing else loads.
export { KubeConfig } from '@kubernetes/client-node';
