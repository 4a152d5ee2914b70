/**
 * The `lockscope://app/` scheme's handler: the built renderer's files (build/renderer) and
 * nothing else — no directory listing, no path outside it, no other host — each with the same
 * Content-Security-Policy `lockscope serve` sends. main.ts registers it with protocol.handle.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { RENDERER_HEADERS as HEADERS, RENDERER_TYPES as TYPES } from '../node/renderer-files.js';
import { APP_HOST, APP_SCHEME } from './app-origin.js';

function answer(status: number, type: string, body: Uint8Array | string): Response {
  return new Response(status === 200 ? body : status === 405 ? 'method not allowed' : 'not found', { status, headers: { ...HEADERS, 'content-type': type } });
}

/**
 * The file under `rendererDir` a URL names, or undefined when it names none that may be served
 * (another scheme or host, `..`, an encoded separator or NUL, an unknown type).
 */
export function appFileFor(rendererDir: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username !== '' || u.password !== '') {
    return undefined;
  }
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..')) {
    return undefined;
  }
  const rel = path === '/' || path === '' ? 'index.html' : normalize(path).replace(/^[/\\]+/, '');
  const file = join(rendererDir, rel);
  if (!file.startsWith(rendererDir + sep) || TYPES[extname(file)] === undefined) {
    return undefined;
  }
  return file;
}

export async function serveAppRequest(rendererDir: string, req: { readonly url: string; readonly method: string }): Promise<Response> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return answer(405, 'text/plain', '');
  }
  const file = appFileFor(rendererDir, req.url);
  const type = file === undefined ? undefined : TYPES[extname(file)];
  if (file === undefined || type === undefined) {
    return answer(404, 'text/plain', '');
  }
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch {
    return answer(404, 'text/plain', '');
  }
  return answer(200, type, new Uint8Array(data));
}
