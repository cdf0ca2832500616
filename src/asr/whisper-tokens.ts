// Whisper's text side (docs/contracts.md §7): the tokens.json written with the exported decoder, turning generated
// ids back into text, and the normaliser that makes Whisper's text comparable with the transducer's characters.
//
// Whisper's vocabulary is GPT-2's byte-level BPE: every token is a run of BYTES, written in tokens.json as a string
// with one character per byte (GPT-2's bytes_to_unicode table, which maps each byte to a printable character so the
// vocabulary is valid JSON). A multi-byte UTF-8 character can be split across tokens, so text is only decoded once
// the bytes of all tokens are joined.

import { RecognizerError } from './errors';

export interface WhisperTokens {
  /** vocab[id]: the token's bytes, one bytes_to_unicode character each; special tokens are like "<|endoftext|>" */
  vocab: string[];
  /** end of text: generation stops here; every id below it is an ordinary text token */
  eot: number;
  /** start of transcript: it and every id above it are special (never generated) */
  sot: number;
  noTimestamps: number;
  /** the ids fed first (start of transcript, no timestamps) */
  prompt: number[];
  /** ids that are never generated (non-speech symbols) */
  suppress: number[];
  /** ids that may not be the first generated token (a blank, or stopping at once) */
  beginSuppress: number[];
}

/** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the other 68 for 256, 257, ... in order. */
function byteToChar(): string[] {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const table: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(printable(b) ? b : next++));
  return table;
}

const BYTE_TO_CHAR: readonly string[] = byteToChar();
const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/** A byte string as tokens.json writes it (the exporter's side of the table; tests build vocabularies with it). */
export function bytesToTokenString(bytes: Iterable<number>): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b] ?? '';
  return s;
}

const utf8 = new TextEncoder();

/** A token string's bytes. A character outside the table (only special tokens have those) is kept as its UTF-8. */
export function tokenBytes(token: string): number[] {
  const out: number[] = [];
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch.codePointAt(0) ?? -1);
    if (b !== undefined) out.push(b);
    else out.push(...utf8.encode(ch));
  }
  return out;
}

/**
 * Text of generated ids: the bytes of every ordinary token (special ones, from eot up, are dropped) joined, then
 * UTF-8 decoded once (a character split across tokens comes out whole; a dangling partial one becomes U+FFFD), and
 * trimmed (Whisper's words carry their leading space).
 */
export function decodeWhisperText(ids: readonly number[], tokens: WhisperTokens): string {
  const bytes: number[] = [];
  for (const id of ids) {
    if (id < 0 || id >= tokens.eot) continue;
    bytes.push(...tokenBytes(tokens.vocab[id] ?? ''));
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes)).trim();
}

const APOSTROPHES = /[\u2018\u2019\u02bc\u00b4`]/g;

/**
 * Whisper's text over the transducer's characters (contracts §2: a-z, apostrophe, space), for comparing the two:
 * lowercase, accents stripped, typographic apostrophes made plain, every other character a space, apostrophes kept
 * only inside words (don't, o'clock), spaces collapsed. Digits are left as digits: spelling numbers out needs the
 * data module's reading rules (training/omnisparse/text.py), not worth duplicating for a comparison.
 */
export function normalizeWhisperText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(APOSTROPHES, "'")
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/(?<![a-z0-9])'|'(?![a-z0-9])/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

/** Validates tokens.json; errors are 'model-corrupt' and name the field. */
export function parseWhisperTokens(json: unknown, vocabSize: number, where = 'tokens.json'): WhisperTokens {
  const fail = (field: string, problem: string): never => {
    throw new RecognizerError('model-corrupt', `${where}: field "${field}" ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('(root)', 'must be an object');
  const o = json as Record<string, unknown>;
  const vocab = o.vocab;
  if (!Array.isArray(vocab) || vocab.length !== vocabSize) return fail('vocab', `must be an array of ${vocabSize} strings (finalPass.whisper.vocabSize)`);
  vocab.forEach((t, i) => typeof t !== 'string' && fail(`vocab[${i}]`, 'must be a string'));
  const tokenId = (v: unknown, field: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= vocabSize) return fail(field, `must be a token id in [0, ${vocabSize})`);
    return v;
  };
  const id = (key: string): number => tokenId(o[key], key);
  const ids = (key: string): number[] => {
    const v = o[key];
    if (!Array.isArray(v)) return fail(key, 'must be an array of token ids');
    return v.map((x, i) => tokenId(x, `${key}[${i}]`));
  };
  const t: WhisperTokens = {
    vocab: vocab as string[],
    eot: id('eot'),
    sot: id('sot'),
    noTimestamps: id('noTimestamps'),
    prompt: ids('prompt'),
    suppress: ids('suppress'),
    beginSuppress: ids('beginSuppress'),
  };
  if (t.eot >= t.sot) fail('eot', 'must be below sot (ordinary tokens come first)');
  if (t.prompt.length === 0) fail('prompt', 'must not be empty');
  return t;
}

/** tokens.json as fetched or read (already sha256-checked): UTF-8 JSON, then parseWhisperTokens. */
export function whisperTokensFromBytes(bytes: Uint8Array, vocabSize: number, where: string): WhisperTokens {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (err) {
    throw new RecognizerError('model-corrupt', `${where} is not valid JSON: ${(err as Error).message}`);
  }
  return parseWhisperTokens(json, vocabSize, where);
}
