// The app's service worker: after one visit the app, onnxruntime and the models the user loaded work without a
// network. Production app builds only (vite.config.ts builds it into dist/sw.js with the precache list; main.tsx
// registers it); the library build has none, since an embedding page owns its origin. Routes: see policy.ts.
import {
  type ExpectedFile,
  type KeepReply,
  type Route,
  MANIFEST_PATH,
  MODEL_CACHE,
  SHA_HEADER,
  SHELL_CACHE_PREFIX,
  cacheKey,
  isKeepMessage,
  looksLikeManifest,
  matchesExpected,
  modelFilesIn,
  navigationKey,
  routeOf,
} from './policy';

declare const self: ServiceWorkerGlobalScope;
/** Injected by the build: the app's files (relative to the scope) and a hash of their contents. */
declare const __OMNISPARSE_PRECACHE__: { version: string; files: string[] };

const PRECACHE = __OMNISPARSE_PRECACHE__;
const SHELL_CACHE = `${SHELL_CACHE_PREFIX}${PRECACHE.version}`;
const scope = (): string => self.registration.scope;
const MATCH: CacheQueryOptions = { ignoreVary: true };

self.addEventListener('install', (event) => {
  // The first visit fetched the shell before this worker existed, so it is fetched again here (mostly from the HTTP
  // cache); addAll is all-or-nothing, and a failed install is retried on the next visit.
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      await cache.addAll(PRECACHE.files.map((f) => new URL(f, scope()).href));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(SHELL_CACHE_PREFIX) && n !== SHELL_CACHE).map((n) => caches.delete(n)));
      // Control the page that registered us now, so its later fetches (level switches) are cached as they happen.
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const route = routeOf(request.url, scope(), request.method, request.mode);
  if (route === 'network') return;
  event.respondWith(respond(route, request));
});

self.addEventListener('message', (event) => {
  const port = event.ports[0];
  if (!isKeepMessage(event.data) || !port) return;
  event.waitUntil(keep(event.data.urls).then((reply) => port.postMessage(reply)));
});

async function respond(route: Exclude<Route, 'network'>, request: Request): Promise<Response> {
  switch (route) {
    case 'page':
      return networkFirst(request, SHELL_CACHE, navigationKey(request.url), () => true);
    case 'manifest':
      return networkFirst(request, MODEL_CACHE, cacheKey(request.url), looksLikeManifest);
    case 'model':
      return modelFile(request);
    case 'asset':
      return cacheFirst(request);
  }
}

/** Online the server wins (a new build or export); the cached copy only stands in when the network fails. */
async function networkFirst(request: Request, cacheName: string, key: string, keepable: (text: string) => boolean): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(request);
  } catch (err) {
    const cached = await caches.match(key, MATCH);
    if (cached) return cached;
    throw err;
  }
  if (res.ok) {
    const text = await res.clone().text();
    // Awaited: a model fetch right after the manifest must see the new manifest's hashes.
    if (keepable(text)) await (await caches.open(cacheName)).put(key, new Response(text, res));
  }
  return res;
}

async function cacheFirst(request: Request): Promise<Response> {
  const key = cacheKey(request.url);
  const cached = await caches.match(key, MATCH);
  if (cached) return cached;
  const res = await fetch(request);
  if (res.ok) await (await caches.open(SHELL_CACHE)).put(key, res.clone());
  return res;
}

async function expectedFor(key: string): Promise<ExpectedFile | undefined> {
  const manifestUrl = new URL(MANIFEST_PATH, scope()).href;
  const manifest = await (await caches.open(MODEL_CACHE)).match(manifestUrl, MATCH);
  if (!manifest) return undefined;
  try {
    return modelFilesIn(await manifest.json(), manifestUrl).get(key);
  } catch {
    return undefined;
  }
}

async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Cache first while the cached copy is the one the manifest names; otherwise the network, stored only when it
 * matches. Whatever the network answers (404, a short body) goes to the app unchanged: its own check words the error.
 */
async function modelFile(request: Request): Promise<Response> {
  const key = cacheKey(request.url);
  const expected = await expectedFor(key);
  const cache = await caches.open(MODEL_CACHE);
  const cached = expected ? await cache.match(key, MATCH) : undefined;
  if (cached && cached.headers.get(SHA_HEADER) === expected?.sha256) return cached;
  const res = await fetch(request);
  if (!res.ok || !expected) return res;
  const body = await res.clone().arrayBuffer();
  const sha = await sha256Hex(body);
  if (matchesExpected(expected, body.byteLength, sha)) {
    const headers = new Headers(res.headers);
    headers.set(SHA_HEADER, sha);
    await cache.put(key, new Response(body, { status: res.status, statusText: res.statusText, headers }));
  }
  return res;
}

/** Stores what the page loaded before this worker controlled it. Sequential: the manifest first, the models need it. */
async function keep(urls: string[]): Promise<KeepReply> {
  const reply: KeepReply = { kept: [], failed: [] };
  for (const url of urls) {
    const route = routeOf(url, scope(), 'GET', 'cors');
    let ok = false;
    try {
      if (route === 'model') {
        // The page fetched these moments ago: the HTTP cache usually has them (a stale or wrong copy is not stored,
        // the hash decides), so a second download is the exception.
        ok = (await modelFile(new Request(url, { cache: 'force-cache' }))).ok && (await isKept(url));
        if (!ok) ok = (await modelFile(new Request(url, { cache: 'reload' }))).ok && (await isKept(url));
      } else if (route === 'manifest' || route === 'asset') {
        ok = (await respond(route, new Request(url))).ok;
      }
    } catch {
      ok = false;
    }
    (ok ? reply.kept : reply.failed).push(url);
  }
  return reply;
}

async function isKept(url: string): Promise<boolean> {
  const key = cacheKey(url);
  const cached = await (await caches.open(MODEL_CACHE)).match(key, MATCH);
  return cached !== undefined && cached.headers.get(SHA_HEADER) === (await expectedFor(key))?.sha256;
}
