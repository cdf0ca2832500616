// "Available offline": which files the current level needs without a network, and whether they are cached. Pure, so
// the rule is unit-tested; src/ui/serviceWorker.ts does the browser work (registration, Cache Storage) around it.
import { resolveModelUrl } from '../asr/manifest';
import type { FinalPassKind, Manifest, ModelFile } from '../asr/types';

export interface OfflineFile {
  url: string;
  /** the copy must have this SHA-256 (the SW stores it with the file); null: any copy will do (the manifest itself) */
  sha256: string | null;
}

/**
 * off:        no service worker (dev server, tests, a browser without one): nothing to show
 * saving:     the worker is installing, or the current level's files are still being stored
 * ready:      the page is controlled and every file below is cached: a reload works with the network cut
 * incomplete: storing finished but something is missing (a failed download, a full disk, a manifest the SW
 *             does not serve from models/): the app still works online
 */
export type OfflineState = 'off' | 'saving' | 'ready' | 'incomplete';

/**
 * The files a reload needs offline to run `levelId` with `pass` as it runs now: the manifest, the level's streaming
 * files, and the second pass's files when one is active (the app's remembered choice loads them again). The shell
 * (HTML, JS, onnxruntime) is precached by the worker before it takes control, so it is covered by `controlled`.
 */
export function offlineFiles(manifest: Manifest, manifestUrl: string, levelId: string, pass: FinalPassKind): OfflineFile[] {
  const level = manifest.levels.find((l) => l.id === levelId);
  if (!level) return [];
  const files: ModelFile[] = [level.files.encoder, level.files.predictor, level.files.joiner];
  if (pass !== 'none' && level.files.encoderFull) files.push(level.files.encoderFull);
  const whisper = manifest.finalPass?.whisper;
  if (pass === 'whisper' && whisper) files.push(whisper.cross, whisper.decoder, whisper.tokens);
  return [
    { url: manifestUrl, sha256: null },
    ...files.map((f) => ({ url: resolveModelUrl(manifestUrl, f.path), sha256: f.sha256.toLowerCase() })),
  ];
}

/** `cached` maps a URL to the SHA-256 stored with its copy ('' when none was stored); absent: not cached. */
export function isCached(file: OfflineFile, cached: ReadonlyMap<string, string>): boolean {
  const sha = cached.get(file.url);
  return sha !== undefined && (file.sha256 === null || sha === file.sha256);
}

export interface OfflineInputs {
  /** a service worker was registered for this page (production builds of the app) */
  registered: boolean;
  /** it controls the page (navigator.serviceWorker.controller): only then is the shell precached */
  controlled: boolean;
  /** offlineFiles() of the running level; null while no level is loaded */
  files: OfflineFile[] | null;
  cached: ReadonlyMap<string, string>;
  /** the worker has answered the request to store `files` (so a missing one will not arrive by itself) */
  stored: boolean;
}

export function offlineState(i: OfflineInputs): OfflineState {
  if (!i.registered) return 'off';
  if (!i.controlled || i.files === null || i.files.length === 0) return 'saving';
  if (i.files.every((f) => isCached(f, i.cached))) return 'ready';
  return i.stored ? 'incomplete' : 'saving';
}
