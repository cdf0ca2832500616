// createRecognizer(options): recognizer.ts with the real, worker-backed client (src/asr/client.ts).
import { createRecognizerClient } from '../asr/client';
import { buildRecognizer, type CreateRecognizerOptions, type OmnisparseRecognizer } from './recognizer';

export function createRecognizer(options: CreateRecognizerOptions = {}): OmnisparseRecognizer {
  return buildRecognizer(options, (o) => createRecognizerClient(o));
}
