import type { RecognizerErrorCode } from './types';

/** Every failure the recognizer reports carries one of the contract's error codes. */
export class RecognizerError extends Error {
  constructor(
    readonly code: RecognizerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecognizerError';
  }
}

/** A file that decodes to no samples: not damaged, but nothing to transcribe (the CLI says so as a warning). */
export const NO_AUDIO_MESSAGE = 'the file holds no audio (0 samples)';

/** Normalises anything thrown into a RecognizerError (unknown failures become 'internal'). */
export function toRecognizerError(err: unknown): RecognizerError {
  if (err instanceof RecognizerError) return err;
  if (err instanceof Error) return new RecognizerError('internal', err.message);
  return new RecognizerError('internal', String(err));
}
