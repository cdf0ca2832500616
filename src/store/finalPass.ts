// The second pass at each endpoint (docs/contracts.md §7) as the UI and the embed API see it: which passes a level
// offers, what choosing one costs in download, and how a remembered preference meets a model that may lack it.
// Pure, so every rule is unit-tested; the recognizer itself (src/asr) decides nothing here.
import { availableFinalPasses } from '../asr/manifest';
import type { FinalPassKind, LevelInfo, Manifest } from '../asr/types';

export const FINAL_PASS_KINDS: readonly FinalPassKind[] = ['none', 'transducer', 'whisper'];

/** An attribute, URL parameter or stored value; anything else is undefined (a typo must not break the page). */
export function parseFinalPass(value: string | null | undefined): FinalPassKind | undefined {
  const v = value?.trim().toLowerCase() ?? '';
  return (FINAL_PASS_KINDS as readonly string[]).includes(v) ? (v as FinalPassKind) : undefined;
}

/**
 * What the app chooses by itself: Whisper's decoder where the model offers it, since the final lines are what
 * people keep and Whisper's are by far the most accurate (cased, punctuated); otherwise the streaming text. The
 * transducer pass is never picked unasked: on the shipped model it gains little (models/README.md, "Second pass").
 */
export const DEFAULT_PREFERRED_FINAL_PASS: FinalPassKind = 'whisper';

/**
 * A preference (remembered, or the app's default) against what this model offers on this level: kept when offered,
 * else the streaming text. Unlike an explicit request (the `final-pass` attribute, `?final-pass=`), a preference that
 * the model cannot honour is no error: it may come from another model.
 */
export function resolvePreferredFinalPass(preferred: FinalPassKind, offered: readonly FinalPassKind[]): FinalPassKind {
  return offered.includes(preferred) ? preferred : 'none';
}

/** The passes a level offers ('none' only without a manifest). */
export function offeredFinalPasses(manifest: Manifest | null, levelId: string | null): FinalPassKind[] {
  if (!manifest) return ['none'];
  return availableFinalPasses(manifest, levelId ?? manifest.defaultLevel);
}

export interface FinalPassDownload {
  /** bytes fetched when this pass is chosen and nothing of it was loaded yet */
  bytes: number;
  /** false when only the uncompressed size is known (the manifest gave no gzip size of the level's encoderFull) */
  gzip: boolean;
  /** of those, the Whisper decoder's share (0 for the transducer pass) */
  whisperBytes: number;
}

/**
 * Gzip size of a level's full-context encoder: the exporter writes it as `bytes.finalPassGzip`, which the manifest
 * type does not declare (yet), so it is read defensively and the raw size stands in without it.
 */
function encoderFullSize(level: LevelInfo): { bytes: number; gzip: boolean } {
  const gzip = (level.bytes as { finalPassGzip?: unknown }).finalPassGzip;
  if (typeof gzip === 'number' && Number.isFinite(gzip) && gzip > 0) return { bytes: gzip, gzip: true };
  return { bytes: level.files.encoderFull?.bytes ?? 0, gzip: false };
}

/**
 * The extra download of a pass on a level, beyond its streaming files: the level's full-context encoder for both
 * second passes, plus Whisper's decoder (finalPass.whisper.bytes.gzip) for 'whisper'. Null for 'none' and for a
 * pass the level does not offer.
 */
export function finalPassDownload(manifest: Manifest, levelId: string, kind: FinalPassKind): FinalPassDownload | null {
  if (kind === 'none' || !availableFinalPasses(manifest, levelId).includes(kind)) return null;
  const level = manifest.levels.find((l) => l.id === levelId);
  if (!level) return null;
  const encoder = encoderFullSize(level);
  const whisperBytes = kind === 'whisper' ? (manifest.finalPass?.whisper?.bytes.gzip ?? 0) : 0;
  return { bytes: encoder.bytes + whisperBytes, gzip: encoder.gzip, whisperBytes };
}
