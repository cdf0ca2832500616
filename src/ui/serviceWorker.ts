// The page's side of offline use: registers dist/sw.js (production app builds only; see src/sw/sw.ts), asks it to
// keep what the page loaded before it took control, and reads back what Cache Storage holds.
import { KEEP_MESSAGE, SHA_HEADER, type KeepMessage, type KeepReply } from '../sw/policy';
import type { OfflineFile } from '../store/offline';

let registered = false;

/** Whether this page registered the app's service worker (false in dev, in tests and where browsers lack one). */
export function serviceWorkerRegistered(): boolean {
  return registered;
}

/**
 * Registers `sw.js` next to index.html, scoped to the app's folder. Called by main.tsx in production builds only:
 * under `vite dev` a cached shell would hide edits, and the library never calls it (an embedder owns its origin).
 */
export function registerServiceWorker(baseUrl: string): void {
  const sw = globalThis.navigator?.serviceWorker;
  if (!sw || typeof caches === 'undefined') return;
  registered = true;
  const url = new URL('sw.js', new URL(baseUrl, location.href)).href;
  // A failure (private mode, storage disabled) leaves the app as it was: online only; the badge then stays "saving".
  sw.register(url, { scope: new URL('./', url).href }).catch((err: unknown) => console.warn('service worker not registered:', err));
}

/** Resolves once a service worker controls the page (at once when one already does). */
export function whenControlled(): Promise<ServiceWorker> {
  const sw = navigator.serviceWorker;
  if (sw.controller) return Promise.resolve(sw.controller);
  return new Promise((resolve) => {
    const onChange = (): void => {
      if (!sw.controller) return;
      sw.removeEventListener('controllerchange', onChange);
      resolve(sw.controller);
    };
    sw.addEventListener('controllerchange', onChange);
  });
}

/** Asks the worker to store `urls` (fetched before it controlled the page, so not cached as they were fetched). */
export function keepOffline(worker: ServiceWorker, urls: string[]): Promise<KeepReply> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (e: MessageEvent<KeepReply>) => resolve(e.data);
    const msg: KeepMessage = { type: KEEP_MESSAGE, urls };
    worker.postMessage(msg, [channel.port2]);
  });
}

/** What Cache Storage holds for `files`: URL -> the SHA-256 stored with the copy ('' for files stored without one). */
export async function cachedCopies(files: readonly OfflineFile[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of files) {
    const hit = await caches.match(f.url, { ignoreVary: true });
    if (hit) out.set(f.url, hit.headers.get(SHA_HEADER) ?? '');
  }
  return out;
}
