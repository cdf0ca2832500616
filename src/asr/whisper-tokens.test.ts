import { describe, expect, it } from 'vitest';
import { bytesToTokenString, decodeWhisperText, normalizeWhisperText, parseWhisperTokens, tokenBytes, type WhisperTokens } from './whisper-tokens';

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const tok = (s: string): string => bytesToTokenString(utf8(s));

/** A tiny vocabulary laid out like Whisper's: text tokens, then eot, sot, other specials. */
function vocab(texts: string[]): WhisperTokens {
  const eot = texts.length;
  return {
    vocab: [...texts, '<|endoftext|>', '<|startoftranscript|>', '<|notimestamps|>'],
    eot,
    sot: eot + 1,
    noTimestamps: eot + 2,
    prompt: [eot + 1, eot + 2],
    suppress: [],
    beginSuppress: [eot],
  };
}

describe('GPT-2 byte table', () => {
  it('printable bytes stand for themselves, the other 68 for 256.. in byte order', () => {
    expect(tokenBytes('!~')).toEqual([33, 126]);
    expect(tokenBytes('\u00a1\u00ac\u00ae\u00ff')).toEqual([161, 172, 174, 255]);
    expect(tokenBytes('\u0100')).toEqual([0]);
    expect(tokenBytes('\u0120hello')).toEqual([32, ...utf8('hello')]); // "Ġ": GPT-2's word-initial space
    expect(tokenBytes('\u0121')).toEqual([127]); // after 0..32 (33 bytes) comes 127
    expect(tokenBytes('\u0142')).toEqual([160]);
    expect(tokenBytes('\u0143')).toEqual([173]); // the 68th and last: the soft hyphen
    // every byte round-trips, and the 256 characters are distinct
    const all = Array.from({ length: 256 }, (_, b) => b);
    expect(tokenBytes(bytesToTokenString(all))).toEqual(all);
    expect(new Set(bytesToTokenString(all)).size).toBe(256);
  });
});

describe('decodeWhisperText', () => {
  it('joins the bytes of all tokens before decoding: a character split across tokens comes out whole', () => {
    // "café" = 63 61 66 C3 A9, "😀" = F0 9F 98 80 split over three tokens
    const bytes = [...utf8(' caf'), 0xc3, 0xa9, ...utf8(' ok '), 0xf0, 0x9f, 0x98, 0x80];
    const t = vocab([
      bytesToTokenString(bytes.slice(0, 5)),
      bytesToTokenString(bytes.slice(5, 9)),
      bytesToTokenString(bytes.slice(9, 11)),
      bytesToTokenString(bytes.slice(11, 12)),
      bytesToTokenString(bytes.slice(12)),
    ]);
    expect(t.vocab[0]).toBe(' cafÃ'.replace(' ', '\u0120'));
    expect(decodeWhisperText([0, 1, 2, 3, 4], t)).toBe('café ok 😀');
  });

  it('drops special tokens (eot and above), trims, and marks a dangling partial character', () => {
    const t = vocab([tok(' Hello'), tok(','), tok(' world'), tok('.')]);
    expect(decodeWhisperText([t.sot, t.noTimestamps, 0, 1, 2, 3, t.eot], t)).toBe('Hello, world.');
    expect(decodeWhisperText([], t)).toBe('');
    const half = vocab([tok(' a'), bytesToTokenString([0xc3])]);
    expect(decodeWhisperText([0, 1], half)).toBe('a\ufffd');
  });
});

describe('normalizeWhisperText', () => {
  it('maps Whisper text onto the transducer characters (a-z, apostrophe, space), digits left alone', () => {
    expect(normalizeWhisperText(' Hello, World! It’s 5 o’clock — Café au lait.')).toBe("hello world it's 5 o'clock cafe au lait");
    expect(normalizeWhisperText("'Quoted' words, rock 'n' roll")).toBe("quoted words rock n roll");
    expect(normalizeWhisperText('Well-known (really?)  yes')).toBe('well known really yes');
    expect(normalizeWhisperText(' ... ')).toBe('');
  });
});

describe('parseWhisperTokens', () => {
  const json = () => ({ ...vocab([tok(' a'), tok(' b')]), suppress: [0], beginSuppress: [1, 2] });

  it('accepts a valid tokens.json', () => {
    const t = parseWhisperTokens(json(), 5);
    expect(t).toMatchObject({ eot: 2, sot: 3, noTimestamps: 4, prompt: [3, 4], suppress: [0], beginSuppress: [1, 2] });
  });

  it('names the bad field, code model-corrupt', () => {
    const bad = (mutate: (o: Record<string, unknown>) => void, size = 5): unknown => {
      const o = json() as unknown as Record<string, unknown>;
      mutate(o);
      try {
        parseWhisperTokens(o, size, 'whisper/tokens.json');
      } catch (e) {
        return e;
      }
      throw new Error('expected an error');
    };
    expect(bad(() => {}, 6)).toMatchObject({ code: 'model-corrupt', message: expect.stringMatching(/whisper\/tokens\.json: field "vocab" must be an array of 6/) });
    expect(bad((o) => ((o.vocab as unknown[])[1] = 3))).toMatchObject({ message: expect.stringMatching(/"vocab\[1\]"/) });
    expect(bad((o) => delete o.eot)).toMatchObject({ message: expect.stringMatching(/"eot" must be a token id/) });
    expect(bad((o) => (o.suppress = [0, 9]))).toMatchObject({ message: expect.stringMatching(/"suppress\[1\]"/) });
    expect(bad((o) => (o.prompt = []))).toMatchObject({ message: expect.stringMatching(/"prompt" must not be empty/) });
    expect(bad((o) => (o.sot = 1))).toMatchObject({ message: expect.stringMatching(/"eot" must be below sot/) });
    expect(bad((o) => (o.beginSuppress = 'x'))).toMatchObject({ message: expect.stringMatching(/"beginSuppress" must be an array/) });
  });
});
