// What the service worker (sw.ts) does with a request, as pure functions over URLs and JSON, so every rule is
// unit-tested without a browser. Shared with the page (src/ui/serviceWorker.ts) for the cache names, the header and
// the message; the SW itself is built separately (vite.config.ts), so sharing costs the app no extra chunk.
//
// Routes, all same-origin and inside the SW's scope (anything else never reaches the cache):
//   page      navigations (index.html, examples/react.html): network first, the cached copy when offline
//   manifest  models/manifest.json: network first (a new export must win when online), cached copy when offline
//   model     files under models/: cache first, but a copy is stored and served only while its SHA-256 equals the one
//             the cached manifest names for that path, so a truncated download or a re-exported file never sticks
//   asset     assets/ (Vite's content-hashed JS, CSS, worker, worklet, onnxruntime's wasm/mjs): cache first

export type Route = 'page' | 'manifest' | 'model' | 'asset' | 'network';

/** Vite's hashed names change with their content, so an old build's shell cache is dropped whole on upgrade. */
export const SHELL_CACHE_PREFIX = 'omnisparse-shell-';
/** Models and the manifest survive app upgrades: their identity is the manifest's sha256, checked on every use. */
export const MODEL_CACHE = 'omnisparse-models-v1';
/** The verified SHA-256 of a cached model file, stored with it (a cache hit is compared with the current manifest). */
export const SHA_HEADER = 'x-omnisparse-sha256';
/** Page -> SW: "keep these URLs for offline use" (files fetched before the SW controlled the page are not cached). */
export const KEEP_MESSAGE = 'omnisparse-keep';
export const MANIFEST_PATH = 'models/manifest.json';
const MODELS_DIR = 'models/';
const ASSETS_DIR = 'assets/';

export interface KeepMessage {
  type: typeof KEEP_MESSAGE;
  urls: string[];
}
export interface KeepReply {
  kept: string[];
  failed: string[];
}

export function isKeepMessage(v: unknown): v is KeepMessage {
  const o = v as Partial<KeepMessage> | null;
  return typeof o === 'object' && o !== null && o.type === KEEP_MESSAGE && Array.isArray(o.urls) && o.urls.every((u) => typeof u === 'string');
}

/** The URL without query and fragment: the app's own fetches carry none, and `?final-pass=` must not split the page. */
export function cacheKey(url: string): string {
  const u = new URL(url);
  return u.origin + u.pathname;
}

/** A navigation's cache key: a folder is its index.html (how the precache list names it). */
export function navigationKey(url: string): string {
  const key = cacheKey(url);
  return key.endsWith('/') ? `${key}index.html` : key;
}

export function routeOf(url: string, scope: string, method: string, mode: string): Route {
  if (method !== 'GET') return 'network';
  const u = new URL(url);
  const s = new URL(scope);
  if (u.origin !== s.origin || !u.pathname.startsWith(s.pathname)) return 'network';
  if (mode === 'navigate') return 'page';
  const rel = u.pathname.slice(s.pathname.length);
  if (rel === MANIFEST_PATH) return 'manifest';
  if (rel.startsWith(MODELS_DIR)) return 'model';
  if (rel.startsWith(ASSETS_DIR)) return 'asset';
  return 'network';
}

export interface ExpectedFile {
  sha256: string;
  bytes: number;
}

function isFileEntry(v: Record<string, unknown>): boolean {
  return (
    typeof v.path === 'string' &&
    typeof v.sha256 === 'string' &&
    /^[0-9a-f]{64}$/i.test(v.sha256) &&
    typeof v.bytes === 'number' &&
    Number.isInteger(v.bytes) &&
    v.bytes >= 0
  );
}

/**
 * Every `{path, sha256, bytes}` in a manifest (levels' files, the second pass's files) by absolute URL. A walk
 * rather than the schema: the SW must not break when the manifest gains a section; validation is the app's job.
 */
export function modelFilesIn(json: unknown, manifestUrl: string): Map<string, ExpectedFile> {
  const out = new Map<string, ExpectedFile>();
  const walk = (v: unknown, depth: number): void => {
    if (typeof v !== 'object' || v === null || depth > 8) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (isFileEntry(o)) {
      out.set(cacheKey(new URL(o.path as string, manifestUrl).href), { sha256: (o.sha256 as string).toLowerCase(), bytes: o.bytes as number });
      return;
    }
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(json, 0);
  return out;
}

/**
 * Worth caching as the offline manifest: parses, and names levels with files. A broken manifest served online is
 * passed to the app (which reports it) but never replaces the last good copy.
 */
export function looksLikeManifest(text: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  const levels = (json as { levels?: unknown } | null)?.levels;
  return Array.isArray(levels) && levels.length > 0 && modelFilesIn(json, 'http://x/').size > 0;
}

/** Whether fetched bytes are the file the manifest names (size first: it is free, the hash is not). */
export function matchesExpected(expected: ExpectedFile, bytes: number, sha256Hex: string): boolean {
  return bytes === expected.bytes && sha256Hex.toLowerCase() === expected.sha256;
}
