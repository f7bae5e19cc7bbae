/**
 * A Vite plugin that loads .wgsl files as text, as esbuild's text loader does for the
 * CLI bundle. The tests (vitest) and the browser page (Vite) both use it.
 */
export const wgslAsText = {
  name: 'wgsl-as-text',
  transform(code: string, id: string) {
    if (!id.endsWith('.wgsl')) return undefined;
    return { code: `export default ${JSON.stringify(code)};`, map: null };
  },
};
