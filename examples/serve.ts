// Serves the embed example the way an embedding site would, under three header regimes picked by the first path
// segment (the rest of the path is the same, so the page's relative URLs stay in one regime):
//   /isolated/…  COOP + COEP: cross-origin isolated, so onnxruntime may run multithreaded
//   /plain/…     no special headers: not isolated, single-threaded WASM
//   /strict/…    isolated plus a strict Content-Security-Policy (no 'unsafe-eval', no inline script or style)
// Below the regime: examples/ (this folder), dist-lib/ (npm run build:lib), models/ (the repo's models).
// Every response allows CORS and cross-origin embedding, so a page on another origin (localhost vs 127.0.0.1) can
// load the library and the models from here. Used by `npm run example` and by e2e/embed.spec.ts.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export type Regime = 'isolated' | 'plain' | 'strict';
export const REGIMES: readonly Regime[] = ['isolated', 'plain', 'strict'];

export const STRICT_CSP = [
  "default-src 'none'",
  // 'wasm-unsafe-eval' lets WebAssembly compile; plain 'unsafe-eval' (eval, new Function) stays forbidden.
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export function headersFor(regime: Regime): Record<string, string> {
  const common = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin', 'Cache-Control': 'no-cache' };
  if (regime === 'plain') return common;
  if (regime === 'isolated') return { ...common, ...ISOLATION };
  return { ...common, ...ISOLATION, 'Content-Security-Policy': STRICT_CSP };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  // instantiateStreaming requires exactly this type
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.wav': 'audio/wav',
};

/** `/regime/folder/rest` → the file to send, or null; never escapes the mapped folder. */
export function resolveRequest(pathname: string, dirs: Record<string, string>): { regime: Regime; file: string } | null {
  const [, regime, folder, ...rest] = decodeURIComponent(pathname).split('/');
  if (!REGIMES.includes(regime as Regime) || folder === undefined) return null;
  const base = dirs[folder];
  if (!base) return null;
  const file = normalize(join(base, ...rest));
  if (file !== base && !file.startsWith(base + sep)) return null;
  return { regime: regime as Regime, file };
}

/**
 * `embed.html?assets=<origin>` loads the library and the models from that origin instead of its own: the page of a
 * site that takes them from a CDN. Rewritten here rather than by the test, so the browser sees an ordinary page from
 * this server (a page a test fulfils itself has no address, which Chromium treats as public).
 */
export function withAssetsFrom(html: string, assetsBase: string): string {
  return html
    .replaceAll('src="../dist-lib/', `src="${assetsBase}dist-lib/`)
    .replaceAll('models="../models/"', `models="${assetsBase}models/"`);
}

export interface EmbedServer {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

export function startEmbedServer(opts: { port?: number; libDir?: string } = {}): Promise<EmbedServer> {
  const dirs = {
    examples: resolve(ROOT, 'examples'),
    'dist-lib': resolve(opts.libDir ?? join(ROOT, 'dist-lib')),
    models: resolve(ROOT, 'models'),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(302, { Location: '/isolated/examples/embed.html' }).end();
      return;
    }
    const hit = resolveRequest(url.pathname, dirs);
    if (!hit || !existsSync(hit.file) || !statSync(hit.file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const assets = url.searchParams.get('assets');
    if (assets && hit.file.endsWith('.html')) {
      const html = withAssetsFrom(readFileSync(hit.file, 'utf8'), `${new URL(assets).origin}/${hit.regime}/`);
      res.writeHead(200, { ...headersFor(hit.regime), 'Content-Type': TYPES['.html']! }).end(html);
      return;
    }
    res.writeHead(200, {
      ...headersFor(hit.regime),
      'Content-Type': TYPES[extname(hit.file)] ?? 'application/octet-stream',
      'Content-Length': String(statSync(hit.file).size),
    });
    createReadStream(hit.file).pipe(res);
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      done({
        server,
        origin: `http://localhost:${port}`,
        close: () => new Promise((closed) => server.close(() => closed())),
      });
    });
  });
}

// `npm run example` (tsx examples/serve.ts [port])
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'serve.ts')) {
  const port = Number(process.argv[2] ?? 4180);
  void startEmbedServer({ port }).then(({ origin }) => {
    console.log(`embed example: ${origin}/isolated/examples/embed.html`);
    console.log(`  not isolated (one thread): ${origin}/plain/examples/embed.html`);
    console.log(`  strict CSP:                ${origin}/strict/examples/embed.html`);
    const other = origin.replace('localhost', '127.0.0.1');
    console.log(`  library + models from another origin: ${other}/plain/examples/embed.html?assets=${origin}`);
  });
}
