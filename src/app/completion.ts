// `completion bash|zsh|fish`: the scripts, and the cluster and kubeconfig look-ups behind the
// hidden `__complete` command (src/cli/completion.ts plans what to complete).
import type { Context } from '../context.js';
import { configPaths, mergeKubeConfigs } from '../kube/config.js';
import { openGateway } from '../kube/gateway.js';
// Each script hands the words typed so far to `<program> __complete` and turns its answer
// (cobra's protocol: candidates, then `:<directive>`; bit 2 = no space, bit 4 = no file
// completion) into the shell's candidates. esbuild inlines them as text (scripts/build.mjs).
import BASH from './shell/completion.bash';
import FISH from './shell/completion.fish';
import ZSH from './shell/completion.zsh';

export type Shell = 'bash' | 'zsh' | 'fish';

/** What a look-up lists: PVC names (in -n's namespace, else the context's), namespaces, nodes, kubeconfig contexts. */
export type LookupKind = 'pvcs' | 'namespaces' | 'nodes' | 'contexts';

/** A look-up with the connection flags typed so far on the command line. */
export interface CompletionLookup {
  kind: LookupKind;
  kubeconfig: string | undefined;
  context: string | undefined;
  namespace: string | undefined;
}

/**
 * How long a look-up may take: a shell waits for the answer, so a slow or unreachable
 * cluster must cost a moment, not the request timeout.
 */
export const LOOKUP_TIMEOUT_MS = 450;

/** The names a look-up finds; throws on any failure (the caller answers nothing then). */
export async function lookupNames(lookup: CompletionLookup, ctx: Context): Promise<string[]> {
  if (lookup.kind === 'contexts') {
    const config = await mergeKubeConfigs(await configPaths({ kubeconfigFlag: lookup.kubeconfig, env: ctx.env }), ctx.signal);
    return config.contexts.map((c) => c.name);
  }
  const gateway = await openGateway(ctx, {
    kubeconfig: lookup.kubeconfig,
    context: lookup.context,
    namespace: lookup.namespace,
    requestTimeoutSeconds: LOOKUP_TIMEOUT_MS / 1000,
  });
  try {
    if (lookup.kind === 'pvcs') return await gateway.listNames('persistentvolumeclaims', gateway.namespace);
    return await gateway.listNames(lookup.kind);
  } finally {
    gateway.close();
  }
}

/** Writes the completion script of a shell for the `rds-migrate` command. */
export function runCompletion(shell: Shell, ctx: Context): number {
  ctx.stdout.write(SCRIPTS[shell]);
  return 0;
}

const SCRIPTS: Readonly<Record<Shell, string>> = { bash: BASH, zsh: ZSH, fish: FISH };
