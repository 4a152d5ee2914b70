/**
 * How the built renderer's files are served, the same by `lockscope serve` (HTTP) and by the
 * desktop app's `lockscope://app/` scheme: which file types, and the headers every answer carries
 * (the Content-Security-Policy first among them).
 */

/** The renderer's Content-Security-Policy: no inline script, no remote anything. */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The file types served, by extension; any other file is not found. */
export const RENDERER_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Headers on every answer: nothing cached, no sniffing, no referrer, the CSP. */
export const RENDERER_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy': RENDERER_CSP,
} as const;
