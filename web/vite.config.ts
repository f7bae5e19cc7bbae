import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { wgslAsText } from '../scripts/wgsl_text_plugin.js';
import { bytesAsBase64 } from './base64_plugin.js';
import { contentSecurityPolicy } from './csp.js';

const repository = fileURLToPath(new URL('..', import.meta.url));

/** Writes the policy into the page as a meta tag, so any static host enforces it. */
function policyMetaTag(mode: 'build' | 'serve'): Plugin {
  return {
    name: 'content-security-policy',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(mode) }, injectTo: 'head-prepend' }],
  };
}

/** Fails the bundle when browser code reaches a Node built-in module. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source.startsWith('node:')) this.error(`${importer ?? 'the page'} imports ${source}, which browsers do not have; keep Node code under src/node or src/cli`);
    return null;
  },
};

const PARQUET_WASM_URL = "new URL('parquet_wasm_bg.wasm', import.meta.url)";

/**
 * Removes the default location of parquet-wasm's WebAssembly from its ESM glue. That
 * reference makes Vite copy the 5 MB .wasm file into the build, but the page never
 * fetches it: src/web/parquet_module.ts passes the bundled bytes to the glue instead.
 */
const noParquetWasmUrl: Plugin = {
  name: 'no-parquet-wasm-url',
  transform(code, id) {
    if (!id.replaceAll('\\', '/').endsWith('/parquet-wasm/esm/parquet_wasm.js')) return null;
    if (!code.includes(PARQUET_WASM_URL)) this.error(`parquet-wasm's glue no longer contains ${PARQUET_WASM_URL}; update this plugin for the installed version`);
    return { code: code.replace(PARQUET_WASM_URL, 'undefined'), map: null };
  },
};

// The device code loads Dawn's Node bindings ("webgpu") only on Node without navigator.gpu,
// which a page never is. The alias keeps that native module out of the bundle.
const resolve = { alias: { webgpu: fileURLToPath(new URL('../src/web/no_node_webgpu.ts', import.meta.url)) } };

export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  plugins: [noNodeBuiltins, wgslAsText, bytesAsBase64, noParquetWasmUrl, policyMetaTag(command)],
  resolve,
  worker: { format: 'es', plugins: () => [noNodeBuiltins, wgslAsText, bytesAsBase64, noParquetWasmUrl] },
  // No import leads from index.html to the worker, so the development server would find
  // the worker's packages late and reload the page. Scanning the worker up front avoids that.
  optimizeDeps: { entries: ['index.html', '../src/web/worker.ts'] },
  server: {
    host: '127.0.0.1',
    port: 5173,
    headers: { 'Content-Security-Policy': contentSecurityPolicy('serve') },
    fs: { allow: [repository] },
  },
  preview: {
    host: '127.0.0.1',
    port: 4173,
    headers: { 'Content-Security-Policy': contentSecurityPolicy('build') },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    modulePreload: { polyfill: false },
    sourcemap: true,
    // The worker (Vega, Arrow) and parquet-wasm's base64 chunk are larger than Vite's
    // 500 kB default. Both load in the worker, and the second only for Parquet files.
    chunkSizeWarningLimit: 7_000,
    // Vite bundles the worker inside one plugin hook (vite:worker-import-meta-url), which
    // Rolldown then reports as most of the build time. The report has nothing to act on.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
}));
