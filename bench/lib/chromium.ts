// Debian's Chromium and the flags the bench runs it with (never a Playwright-downloaded browser).
export const CHROMIUM = '/usr/bin/chromium';
export const BENCH_PORT = 4180;
/** The real app (production build + `vite preview`), for the end-to-end first-token bench. */
export const APP_PORT = 4181;

const BASE = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** WebGPU here is SwiftShader (a CPU fallback adapter): enabled only for the run that reports it. */
export function benchChromiumArgs(opts: { webgpu: boolean }): string[] {
  return [...BASE, ...(opts.webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : ['--disable-gpu'])];
}

/** The fake microphone plays `wav` once (`%noloop`) from the moment getUserMedia opens the track. */
export function micChromiumArgs(wav: string): string[] {
  return [
    ...benchChromiumArgs({ webgpu: false }),
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}%noloop`,
    // A headless page counts as hidden to some timers; keep rAF and message delivery unthrottled.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
  ];
}
