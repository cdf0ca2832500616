// Query parameters the app honours: ?backend=webgpu|wasm|wasm-threaded|auto, ?level=<id>, ?manifest=<same-origin url>,
// ?final-pass=none|transducer|whisper (the second pass at each endpoint, over the remembered choice), ?embed=1 (only
// the dictation widget, for iframes). The e2e tests rely on ?backend= to force the WebGPU path and ?final-pass= to pin
// the second pass.
import type { BackendChoice, FinalPassKind } from '../asr/types';
import { parseFinalPass } from '../store/finalPass';

export interface AppParams {
  manifestUrl: string;
  backend: BackendChoice;
  level?: string;
  /** an explicit second pass; absent: the remembered choice or the app's default (src/ui/settings.ts) */
  finalPass?: FinalPassKind;
  /** render the minimal widget instead of the full app */
  embed: boolean;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm', 'wasm-threaded'];
export const DEFAULT_MANIFEST = 'models/manifest.json';

/**
 * @param search  location.search
 * @param pageUrl location.href, used to keep ?manifest= on the page's origin: the app promises that no request
 *                leaves the origin, so a link cannot make it fetch a model from elsewhere.
 */
export function parseAppParams(search: string, pageUrl: string): AppParams {
  const q = new URLSearchParams(search);
  const b = q.get('backend');
  const backend = b !== null && (BACKENDS as readonly string[]).includes(b) ? (b as BackendChoice) : 'auto';
  const level = q.get('level') ?? undefined;
  const embed = q.get('embed') === '1' || q.get('embed') === 'true';
  const finalPass = parseFinalPass(q.get('final-pass'));
  return {
    manifestUrl: sameOriginOr(q.get('manifest'), pageUrl, DEFAULT_MANIFEST),
    backend,
    embed,
    ...(level ? { level } : {}),
    ...(finalPass ? { finalPass } : {}),
  };
}

function sameOriginOr(candidate: string | null, pageUrl: string, fallback: string): string {
  if (!candidate) return fallback;
  try {
    const page = new URL(pageUrl);
    return new URL(candidate, page).origin === page.origin ? candidate : fallback;
  } catch {
    return fallback;
  }
}
