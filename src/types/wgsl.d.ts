/** WGSL shader sources are imported as text (esbuild's text loader, a Vite/Vitest plugin). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}
