// Bundles the CLI and the device benchmark for a machine without npm: every JavaScript
// package is inlined; webgpu (its dawn.node) and parquet-wasm (its .wasm file) stay
// external and travel as files beside the bundles.
// Usage: node bench/gpu/bundle.mjs OUT_FOLDER
import { build } from 'esbuild';

const out = process.argv[2];
if (!out) {
  console.error('usage: node bench/gpu/bundle.mjs OUT_FOLDER');
  process.exit(2);
}
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu', 'parquet-wasm', 'parquet-wasm/*', '@duckdb/node-api'],
  loader: { '.wgsl': 'text' },
  // Inlined CommonJS packages call require(); ESM output needs one made for it.
  banner: { js: "import { createRequire as geomaskCreateRequire } from 'node:module'; const require = geomaskCreateRequire(import.meta.url);" },
  logLevel: 'warning',
};
await build({ ...common, entryPoints: ['bench/gpu/cli_entry.ts'], outfile: `${out}/cli.mjs` });
await build({ ...common, entryPoints: ['bench/gpu/device.bench.ts'], outfile: `${out}/device.mjs` });
