// The second pass at each endpoint (docs/contracts.md §7): what turns the streaming partial into the final line.
// Lists only what the selected level offers, with what choosing it downloads; the choice is remembered.
import type { FinalPassKind, Manifest } from '../../asr/types';
import { finalPassDownload, offeredFinalPasses } from '../../store/finalPass';
import { useRecognizerState } from '../../store/useRecognizer';
import { formatMB } from '../format';
import { browserStorage, rememberFinalPass } from '../settings';

const PASS_TEXT: Record<FinalPassKind, { name: string; hint: string }> = {
  none: { name: 'Streaming text', hint: 'the final line is the streaming text as it stood at the endpoint' },
  transducer: {
    name: 'Full-context transducer',
    hint: 'the same model re-reads the whole utterance at the endpoint, then its own head decodes it again',
  },
  whisper: {
    name: 'Whisper tiny.en',
    hint: "Whisper's own decoder re-decodes the whole utterance at the endpoint: cased, punctuated text",
  },
};

/**
 * "+7.5 MB" (gzip). Where the manifest gives no gzip size for the level's full-context encoder only its file size is
 * known, an upper bound of what is transferred: "≤ +9.0 MB".
 */
function sizeText(manifest: Manifest, level: string, kind: FinalPassKind): { text: string; title: string } {
  const d = finalPassDownload(manifest, level, kind);
  if (!d) return { text: 'no extra download', title: 'nothing beyond the level itself' };
  const size = `${d.gzip ? '' : '≤ '}+${formatMB(d.bytes)}`;
  const encoder = `the level's full-context encoder ${formatMB(d.bytes - d.whisperBytes)} (${d.gzip ? 'gzip' : 'file size; the manifest gives no gzip size'})`;
  if (kind !== 'whisper') return { text: size, title: encoder };
  return {
    text: `${size} · lazy-loaded`,
    title: `Whisper's decoder ${formatMB(d.whisperBytes)} (gzip) + ${encoder}; fetched only once this is chosen`,
  };
}

export function FinalPassPicker() {
  const manifest = useRecognizerState((s) => s.manifest);
  const level = useRecognizerState((s) => s.selectedLevel);
  const selected = useRecognizerState((s) => s.finalPass);
  const active = useRecognizerState((s) => s.activeFinalPass);
  const setFinalPass = useRecognizerState((s) => s.setFinalPass);
  if (!manifest) return null;
  const levelId = level ?? manifest.defaultLevel;
  const offered = offeredFinalPasses(manifest, levelId);
  const loading = selected !== active;

  function choose(kind: FinalPassKind): void {
    rememberFinalPass(browserStorage(), kind);
    void setFinalPass(kind);
  }

  return (
    <section
      className="card final-pass-card"
      aria-labelledby="final-pass-heading"
      data-testid="final-pass"
      data-selected={selected}
      data-active={active}
    >
      <div className="card-head">
        <h2 id="final-pass-heading">Final lines</h2>
        {loading && (
          <span className="final-pass-loading" aria-live="polite">
            loading {PASS_TEXT[selected].name}…
          </span>
        )}
      </div>
      {offered.length < 2 ? (
        <p className="final-pass-note">
          This model offers no second pass at level {levelId}: final lines are the streaming text.
        </p>
      ) : (
        <fieldset className="final-pass-options">
          <legend className="visually-hidden">Second pass at each endpoint</legend>
          {offered.map((kind) => {
            const size = sizeText(manifest, levelId, kind);
            return (
              <label key={kind} className="final-pass-option" title={PASS_TEXT[kind].hint}>
                <input
                  type="radio"
                  name="final-pass"
                  value={kind}
                  data-testid={`final-pass-${kind}`}
                  checked={selected === kind}
                  onChange={() => choose(kind)}
                />
                <span className="final-pass-name">{PASS_TEXT[kind].name}</span>
                <span className="final-pass-size" title={size.title}>
                  {size.text}
                </span>
              </label>
            );
          })}
        </fieldset>
      )}
      {offered.length >= 2 && !offered.includes(selected) && (
        <p className="final-pass-note">
          Level {levelId} does not offer {PASS_TEXT[selected].name}: its final lines are the streaming text.
        </p>
      )}
    </section>
  );
}
