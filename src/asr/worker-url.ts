// Where the inference Worker is started from. Browsers only start a Worker from a same-origin URL, but an embedding
// page may load the library from a CDN or a static host on another origin: then a tiny same-origin module (a blob:)
// imports the real worker script. That import is an ordinary cross-origin module load (needs CORS), and the blob:
// needs `worker-src blob:` under a CSP, which is why same-origin hosting never takes this path.

export type WorkerSource = { kind: 'url'; url: string } | { kind: 'shim'; code: string };

export function workerSource(workerUrl: string, pageUrl: string | undefined): WorkerSource {
  const url = new URL(workerUrl, pageUrl).href;
  if (pageUrl === undefined || new URL(url).origin === new URL(pageUrl).origin) return { kind: 'url', url };
  return { kind: 'shim', code: `import ${JSON.stringify(url)};` };
}

/** Makes relative URLs absolute against the page: the Worker would otherwise resolve them against its own script. */
export function absoluteUrl(url: string, pageUrl: string | undefined): string {
  return new URL(url, pageUrl).href;
}
