// Browser latency bench: one fresh page per backend (onnxruntime-web fixes its thread count at first use).
// Asserts only correctness conditions (isolation, every level measured); timings are recorded, never asserted.
import { chromium, expect, test, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { parseWav } from '../src/audio/wav';
import { downmixToMono } from '../src/audio/resampler';
import { CHROMIUM, benchChromiumArgs } from './lib/chromium';
import { machineInfo } from './lib/machine';
import { mergeIntoFile } from './lib/results-file';
import { readBytes, synthesizePhrase } from './lib/speech';
import type { PageBackend, PageRequest, PageResult } from './page/protocol';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OUT = resolve(process.env.BENCH_BROWSER_OUT ?? resolve(import.meta.dirname, 'results', 'browser-latest.json'));
/** SwiftShader needs minutes per level on 2 shared cores: past this the WebGPU entry records that it did not finish. */
const WEBGPU_BUDGET_MS = 180_000;

test.describe.configure({ mode: 'serial' });

let audio: Omit<PageRequest, 'backend'>;
let audioSeconds = 0;
const results: { label: string; result: PageResult }[] = [];
const notes: string[] = [];

test.beforeAll(() => {
  const synth = synthesizePhrase();
  const wav = parseWav(readBytes(synth.path));
  const mono = downmixToMono(wav.channels);
  audioSeconds = mono.length / wav.sampleRate;
  audio = { levels: null, runs: RUNS, warmup: 1, samples: Array.from(mono), sampleRate: wav.sampleRate, onsetSeconds: synth.onsetSeconds, firstToken: true, finalPasses: true };
});

async function runIn(page: Page, backend: PageBackend, overrides: Partial<PageRequest> = {}): Promise<PageResult> {
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`[page] ${m.text()}`);
  });
  await page.goto('/');
  await page.waitForFunction(() => 'omnisparseBench' in globalThis);
  const req: PageRequest = { ...audio, backend, ...overrides };
  return page.evaluate((r) => (globalThis as unknown as { omnisparseBench: { run(x: PageRequest): Promise<PageResult> } }).omnisparseBench.run(r), req);
}

function check(result: PageResult): void {
  expect(result.levels.length).toBeGreaterThan(0);
  for (const l of result.levels) expect(l.chunks).toBeGreaterThan(0);
}

test('wasm, 1 thread', async ({ page }) => {
  const result = await runIn(page, 'wasm');
  expect(result.wasmThreads).toBe(1);
  check(result);
  results.push({ label: 'wasm 1 thread', result });
});

test('wasm, multithreaded (cross-origin isolated)', async ({ page }) => {
  const result = await runIn(page, 'wasm-threaded');
  expect(result.crossOriginIsolated).toBe(true);
  expect(result.wasmThreads).toBeGreaterThan(1);
  check(result);
  results.push({ label: `wasm ${result.wasmThreads} threads`, result });
});

test('webgpu (SwiftShader fallback adapter here: speed not meaningful)', async ({ baseURL }) => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: benchChromiumArgs({ webgpu: true }) });
  try {
    const page = await browser.newPage({ baseURL });
    const hasAdapter = await page.goto('/').then(() => page.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    }));
    if (!hasAdapter) {
      notes.push('webgpu: no adapter in this Chromium, skipped');
      test.skip(true, 'no WebGPU adapter');
    }
    // SwiftShader emulates the GPU on the CPU: only the sparsest level, one run, no real-time first-token pass.
    test.setTimeout(WEBGPU_BUDGET_MS + 120_000);
    const adapter = await page.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown> } | null> } }).gpu;
      const a = gpu ? await gpu.requestAdapter() : null;
      return a?.info ? { vendor: a.info.vendor, architecture: a.info.architecture, description: a.info.description, isFallbackAdapter: a.info.isFallbackAdapter } : null;
    });
    const sparsest = await page.evaluate(async () => {
      const m = (await (await fetch('/models/manifest.json')).json()) as { levels: { id: string; sparsity: number }[] };
      return [...m.levels].sort((a, b) => b.sparsity - a.sparsity)[0]?.id ?? '';
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      runIn(page, 'webgpu', { levels: [sparsest], runs: 1, warmup: 0, firstToken: false, finalPasses: false }),
      new Promise<null>((r) => (timer = setTimeout(() => r(null), WEBGPU_BUDGET_MS))),
    ]);
    clearTimeout(timer);
    if (outcome === null) {
      notes.push(`webgpu: adapter ${JSON.stringify(adapter)} (fallback, CPU-emulated); one run of ${sparsest} did not finish within ${WEBGPU_BUDGET_MS / 1000} s`);
      return;
    }
    check(outcome);
    results.push({ label: 'webgpu (FALLBACK adapter, CPU-emulated SwiftShader: speed not meaningful)', result: outcome });
  } finally {
    await browser.close();
  }
});

/**
 * Rewritten after every backend, so a later timeout still leaves the finished backends' numbers. Merged: the
 * `firstTokenApp` section belongs to app-latency.spec.ts and is kept.
 */
function writeResults(): void {
  const doc = {
    machine: { ...machineInfo(), browser: CHROMIUM, audioSeconds: Math.round(audioSeconds * 1000) / 1000, runs: RUNS },
    date: new Date().toISOString(),
    firstTokenSource: 'bench page (real Recognizer fed at real-time pace), not the app UI',
    notes,
    runtimes: results.map(({ label, result }) => ({ runtime: label, ...result })),
  };
  mergeIntoFile(OUT, doc);
}

test.afterEach(() => writeResults());

test.afterAll(() => {
  writeResults();
  for (const { label, result } of results) {
    console.log(`\n${label} (isolated=${result.crossOriginIsolated}, threads=${result.wasmThreads}, fe ${result.frontendMsPerChunk} ms/chunk)`);
    for (const l of result.levels) {
      console.log(`  ${l.id}: p50 ${l.chunkMsP50} ms, p95 ${l.chunkMsP95} ms, rtf ${l.rtf}, load ${l.loadMs} ms, enc ${l.breakdown.encoderMsPerChunk} ms/chunk`);
    }
    console.log(`  switch from cache: ${result.switchFromCacheMs.map((s) => `${s.to} ${s.wallMs} ms`).join(', ')}`);
    console.log(`  first token: ${result.firstToken ? JSON.stringify(result.firstToken) : 'not measured'}`);
    for (const f of result.finalPasses ?? []) {
      console.log(`  endpoint -> final, ${f.level} ${f.pass}: mean ${f.meanMs} ms, p50 ${f.p50Ms}, p95 ${f.p95Ms} (${f.finalMs.length} finals), pass load ${f.loadMs} ms; "${f.text}" (${f.source})`);
    }
  }
  console.log(`\nwrote ${OUT}`);
});
