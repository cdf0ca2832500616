// Human-readable titles and hints per error code, refined by the message where one code covers failures a user
// handles differently (not on the server / no connection / cut short / a broken model list). The raw message stays
// visible as detail for bug reports. The messages come from src/asr (manifest.ts fetchModelFile and ManifestError,
// model-bytes.ts); errorText.test.ts builds them with those functions, so a reworded message fails a test here.
import { NO_AUDIO_MESSAGE } from '../asr/errors';
import type { RecognizerErrorCode } from '../asr/types';
import { formatMB } from './format';

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
  'mic-lost': {
    title: 'The microphone stopped',
    hint: 'It was unplugged, switched off or taken by another app. What it heard until then is kept; connect it and press the mic again.',
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

/** The code's text, or a more precise one when the message says which failure it was. */
export function errorText(code: RecognizerErrorCode, message = ''): ErrorText {
  if (code === 'decode-failed' && message === NO_AUDIO_MESSAGE) {
    return { title: 'The file holds no audio', hint: 'It decoded to 0 samples, so there is nothing to transcribe. Check that the recording was saved completely.' };
  }
  return (code === 'model-missing' ? missingText(message) : code === 'model-corrupt' ? corruptText(message) : null) ?? TEXT[code];
}

/** "levels/s00/encoder.onnx" → "encoder.onnx": the folder means nothing to a user. */
function fileName(url: string): string {
  return url.split('?')[0]?.split('/').pop() || url;
}

function missingText(message: string): ErrorText | null {
  const http = /^cannot fetch (\S+): HTTP (\d{3})$/.exec(message);
  if (http) {
    const [, url = '', status = ''] = http;
    if (status === '404' || status === '410') {
      return {
        title: 'A model file is missing on the server',
        hint: `The server has no ${fileName(url)} (HTTP ${status}), although its model list names it. Pick another level if one is listed, or try again later.`,
      };
    }
    return {
      title: 'The server could not deliver the model',
      hint: `Downloading ${fileName(url)} failed (HTTP ${status}). Try again in a moment.`,
    };
  }
  const network = /^cannot fetch (\S+): /.exec(message);
  if (network) {
    return {
      title: 'Could not download the model',
      hint: `The connection failed while downloading ${fileName(network[1] ?? '')}. Check that you are online and try again; once a model has loaded, this page also works offline.`,
    };
  }
  return null;
}

function corruptText(message: string): ErrorText | null {
  const manifest = /^manifest\.json: field "([^"]*)" ([\s\S]*)$/.exec(message);
  if (manifest) {
    const [, field = '', problem = ''] = manifest;
    if (field === '(root)' && problem.startsWith('is not valid JSON')) {
      return {
        title: 'The model list is damaged',
        hint: 'The site’s model list (models/manifest.json) is not valid JSON, so no model can be loaded. This is a problem with the website, not your browser: try again later.',
      };
    }
    return {
      title: 'The model list is incomplete',
      hint: `The site’s model list (models/manifest.json) lacks a valid "${field}" entry, so no model can be loaded. This is a problem with the website, not your browser: try again later.`,
    };
  }
  const size = /^(\S+): (\d+) bytes, manifest says (\d+)$/.exec(message);
  if (size) {
    const [, url = '', got = '0', want = '0'] = size;
    const file = `${fileName(url)} (${formatMB(Number(want))})`;
    if (Number(got) < Number(want)) {
      return {
        title: 'A model download was cut short',
        hint: `Only ${Math.floor((100 * Number(got)) / Number(want))} % of ${file} arrived. Check your connection and try again.`,
      };
    }
    return {
      title: 'A model file has the wrong size',
      hint: `${file} is larger than the model list says: the site’s files do not match. Pick another level or try again later.`,
    };
  }
  return null;
}
