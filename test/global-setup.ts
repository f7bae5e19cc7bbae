import { execFileSync } from 'node:child_process';

/** Builds dist/cli.js once, so the CLI tests run the code under test. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
