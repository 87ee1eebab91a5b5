// The ora spinner on stderr, or a no-op when stderr is not a terminal it can draw on or the
// output is machine-readable.
import type { Context, OutputStream, Spinner } from '../context.js';
import { truncateText } from '../domain/sanitize.js';

const NO_SPINNER: Spinner = { start() {}, update() {}, stop() {} };

/**
 * Narrowest terminal the spinner draws on. ora counts the lines to clear as text width / columns:
 * a pseudo-terminal that reports 0 columns (`script`, containers with `tty: true`) made that
 * infinite, and ora wrote cursor-up sequences in a synchronous loop that not even SIGTERM broke.
 */
const MIN_COLUMNS = 20;

/** Whether a spinner can be drawn on `stream`: a terminal with a known width, not `dumb`, not CI. */
export function canAnimate(stream: OutputStream, env: Context['env']): boolean {
  return (
    stream.isTTY === true &&
    Number.isInteger(stream.columns) &&
    (stream.columns ?? 0) >= MIN_COLUMNS &&
    env.TERM !== 'dumb' &&
    env.CI === undefined
  );
}

/**
 * A spinner writing to ctx.stderr when `enabled` and stderr can show one (canAnimate), else one
 * that does nothing; `color: false` (NO_COLOR, --color never) leaves its frames uncoloured.
 */
export async function createSpinner(ctx: Context, enabled: boolean, { color }: { color: boolean }): Promise<Spinner> {
  const stream = ctx.stderr;
  if (!enabled || !canAnimate(stream, ctx.env)) return NO_SPINNER;
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: stream as NodeJS.WritableStream, discardStdin: false, isEnabled: true, color: color ? 'cyan' : false });
  // One line, always: the frame, a space and the text cut to the width.
  const oneLine = (text: string): string => truncateText(text, (stream.columns ?? MIN_COLUMNS) - 3);
  let shown = '';
  // A terminal resized below the minimum mid-run loses its spinner rather than hang on it.
  const onResize = (): void => {
    if (!canAnimate(stream, ctx.env)) spinner.stop();
    else spinner.text = oneLine(shown);
  };
  const events = stream as Partial<Pick<NodeJS.WriteStream, 'on' | 'off'>>;
  return {
    start: (text) => {
      events.on?.('resize', onResize);
      shown = text;
      spinner.start(oneLine(text));
    },
    update: (text) => {
      shown = text;
      if (spinner.isSpinning) spinner.text = oneLine(text);
    },
    stop: () => {
      events.off?.('resize', onResize);
      spinner.stop();
    },
  };
}
