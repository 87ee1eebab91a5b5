// The yaml parser for kubeconfigs the plain reader leaves alone. A module of ours, imported on
// demand: a dynamic import of the yaml package itself, which is CommonJS, would only offer
// `default` once esbuild has bundled it.
export { parse } from 'yaml';
