// The library build embedded in a plain HTML page (examples/embed.html, one module include and one tag per field),
// served by examples/serve.ts: dictation into a textarea at the caret with the fake microphone, the events and their
// order, two elements side by side, a strict CSP, and a page that is not cross-origin isolated.
import { expect, test } from '@playwright/test';
import { ENDPOINTED_FILE_CER_BOUND, FILE_CER_BOUND, MIC_CER_BOUND } from './bounds';
import { cer, closestCer } from './cer';
import { buildLibrary, type DictationElement, elementState, eventsOf, labels, LIB_DIR, recordEvents, transcribeWith, waitReady, type Recorded } from './embed';
import { CHROMIUM, chromiumArgs, CLIPS, clipPath, readReferences } from './fixtures';
import { startEmbedServer, type EmbedServer } from '../examples/serve';

const clip = CLIPS.dictation;
test.use({ launchOptions: { executablePath: CHROMIUM, args: chromiumArgs({ micFile: clipPath(clip) }) } });

let server: EmbedServer;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  buildLibrary();
  server = await startEmbedServer({ libDir: LIB_DIR });
});

test.afterAll(async () => {
  await server?.close();
});

const page_ = (regime: string): string => `${server.origin}/${regime}/examples/embed.html`;

/** Dictates the whole clip with the element's button, driven from the keyboard; returns once stopped and final. */
async function dictate(page: import('@playwright/test').Page, id: string, audioSeconds: number): Promise<void> {
  const el = page.locator(`#${id}`);
  const button = el.getByRole('button', { name: /^Start dictation/ });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(el.getByRole('button', { name: /^Stop dictation/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(el.getByTestId('partial')).not.toBeEmpty({ timeout: 20_000 });
  await page.waitForTimeout(audioSeconds * 1000);
  await page.keyboard.press('Enter'); // the button kept the focus
  await expect(el.getByRole('button', { name: /^Start dictation/ })).toHaveAttribute('aria-pressed', 'false', { timeout: 30_000 });
  await expect.poll(async () => (await elementState(page, id)).state, { timeout: 30_000 }).toBe('idle');
}

function expectWordTimings(finals: readonly Recorded[]): void {
  for (const f of finals) {
    const words = f.detail.words as { word: string; start: number; end: number }[];
    expect(words.length).toBeGreaterThan(0);
    expect(words.map((w) => w.word).join(' ')).toBe(String(f.detail.text).trim().split(/\s+/).join(' '));
    words.forEach((w, i) => {
      expect(w.end).toBeGreaterThan(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
    });
  }
}

test('the example page embeds the element; the fake microphone dictates into the textarea at the caret; events in order', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  await recordEvents(page);
  await page.goto(page_('isolated'));
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await waitReady(page, 'notes-dictation');
  // Accessible: a named button per field, a status line and a polite live region for the transcript.
  const notes = page.locator('#notes-dictation');
  await expect(notes.getByRole('button', { name: 'Start dictation into Notes' })).toBeVisible();
  await expect(notes.getByRole('status')).toHaveCount(1);
  await expect(notes.getByTestId('transcript')).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('#subject-dictation').getByRole('button', { name: 'Start dictation into Subject' })).toBeVisible();

  const textarea = page.locator('#notes');
  await textarea.fill('BEGIN  END');
  await textarea.evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(6, 6)); // between the two spaces
  await dictate(page, 'notes-dictation', ref.audioSeconds);

  const value = await textarea.inputValue();
  expect(value.startsWith('BEGIN ')).toBe(true);
  expect(value.endsWith(' END')).toBe(true);
  const dictated = value.slice('BEGIN '.length, -' END'.length);
  const { score, ref: closest } = closestCer([ref.text, ...ref.shiftedTexts], dictated);
  console.log(`CER ${score}\nREF ${closest}\nGOT ${dictated}`);
  expect(score).toBeLessThanOrEqual(MIC_CER_BOUND);

  const events = await eventsOf(page, 'notes-dictation');
  const seq = labels(events);
  console.log(seq.filter((s, i) => s !== 'partial' || seq[i - 1] !== 'partial').join(' '));
  // loading → first level → ready → listening → partials/finals → stopping → idle, and nothing after
  expect(seq.slice(0, 4)).toEqual(['state:loading', 'levelchange', 'state:idle', 'state:listening']);
  expect(events[0]!.detail).toMatchObject({ previous: null, ready: false });
  expect(events[1]!.detail).toMatchObject({ level: ref.level, previous: null, auto: false });
  expect(events[2]!.detail).toMatchObject({ previous: 'loading', ready: true });
  const stopping = seq.indexOf('state:stopping');
  expect(stopping).toBeGreaterThan(4);
  expect(seq.slice(stopping)).toEqual(expect.arrayContaining(['state:stopping', 'state:idle']));
  expect(seq.at(-1)).toBe('state:idle');
  expect(seq.indexOf('partial')).toBeGreaterThan(3);
  expect(seq.indexOf('final')).toBeGreaterThan(seq.indexOf('partial'));
  expect(seq.filter((s) => s === 'error')).toEqual([]);
  const finals = events.filter((e) => e.type === 'final');
  expect(finals.map((f) => String(f.detail.text).trim()).join(' ')).toBe(dictated.trim());
  expectWordTimings(finals);
  // the other element heard nothing of it
  expect(labels(await eventsOf(page, 'subject-dictation')).filter((s) => s === 'partial' || s === 'final')).toEqual([]);
  expect(await page.locator('#subject').inputValue()).toBe('');
  // cross-origin isolated: multithreaded WASM (on a machine with more than one core)
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  expect((await elementState(page, 'notes-dictation')).backend).toBe(cores > 1 ? 'wasm-threaded' : 'wasm');
});

test('two elements on one page work independently: own level, own microphone or file, own field, own events', async ({ page }) => {
  const refs = readReferences();
  const fileRef = refs[CLIPS.twoPart.name]!;
  await recordEvents(page);
  await page.goto(page_('isolated'));
  await waitReady(page, 'notes-dictation');
  await waitReady(page, 'subject-dictation');
  const levels = await page.evaluate(() =>
    (document.getElementById('notes-dictation') as DictationElement).recognizer!.getState().levels.map((l) => l.id),
  );
  // notes on another level than the default, through the attribute; subject pinned to the default with setLevel()
  // (which also turns its level="auto" off, so the file's text is comparable with the CLI's)
  const notesLevel = levels[1] ?? levels[0]!;
  await page.locator('#notes-dictation').evaluate((el, l) => el.setAttribute('level', l), notesLevel);
  await page.evaluate((l) => (document.getElementById('subject-dictation') as DictationElement).setLevel(l), fileRef.level);
  await expect.poll(async () => (await elementState(page, 'notes-dictation')).level, { timeout: 30_000 }).toBe(notesLevel);
  expect((await elementState(page, 'subject-dictation')).level).toBe(fileRef.level);

  // both at once: the microphone into the notes, a file into the subject
  const notes = page.locator('#notes-dictation');
  await notes.getByRole('button', { name: /^Start dictation/ }).click();
  await expect(notes.getByTestId('partial')).not.toBeEmpty({ timeout: 20_000 });
  await transcribeWith(page, 'subject-dictation', clipPath(CLIPS.twoPart));
  await page.waitForTimeout(3000);
  await notes.getByRole('button', { name: /^Stop dictation/ }).click();
  await expect.poll(async () => (await elementState(page, 'notes-dictation')).state, { timeout: 30_000 }).toBe('idle');

  const subjectText = await page.locator('#subject').inputValue();
  const notesText = await page.locator('#notes').inputValue();
  const score = cer(fileRef.text, subjectText);
  console.log(`subject CER ${score}\nREF ${fileRef.text}\nGOT ${subjectText}\nnotes (${notesLevel}): ${notesText}`);
  expect(score).toBeLessThanOrEqual(ENDPOINTED_FILE_CER_BOUND);
  expect(notesText.trim()).not.toBe('');

  const subjectFinals = (await eventsOf(page, 'subject-dictation')).filter((e) => e.type === 'final');
  const notesFinals = (await eventsOf(page, 'notes-dictation')).filter((e) => e.type === 'final');
  expect(subjectFinals.map((f) => String(f.detail.text).trim()).join(' ')).toBe(subjectText.trim());
  expect(notesFinals.map((f) => String(f.detail.text).trim()).join(' ')).toBe(notesText.trim());
  expect(new Set(subjectFinals.map((f) => f.detail.level))).toEqual(new Set([fileRef.level]));
  expect(new Set(notesFinals.map((f) => f.detail.level))).toEqual(new Set([notesLevel]));
  expectWordTimings(subjectFinals);
  const notesLevels = (await eventsOf(page, 'notes-dictation')).filter((e) => e.type === 'levelchange').map((e) => e.detail.level);
  expect(notesLevels.at(-1)).toBe(notesLevel);
});

test('works under a strict CSP: no unsafe-eval (only wasm-unsafe-eval), no inline script or style', async ({ page }) => {
  const ref = readReferences()[clip.name]!;
  const cspHeaders: string[] = [];
  page.on('response', (r) => {
    if (r.url().endsWith('embed.html')) cspHeaders.push(r.headers()['content-security-policy'] ?? '');
  });
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await recordEvents(page);
  await page.goto(page_('strict'));
  expect(cspHeaders[0]).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(cspHeaders[0]).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
  await waitReady(page, 'notes-dictation');
  // the shadow styles apply (a constructed stylesheet, which style-src 'self' does not block)
  const background = await page.locator('#notes-dictation').getByTestId('mic-button').evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(background).toBe('rgb(31, 111, 235)'); // --osw-accent from the page's own stylesheet
  // The microphone path (getUserMedia, the AudioWorklet module, the worker) runs under the policy: text arrives.
  // Its accuracy is the first test's business; here the deterministic file path checks the output.
  await dictate(page, 'notes-dictation', ref.audioSeconds);
  const dictated = await page.locator('#notes').inputValue();
  console.log(`mic under CSP: ${dictated}`);
  expect(dictated.trim()).not.toBe('');
  // subject is level="auto"; pinned to the CLI's level so its text is comparable
  await page.evaluate((l) => (document.getElementById('subject-dictation') as DictationElement).setLevel(l), ref.level);
  await transcribeWith(page, 'subject-dictation', clipPath(clip));
  const text = await page.locator('#subject').inputValue();
  const score = cer(ref.text, text);
  console.log(`file under CSP: CER ${score} GOT ${text}`);
  expect(score).toBeLessThanOrEqual(FILE_CER_BOUND);
  expect(await page.evaluate(() => window.__violations)).toEqual([]);
  expect(consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m))).toEqual([]);
  expect((await eventsOf(page, 'notes-dictation')).filter((e) => e.type === 'error')).toEqual([]);
});

