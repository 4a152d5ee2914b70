/**
 * `lockscope serve`: the renderer and the engine over HTTP on loopback, for hosts without a
 * display and for the browser tests. The renderer is the same bundle Electron loads; only its
 * bridge module differs (renderer/src/bridge.ts).
 *
 * Who may call: the API needs the random token printed in the URL (header `x-lockscope-token`,
 * or `?token=` for the event stream, which EventSource cannot give headers to), compared in
 * constant time. The Host header must name the loopback address and port (a page elsewhere
 * cannot reach the API through DNS rebinding), and a request with an Origin must come from it.
 * Every argument is checked against the contract's schema before the engine sees it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { AppError } from '../../core/app/app-contract.js';
import { checkArgs, isAppMethod, MAX_UPLOAD_BASE64 } from '../../core/app/app-schemas.js';
import type { Engine } from '../engine/engine.js';
import { RENDERER_HEADERS, RENDERER_TYPES as TYPES } from '../renderer-files.js';

const MAX_BODY = MAX_UPLOAD_BASE64 + 4096;

export interface ServeOptions {
  readonly engine: Engine;
  /** build/renderer: index.html, app.js, app.css. */
  readonly rendererDir: string;
  readonly port: number;
  /** For tests; default: 16 random bytes. */
  readonly token?: string;
}

export interface Serving {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) {
    return false;
  }
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { ...RENDERER_HEADERS, 'content-type': type });
  res.end(body);
}

function sendError(res: ServerResponse, status: number, error: AppError): void {
  send(res, status, 'application/json', JSON.stringify({ ok: false, error }));
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', () => {
      resolve(undefined);
    });
  });
}

export function serve(o: ServeOptions): Promise<Serving> {
  const token = o.token ?? randomBytes(16).toString('hex');
  const streams = new Set<ServerResponse>();
  const unsubscribe = o.engine.onEvent((e) => {
    const frame = `event: ${e.name}\ndata: ${JSON.stringify(e.payload)}\n\n`;
    for (const s of streams) {
      s.write(frame);
    }
  });
  let port = o.port;
  const allowedHosts = (): readonly string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!allowedHosts().includes(req.headers.host ?? '')) {
      sendError(res, 421, { code: 'denied', message: `Host ${req.headers.host ?? '(none)'} is not this server; open the URL lockscope serve printed` });
      return;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().some((h) => origin === `http://${h}`)) {
      sendError(res, 403, { code: 'denied', message: `requests from ${origin} are not accepted` });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/api/events') {
      if (!sameToken(url.searchParams.get('token') ?? undefined, token)) {
        sendError(res, 401, { code: 'denied', message: 'wrong or missing token: open the URL lockscope serve printed' });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': lockscope\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      if (req.method !== 'POST') {
        sendError(res, 405, { code: 'bad_request', message: `${method}: use POST` });
        return;
      }
      const given = req.headers['x-lockscope-token'];
      if (!sameToken(typeof given === 'string' ? given : undefined, token)) {
        sendError(res, 401, { code: 'denied', message: 'wrong or missing token: open the URL lockscope serve printed' });
        return;
      }
      if (!isAppMethod(method)) {
        sendError(res, 404, { code: 'bad_request', message: `no method ${method.slice(0, 64)}` });
        return;
      }
      const body = await readBody(req);
      if (body === undefined) {
        sendError(res, 413, { code: 'bad_request', message: `${method}: the request is larger than ${MAX_BODY} bytes` });
        return;
      }
      let raw: unknown;
      try {
        raw = body === '' ? {} : JSON.parse(body);
      } catch {
        sendError(res, 400, { code: 'bad_request', message: `${method}: the body is not JSON` });
        return;
      }
      const args = checkArgs(method, raw);
      if (!args.ok) {
        sendError(res, 400, args.error);
        return;
      }
      const result = await (o.engine[method] as (a: unknown) => Promise<unknown>)(args.value);
      send(res, 200, 'application/json', JSON.stringify(result));
      return;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, { code: 'bad_request', message: 'only GET for files' });
      return;
    }
    const rel = url.pathname === '/' ? 'index.html' : normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '');
    const file = join(o.rendererDir, rel);
    const type = TYPES[extname(file)];
    if (!file.startsWith(o.rendererDir + sep) || rel.split(/[/\\]/).includes('..') || type === undefined) {
      send(res, 404, 'text/plain', 'not found');
      return;
    }
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      send(res, 404, 'text/plain', 'not found');
      return;
    }
    send(res, 200, type, data);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A bug in a handler: say so rather than hang the UI.
      if (!res.headersSent) {
        sendError(res, 500, { code: 'bad_request', message: `internal error: ${e instanceof Error ? e.message : String(e)} (a bug: please report it)` });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      const addr = server.address();
      port = typeof addr === 'object' && addr !== null ? addr.port : o.port;
      resolve({
        url: `http://127.0.0.1:${port}/#token=${token}`,
        port,
        token,
        close: () =>
          new Promise<void>((done) => {
            unsubscribe();
            for (const s of streams) {
              s.end();
            }
            server.close(() => {
              done();
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}
