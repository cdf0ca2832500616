// End-to-end first-token latency through the REAL app (production build, React UI, worker, worklet): Chromium's fake
// microphone plays a clip with a known lead silence; an in-page probe (lib/app-probe.ts) finds the speech onset in
// the audio the worklet delivered and the first non-empty transcript paint, both on the page's clock.
// Timings are recorded, never asserted; the assertions are only that each run really listened and heard the clip.
import { chromium, expect, test, type Browser } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { APP_PORT, CHROMIUM, micChromiumArgs } from './lib/chromium';
import { analyzeRun, firstTokenTable, summarizeLevel, type LevelSummary, type RunAnalysis } from './lib/first-token';
import { installProbe, probeSettled, PROBE_KEY, readProbe } from './lib/app-probe';
import { mergeIntoFile } from './lib/results-file';
import { synthesizeOnsetClip, type OnsetClip } from './lib/speech';

const RUNS = Number(process.env.BENCH_APP_RUNS ?? 3);
/** The app's own choice by default ('auto': WebGPU if any, else threaded WASM when isolated); override to compare. */
const BACKEND = process.env.BENCH_APP_BACKEND ?? 'auto';
const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(process.env.BENCH_BROWSER_OUT ?? resolve(import.meta.dirname, 'results', 'browser-latest.json'));
const APP_URL = `http://127.0.0.1:${APP_PORT}/`;

interface ManifestLevels {
  defaultLevel: string;
  levels: { id: string; sparsity: number }[];
}

/** The default level and the sparsest one (the manifest lists levels dense → sparse), deduplicated. */
function benchLevels(m: ManifestLevels): { id: string; sparsity: number }[] {
  const sparsest = [...m.levels].sort((a, b) => b.sparsity - a.sparsity)[0];
  const byId = new Map(m.levels.map((l) => [l.id, l]));
  const picked = [byId.get(m.defaultLevel), sparsest].filter((l): l is { id: string; sparsity: number } => l !== undefined);
  return [...new Map(picked.map((l) => [l.id, l])).values()];
}

test.describe.configure({ mode: 'serial' });

const manifest = JSON.parse(readFileSync(resolve(ROOT, 'models', 'manifest.json'), 'utf8')) as ManifestLevels & { name?: string };
let clip: OnsetClip;
let browser: Browser;
const summaries: LevelSummary[] = [];

test.beforeAll(async () => {
  clip = synthesizeOnsetClip();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: micChromiumArgs(clip.path) });
});

test.afterAll(async () => {
  await browser?.close();
  mergeIntoFile(OUT, {
    firstTokenApp: {
      date: new Date().toISOString(),
      model: manifest.name ?? null,
      source: 'real app UI (vite build + preview), fake microphone, in-page probe; see bench/README.md',
      clip: { text: clip.text, leadSeconds: clip.onsetSeconds, seconds: clip.seconds, sampleRate: 16000 },
      requestedBackend: BACKEND,
      runsPerLevel: RUNS,
      levels: summaries,
    },
  });
  console.log(`\nEnd-to-end first token in the app (speech onset in the captured audio -> first painted non-empty text), model ${manifest.name ?? '?'}:`);
  console.log(firstTokenTable(summaries));
  console.log(`wrote firstTokenApp into ${OUT}`);
});

/** One fresh page (fresh mic stream, so the clip plays from its start), one listening session. */
async function oneRun(level: string): Promise<{ analysis: RunAnalysis; backend: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') console.log(`[app] ${m.text()}`);
    });
    await page.addInitScript(installProbe, { key: PROBE_KEY, silenceThreshold: 1e-3, maxTextEvents: 400 });
    // No second pass: the app's default would download Whisper in the background while the first token is timed.
    const query = new URLSearchParams({ level, 'final-pass': 'none', ...(BACKEND === 'auto' ? {} : { backend: BACKEND }) });
    await page.goto(`${APP_URL}?${query}`);
    // Ready = models of this level loaded (load time is not part of first-token latency).
    await expect(page.getByTestId('backend')).toHaveText(/^(wasm|wasm-threaded|webgpu)$/, { timeout: 120_000 });
    await expect(page.getByTestId('level-label')).toHaveAttribute('data-level', level);
    await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'idle', { timeout: 60_000 });
    await expect(page.getByTestId('mic-button')).toBeEnabled();
    const backend = (await page.getByTestId('backend').innerText()).trim();

    await page.getByTestId('mic-button').click();
    await expect(page.getByTestId('status')).toHaveAttribute('data-status', 'listening', { timeout: 30_000 });
    const budgetMs = (clip.seconds + 4) * 1000;
    await page.waitForFunction(probeSettled, { key: PROBE_KEY, budgetMs }, { polling: 100, timeout: budgetMs + 30_000 });
    const rec = await page.evaluate(readProbe, PROBE_KEY);
    expect(rec, 'probe installed').not.toBeNull();
    expect(rec!.blocks, 'the capture worklet delivered audio').toBeGreaterThan(0);
    // The level must not have changed under us (auto level is off by default; this checks it stayed so).
    await expect(page.getByTestId('level-label')).toHaveAttribute('data-level', level);
    return { analysis: analyzeRun(rec!, clip.onsetSeconds), backend };
  } finally {
    await context.close();
  }
}

for (const { id, sparsity } of benchLevels(manifest)) {
  test(`app first token: ${id}`, async () => {
    test.setTimeout(RUNS * 180_000);
    const runs: RunAnalysis[] = [];
    let backend = '';
    for (let i = 0; i < RUNS; i++) {
      const r = await oneRun(id);
      backend = r.backend;
      runs.push(r.analysis);
      console.log(`  ${id} run ${i + 1}: ${JSON.stringify(r.analysis)}`);
    }
    summaries.push(summarizeLevel(id, sparsity, backend, runs));
    // Every run must have heard the clip's onset; "no text" or "text before onset" is a result, not a failure.
    for (const r of runs) expect(r.invalidReason).not.toBe('no-onset-captured');
  });
}
