import { Chalk } from 'chalk';

/** The few styles the renderers use: colour for severity and outcome only. */
export interface Palette {
  red: (s: string) => string;
  yellow: (s: string) => string;
  green: (s: string) => string;
  cyan: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

const identity = (s: string): string => s;

/** A palette that leaves text unchanged (no colour). */
export const plainPalette: Palette = {
  red: identity,
  yellow: identity,
  green: identity,
  cyan: identity,
  dim: identity,
  bold: identity,
};

/** Builds a palette on its own chalk instance (basic 16 colours when enabled, none otherwise). */
export function createPalette(enabled: boolean): Palette {
  if (!enabled) return plainPalette;
  const chalk = new Chalk({ level: 1 });
  return {
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
    green: (s) => chalk.green(s),
    cyan: (s) => chalk.cyan(s),
    dim: (s) => chalk.dim(s),
    bold: (s) => chalk.bold(s),
  };
}
