// Bundles and runs a benchmark from bench/ (WGSL inlined as text, as in the CLI build).
// Usage: npm run bench -- NAME [options]   e.g. npm run bench -- operators --rows 1000000
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const [name, ...options] = process.argv.slice(2);
const entry = `bench/${name}.bench.ts`;
if (!name || !existsSync(entry)) {
  console.error(`usage: npm run bench -- NAME [options], with bench/NAME.bench.ts; got ${name ?? 'nothing'}`);
  process.exit(2);
}
const outfile = `bench/out/${name}.mjs`;
await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', loader: { '.wgsl': 'text' }, logLevel: 'warning' });
const result = spawnSync(process.execPath, ['--max-old-space-size=8192', outfile, ...options], { stdio: 'inherit', env: { XDG_RUNTIME_DIR: '/tmp', ...process.env } });
process.exit(result.status ?? 1);
