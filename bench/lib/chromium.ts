// Debian's Chromium and the flags the bench runs it with (never a Playwright-downloaded browser).
export const CHROMIUM = '/usr/bin/chromium';
export const BENCH_PORT = 4180;

const BASE = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** WebGPU here is SwiftShader (a CPU fallback adapter): enabled only for the run that reports it. */
export function benchChromiumArgs(opts: { webgpu: boolean }): string[] {
  return [...BASE, ...(opts.webgpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : ['--disable-gpu'])];
}
