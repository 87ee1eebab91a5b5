/** The package version, inlined by the esbuild bundle (scripts/build.mjs). */
declare const __VERSION__: string;

/** Shell scripts, inlined as text by the esbuild bundle (scripts/build.mjs). */
declare module '*.bash' {
  const text: string;
  export default text;
}
declare module '*.zsh' {
  const text: string;
  export default text;
}
declare module '*.fish' {
  const text: string;
  export default text;
}
