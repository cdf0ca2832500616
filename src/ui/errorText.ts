// Human-readable titles and hints per error code. The raw message stays visible as detail for bug reports.
import type { RecognizerErrorCode } from '../asr/types';

export interface ErrorText {
  title: string;
  hint: string;
}

const TEXT: Record<RecognizerErrorCode, ErrorText> = {
  'mic-denied': {
    title: 'Microphone access was denied',
    hint: 'Allow the microphone in the browser’s site settings and press the mic again. You can still transcribe audio files.',
  },
  'mic-missing': {
    title: 'No microphone found',
    hint: 'Connect a microphone and try again. You can still transcribe audio files.',
  },
  'no-audioworklet': {
    title: 'This browser has no AudioWorklet',
    hint: 'Live dictation needs AudioWorklet (recent Chrome, Edge, Firefox or Safari). A secure context (https or localhost) is required.',
  },
  'no-wasm': {
    title: 'WebAssembly is unavailable',
    hint: 'The recognizer runs on WebAssembly; enable it or use a browser that supports it.',
  },
  'model-missing': {
    title: 'Model files not found',
    hint: 'The manifest or an .onnx file could not be downloaded. Check that models/ was exported and served.',
  },
  'model-corrupt': {
    title: 'Model file is corrupt',
    hint: 'A downloaded model did not match its checksum or could not be parsed. Re-export the models or pick another level.',
  },
  'decode-failed': {
    title: 'Could not decode the audio file',
    hint: 'Try a WAV, MP3, OGG or WebM file that this browser can play.',
  },
  internal: {
    title: 'Something went wrong',
    hint: 'The recognizer hit an unexpected error. Reloading the page usually helps.',
  },
};

export function errorText(code: RecognizerErrorCode): ErrorText {
  return TEXT[code];
}
