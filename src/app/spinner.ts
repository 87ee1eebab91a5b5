// The ora spinner on stderr, or a no-op when stderr is not a terminal or the
// output is machine-readable (SPEC §3.3, §5).
import type { Context, Spinner } from '../context.js';

const NO_SPINNER: Spinner = { start() {}, update() {}, stop() {} };

/** A spinner writing to ctx.stderr when `enabled`, else one that does nothing. */
export async function createSpinner(ctx: Context, enabled: boolean): Promise<Spinner> {
  if (!enabled) return NO_SPINNER;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: ctx.stderr as NodeJS.WritableStream, discardStdin: false });
  return {
    start: (text) => void spinner.start(text),
    update: (text) => {
      spinner.text = text;
    },
    stop: () => void spinner.stop(),
  };
}
