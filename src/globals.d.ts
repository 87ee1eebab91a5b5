/** The package version, inlined by the esbuild bundle (scripts/build.mjs). */
declare const __VERSION__: string;
