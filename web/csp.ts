import { createHash } from 'node:crypto';
import { REPORT_STYLE } from '../src/evaluate/report_style.js';

/** Returns the CSP source that allows one inline <style> element by the SHA-256 hash of its text. */
function styleHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Returns the page's Content-Security-Policy. Scripts, the worker and styles load only from
 * the page's own origin and nothing may connect anywhere. The development server adds
 * connect-src 'self' for Vite's reload socket.
 *
 * Two sources go beyond 'self'. 'wasm-unsafe-eval' lets the worker compile parquet-wasm
 * from bytes bundled in a script chunk (the policy allows no fetch, so it cannot be
 * fetched), and allows no JavaScript eval. The evaluator's HTML report is shown in a
 * sandboxed srcdoc frame, which inherits this policy. The style hash allows the report's
 * one inline style sheet and nothing else inline.
 */
export function contentSecurityPolicy(mode: 'build' | 'serve'): string {
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `style-src 'self' ${styleHash(REPORT_STYLE)}`,
    "img-src 'self' data: blob:",
    mode === 'serve' ? "connect-src 'self'" : "connect-src 'none'",
    "font-src 'none'",
    "object-src 'none'",
    "media-src 'none'",
    "manifest-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
