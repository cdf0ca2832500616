// Integrity check shared by both backends: a file whose size or SHA-256 differs from the manifest is 'model-corrupt'.

import { RecognizerError } from './errors';
import type { ModelFile } from './types';

export function toHex(digest: ArrayBuffer | Uint8Array): string {
  const bytes = digest instanceof Uint8Array ? digest : new Uint8Array(digest);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function checkModelBytes(file: ModelFile, bytes: number, sha256Hex: string, where: string): void {
  if (bytes !== file.bytes) {
    throw new RecognizerError('model-corrupt', `${where}: ${bytes} bytes, manifest says ${file.bytes}`);
  }
  if (sha256Hex.toLowerCase() !== file.sha256.toLowerCase()) {
    throw new RecognizerError('model-corrupt', `${where}: sha256 ${sha256Hex} does not match the manifest (${file.sha256})`);
  }
}
