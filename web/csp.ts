/**
 * Returns the page's Content-Security-Policy. Scripts, the worker and styles load only from
 * the page's own origin and nothing may connect anywhere. The development server adds
 * connect-src 'self' for Vite's reload socket.
 */
export function contentSecurityPolicy(mode: 'build' | 'serve'): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self'",
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
