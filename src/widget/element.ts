// <omnisparse-dictation>: the dictation widget as a custom element. Attributes configure a recognizer from
// createRecognizer() (src/lib/recognizer.ts: the same client, worker and store as the app); the shadow root holds the
// mic button, a status line and the live transcript; recognizer events are re-dispatched as DOM events; finals go
// into the `for` field at its caret.
import { OMNISPARSE_EVENT_TYPES, type OmnisparseEventMap, type OmnisparseEventType } from '../lib/events';
import { parseBackend, parseFinalPass } from '../lib/options';
import { createRecognizer } from '../lib/create';
import type { OmnisparseRecognizer } from '../lib/recognizer';
import type { FinalPassKind, RecognizerStatus } from '../asr/types';
import { buildWidget, renderWidget, type WidgetParts } from './dom';
import { fieldName, findField, insertAtCaret } from './insert';
import { adoptWidgetStyles } from './styles';
import { widgetView } from './view';

export const DICTATION_TAG = 'omnisparse-dictation';

/** Read when the element connects; changing them later needs a reconnect (they pick the model and the runtime). */
const LOAD_ATTRIBUTES = ['models', 'backend', 'wasm'] as const;

// Importable where there is no DOM (SSR, unit tests): the class only needs a real HTMLElement once it is defined.
const HTMLElementBase = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

export class OmnisparseDictationElement extends HTMLElementBase {
  static readonly observedAttributes = ['level', 'for', 'final-pass'];

  #recognizer: OmnisparseRecognizer | null = null;
  /** created by this element from its attributes (so disposed by it), as opposed to handed in by the embedder */
  #owned = false;
  #parts: WidgetParts | null = null;
  #detach: (() => void)[] = [];
  /** the switch a `final-pass` change started, for setFinalPass() to return */
  #finalPassChange: Promise<void> = Promise.resolve();

  /**
   * The recognizer behind the element. Assign one from createRecognizer() before the element connects to share it
   * or configure it in JavaScript; the element then only renders it and leaves disposing it to the owner.
   */
  get recognizer(): OmnisparseRecognizer | null {
    return this.#recognizer;
  }