// The page on 127.0.0.1, the library (hence the worker and onnxruntime's runtime) and the models on localhost: two
// origins, as with a CDN. The server answers with CORS headers; the worker starts through the same-origin shim.
// Not isolated: one thread. Isolated: still one thread, since onnxruntime cannot start its thread Workers from a
// script on another origin (backend-choice.ts threadsPossible) — but it works instead of failing.
for (const regime of ['plain', 'isolated'] as const) {
  test(`${regime === 'plain' ? 'a page that is not cross-origin isolated' : 'an isolated page'} runs single-threaded WASM, with library and models from another origin`, async ({ page }) => {
    const ref = readReferences()[clip.name]!;
    const pageOrigin = server.origin.replace('localhost', '127.0.0.1');
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(server.origin)) foreign.push(new URL(r.url()).pathname);
    });
    await recordEvents(page);
    await page.goto(`${pageOrigin}/${regime}/examples/embed.html?assets=${server.origin}`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(regime === 'isolated');
    await waitReady(page, 'notes-dictation');
    expect(foreign.some((p) => p.endsWith('omnisparse-dictation.js'))).toBe(true);
    expect(foreign.some((p) => p.endsWith('.onnx'))).toBe(true);
    expect(foreign.some((p) => p.endsWith('.wasm'))).toBe(true);
    expect((await elementState(page, 'notes-dictation')).backend).toBe('wasm');
    await transcribeWith(page, 'notes-dictation', clipPath(clip));
    const text = await page.locator('#notes').inputValue();
    const score = cer(ref.text, text);
    console.log(`CER ${score}\nREF ${ref.text}\nGOT ${text}`);
    expect(score).toBeLessThanOrEqual(FILE_CER_BOUND);
    expect(labels(await eventsOf(page, 'notes-dictation'))).toEqual(
      expect.arrayContaining(['state:loading', 'levelchange', 'state:idle', 'state:file', 'final']),
    );
  });
}
