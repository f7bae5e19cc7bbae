import { readFile } from 'node:fs/promises';
import type { Plugin } from 'vite';

const QUERY = '?base64';

/**
 * A Vite plugin that loads a file imported with the `?base64` query as a module whose
 * default export is the file's bytes in base64. The page bundles parquet-wasm's
 * WebAssembly this way because its policy forbids fetching even its own files.
 */
export const bytesAsBase64: Plugin = {
  name: 'bytes-as-base64',
  enforce: 'pre',
  async load(id) {
    if (!id.endsWith(QUERY)) return null;
    const path = id.slice(0, -QUERY.length);
    this.addWatchFile(path);
    // An empty source map keeps a second copy of the bytes out of the build's .map files.
    return { code: `export default ${JSON.stringify((await readFile(path)).toString('base64'))};`, map: { mappings: '' } };
  },
};
