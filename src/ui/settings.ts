// Settings the app remembers across visits (localStorage): the second pass, the one choice that costs a download
// (Whisper's decoder) and changes what the final lines say. The level and backend are not remembered: the auto level
// and the auto backend follow the device, and ?level= / ?backend= pin them for a link.
import type { FinalPassKind } from '../asr/types';
import { DEFAULT_PREFERRED_FINAL_PASS, parseFinalPass } from '../store/finalPass';
import type { LoadOptions } from '../store/store';

export const FINAL_PASS_KEY = 'omnisparse.finalPass';

/** The part of the Web Storage API used here (declared, not taken from the DOM lib: Node tests compile this too). */
export interface SettingsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The page's localStorage, or null where it is unavailable (opaque origins, privacy modes throw on access). */
export function browserStorage(): SettingsStorage | null {
  try {
    return (globalThis as { localStorage?: SettingsStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

export function rememberedFinalPass(storage: SettingsStorage | null): FinalPassKind | undefined {
  try {
    return parseFinalPass(storage?.getItem(FINAL_PASS_KEY));
  } catch {
    return undefined;
  }
}

/** Best effort: a full or forbidden storage only means the choice is not remembered. */
export function rememberFinalPass(storage: SettingsStorage | null, kind: FinalPassKind): void {
  try {
    storage?.setItem(FINAL_PASS_KEY, kind);
  } catch {
    // nothing to do: the choice still applies to this visit
  }
}

/**
 * How the app loads the second pass: ?final-pass= is explicit (loaded with the model; an error if the model lacks it);
 * otherwise the remembered choice, else the default, is a preference applied where the model offers it, so a choice
 * remembered from another model never shows an error.
 */
export function finalPassLoadOptions(
  fromUrl: FinalPassKind | undefined,
  remembered: FinalPassKind | undefined,
): Pick<LoadOptions, 'finalPass' | 'preferredFinalPass'> {
  if (fromUrl !== undefined) return { finalPass: fromUrl };
  return { preferredFinalPass: remembered ?? DEFAULT_PREFERRED_FINAL_PASS };
}
