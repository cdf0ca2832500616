// `npm run bench:browser:long`: an hour of audio through the REAL app's file input (production build, React UI,
// worker; WAV read piece by piece by the app), faster than real time, sampling every 5 minutes of audio: the RSS of
// the whole browser (every process it started), the page's live JS heap, the final lines on screen, and the per-chunk
// compute the worker reported. Numbers are recorded, never asserted; the assertions are only that the run finished
// and transcribed. BENCH_LONG_MINUTES (default 60) and BENCH_LONG_EVERY (default 5) change the length.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { APP_PORT, CHROMIUM, benchChromiumArgs } from './lib/chromium';
import { summarizeWindows, windowOf, windowTable, type Window } from './lib/long-run';
import { findByTag, treeRssMb } from './lib/proc-tree';
import { mergeIntoFile } from './lib/results-file';
import { longWav } from './lib/speech';

const MINUTES = Number(process.env.BENCH_LONG_MINUTES ?? 60);
const EVERY = Number(process.env.BENCH_LONG_EVERY ?? 5);
const OUT = resolve(process.env.BENCH_BROWSER_OUT ?? resolve(import.meta.dirname, 'results', 'browser-latest.json'));
const PROBE = '__omnisparseLongRun';
/** a 160 ms chunk per metrics event (manifest v2 geometry) */
const CHUNK_S = 0.16;

/** In the page, before the app: every Worker's 'metrics' events are copied to a list the bench drains. */
function installWorkerProbe(key: string): void {
  const probe = { chunkMs: [] as number[], finals: 0 };
  (globalThis as unknown as Record<string, unknown>)[key] = probe;
  const Native = globalThis.Worker;
  class ProbedWorker extends Native {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.addEventListener('message', (e: MessageEvent) => {
        const ev = (e.data as { type?: string; event?: { type?: string; metrics?: { computeMs?: number } } }) ?? {};
        if (ev.type !== 'event') return;
        if (ev.event?.type === 'metrics' && typeof ev.event.metrics?.computeMs === 'number') probe.chunkMs.push(ev.event.metrics.computeMs);
        if (ev.event?.type === 'final') probe.finals += 1;
      });
    }
  }
  Object.defineProperty(globalThis, 'Worker', { value: ProbedWorker, writable: true, configurable: true });
}

test('an hour of WAV through the app file input: memory and chunk latency per window', async () => {
  test.skip(process.env.BENCH_LONG !== '1', 'opt-in: npm run bench:browser:long');
  test.setTimeout((MINUTES * 60 * 0.5 + 300) * 1000);
  const dir = mkdtempSync(join(tmpdir(), 'omnisparse-long-'));
  const wav = longWav(dir, MINUTES, 16000).path;

  const tag = `--omnisparse-long-run=${process.pid}-${Date.now()}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...benchChromiumArgs({ webgpu: false }), tag] });
  try {
    const root = findByTag(tag);
    expect(root, 'the launched browser process').not.toBeNull();
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const jsHeapMb = async (): Promise<number> => {
      // live objects only: without a collection first, the figure is mostly garbage awaiting the next GC
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return (metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20;
    };
    await page.addInitScript(installWorkerProbe, PROBE);
    await page.goto(`http://127.0.0.1:${APP_PORT}/?final-pass=none`);
    await expect(page.getByTestId('mic-button')).toBeEnabled({ timeout: 120_000 });
    const level = await page.getByTestId('level-label').getAttribute('data-level');
    const backend = (await page.getByTestId('backend').innerText()).trim();
    const atLoad = { rssMb: treeRssMb(root!).totalMb, heapUsedMb: await jsHeapMb() };

    const windows: Window[] = [];
    let chunkMs: number[] = [];
    let chunks = 0;
    let nextMark = (EVERY * 60) / CHUNK_S;
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(wav);
    const result = page.getByTestId('file-result');
    for (;;) {
      await page.waitForTimeout(2000);
      const drained = await page.evaluate((key) => {
        const p = (globalThis as unknown as Record<string, { chunkMs: number[]; finals: number }>)[key]!;
        const out = { chunkMs: p.chunkMs, finals: p.finals };
        p.chunkMs = [];
        return out;
      }, PROBE);
      chunkMs.push(...drained.chunkMs);
      chunks += drained.chunkMs.length;
      const done = (await result.count()) > 0;
      // the file's tail counts as a window of its own once it is at least half a window long
      const tailWindow = done && chunkMs.length >= (EVERY * 60) / CHUNK_S / 2;
      if (chunks >= nextMark || tailWindow) {
        const onScreen = await page.getByTestId('final-line').count();
        windows.push({
          ...windowOf((chunks * CHUNK_S) / 60, (Date.now() - t0) / 1000, chunkMs, drained.finals, {
            rssMb: treeRssMb(root!).totalMb,
            heapUsedMb: await jsHeapMb(),
            externalMb: 0,
            arrayBuffersMb: 0,
          }),
          linesOnScreen: onScreen,
        });
        console.log(`${((chunks * CHUNK_S) / 60).toFixed(1)} min: browser RSS ${windows.at(-1)!.rssMb} MB, page heap ${windows.at(-1)!.heapUsedMb} MB, chunk p50 ${windows.at(-1)!.chunkP50} ms, ${drained.finals} finals, ${onScreen} lines on screen`);
        chunkMs = [];
        nextMark += (EVERY * 60) / CHUNK_S;
      }
      if (done) break;
    }
    const wallS = (Date.now() - t0) / 1000;
    await expect(result).toHaveAttribute('data-ok', 'true');
    const summary = summarizeWindows(windows);
    console.log(`\n${MINUTES} min of audio through the app (level ${level}, ${backend}, final pass none): ${wallS.toFixed(0)} s wall`);
    console.log(`after load: browser RSS ${atLoad.rssMb.toFixed(1)} MB, page heap ${atLoad.heapUsedMb.toFixed(1)} MB; result: ${await result.innerText()}\n`);
    console.log(windowTable(windows));
    console.log(`\nbrowser RSS ${summary.rssGrowthMb} MB and page heap ${summary.heapGrowthMb} MB from the first window to the last; chunk p50 last/first ${summary.p50Drift}, p95 ${summary.p95Drift}`);
    mergeIntoFile(OUT, {
      longRunApp: {
        date: new Date().toISOString(), minutes: MINUTES, level, backend, wallS, afterLoad: atLoad, summary, windows,
        source: 'real app (vite build + preview), file input, WAV streamed; RSS = every process of the launched Chromium; heap = the page (not the worker)',
      },
    });
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