  set recognizer(r: OmnisparseRecognizer | null) {
    if (r === this.#recognizer) return;
    this.#teardown();
    this.#recognizer = r;
    this.#owned = false;
    if (this.isConnected && r) void this.#ensureRecognizer()?.load();
  }

  get state(): RecognizerStatus {
    return this.#recognizer?.getState().status ?? 'idle';
  }

  /**
   * The `final-pass` attribute, reflected: the second pass that writes each final line ('none' when absent or not
   * understood). Setting it switches the pass once the model is loaded.
   */
  get finalPass(): FinalPassKind {
    return parseFinalPass(this.getAttribute('final-pass')) ?? 'none';
  }

  set finalPass(kind: FinalPassKind) {
    this.setAttribute('final-pass', kind);
  }

  /** the level running now (null before the model is loaded) */
  get activeLevel(): string | null {
    return this.#recognizer?.getState().activeLevel ?? null;
  }

  connectedCallback(): void {
    if (!this.#parts) {
      const shadow = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
      adoptWidgetStyles(shadow);
      this.#parts = buildWidget(this.ownerDocument);
      this.#parts.button.addEventListener('click', () => void this.toggle());
      shadow.append(this.#parts.root);
    }
    // Deferred by a microtask: a script that creates the element and then sets `recognizer`, or that calls
    // configureOmnisparse() right after importing the element module, gets to do so before anything loads.
    queueMicrotask(() => {
      // Loading starts only now, with the listeners in place, so the first statechange ('loading') goes out too.
      if (this.isConnected) void this.#ensureRecognizer()?.load();
    });
  }

  disconnectedCallback(): void {
    // Moving the element (disconnect + connect in one task) must not kill its worker and microphone.
    queueMicrotask(() => {
      if (!this.isConnected) this.#teardown();
    });
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value || !this.#recognizer) return;
    if (name === 'level' && value) void this.#recognizer.setLevel(value);
    if (name === 'for') this.#render();
    if (name === 'final-pass') this.#finalPassChange = this.#recognizer.setFinalPass(parseFinalPass(value) ?? 'none');
  }

  /** Opens the microphone once the model is loaded. Never rejects: failures are 'error' events. */
  start(): Promise<void> {
    return this.#ensureRecognizer()?.start() ?? Promise.resolve();
  }

  /** Stops the microphone; resolves once the last words are final (and inserted). */
  stop(): Promise<void> {
    return this.#ensureRecognizer()?.stop() ?? Promise.resolve();
  }

  toggle(): Promise<void> {
    return this.#ensureRecognizer()?.toggle() ?? Promise.resolve();
  }

  /** A level id of the manifest, or 'auto'. */
  setLevel(level: string): Promise<void> {
    return this.#ensureRecognizer()?.setLevel(level) ?? Promise.resolve();
  }

  /** Sets `final-pass`; resolves once that pass's models are loaded and it writes the next final line. */
  setFinalPass(kind: FinalPassKind): Promise<void> {
    const recognizer = this.#ensureRecognizer();
    // An unchanged attribute fires no callback; the recognizer may still be loading that pass with its model.
    if (this.getAttribute('final-pass') === kind) return recognizer?.setFinalPass(kind) ?? Promise.resolve();
    this.finalPass = kind;
    return recognizer ? this.#finalPassChange : Promise.resolve();
  }

  /** Streams an audio file (anything the browser decodes) through the recognizer, like dictation. */
  transcribeFile(file: Blob): Promise<void> {
    return this.#ensureRecognizer()?.transcribeFile(file) ?? Promise.resolve();
  }

  /**
   * The recognizer, created from the attributes if there is none yet: a method called right after the element was
   * added (before the connect microtask) acts instead of doing nothing. Never for a detached element, which would
   * have no disconnect to dispose it.
   */
  #ensureRecognizer(): OmnisparseRecognizer | null {
    if (!this.isConnected) return this.#recognizer;
    if (!this.#recognizer) {
      this.#recognizer = this.#createFromAttributes();
      this.#owned = true;
    }
    if (this.#detach.length === 0) this.#attach(this.#recognizer);
    return this.#recognizer;
  }

  #createFromAttributes(): OmnisparseRecognizer {
    const [models, backend, wasm] = LOAD_ATTRIBUTES.map((a) => this.getAttribute(a) ?? undefined);
    const finalPass = parseFinalPass(this.getAttribute('final-pass'));
    return createRecognizer({
      autoLoad: false,
      ...(finalPass ? { finalPass } : {}),
      ...(models ? { models } : {}),
      ...(wasm ? { wasm } : {}),
      ...(this.getAttribute('level') ? { level: this.getAttribute('level')! } : {}),
      backend: parseBackend(backend),
    });
  }

  #attach(r: OmnisparseRecognizer): void {
    this.#detach.push(r.store.subscribe(() => this.#render()));
    // Before the events go out, so a 'final' listener already finds the text in the field.
    this.#detach.push(
      r.on('final', ({ text }) => {
        const field = findField(this, this.getAttribute('for'));
        if (field) insertAtCaret(field, text);
      }),
    );
    for (const type of OMNISPARSE_EVENT_TYPES) {
      this.#detach.push(r.on(type, (detail) => this.#dispatch(type, detail)));
    }
    this.#render();
  }

  #teardown(): void {
    this.#detach.forEach((off) => off());
    this.#detach = [];
    if (this.#owned) this.#recognizer?.dispose();
    if (this.#owned) this.#recognizer = null;
    this.#owned = false;
  }

  #dispatch<K extends OmnisparseEventType>(type: K, detail: OmnisparseEventMap[K]): void {
    // composed: listeners outside a shadow root that contains the element still hear it.
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #render(): void {
    if (!this.#parts || !this.#recognizer) return;
    const field = findField(this, this.getAttribute('for'));
    renderWidget(this.#parts, widgetView(this.#recognizer.getState(), { intoField: field !== null, fieldName: fieldName(field) }));
  }
}

/** Registers the element (once; a second copy of the library on the page keeps the first definition). */
export function defineOmnisparseDictation(registry: CustomElementRegistry | undefined = globalThis.customElements): void {
  if (registry && !registry.get(DICTATION_TAG)) registry.define(DICTATION_TAG, OmnisparseDictationElement);
}

export type OmnisparseDictationEvents = { [K in OmnisparseEventType]: CustomEvent<OmnisparseEventMap[K]> };

declare global {
  interface HTMLElementTagNameMap {
    'omnisparse-dictation': OmnisparseDictationElement;
  }
}
