// Which onnxruntime backend a BackendChoice becomes on this page: pure, so the thread rules are unit-tested without a
// browser. backend.ts (the only onnxruntime importer) feeds it the page's facts.
import type { BackendChoice, BackendName } from './types';

/** Threads for WASM: SharedArrayBuffer exists only in cross-origin isolated contexts. */
export function wasmThreads(isolated: boolean, cores: number | undefined): number {
  return isolated ? Math.max(1, Math.min(4, cores ?? 1)) : 1;
}

export interface PageFacts {
  /** globalThis.crossOriginIsolated */
  isolated: boolean;
  cores: number | undefined;
  /** a WebGPU adapter was granted (asked for when the choice is 'auto' or 'webgpu') */
  webgpu: boolean;
}

/**
 * An explicit 'wasm-threaded' on a page that is not cross-origin isolated would make onnxruntime try to start
 * SharedArrayBuffer-backed threads it cannot have; embedders rarely control the host page's headers, so it runs on
 * one thread instead of failing. Likewise an explicit 'webgpu' without an adapter runs on WASM: onnxruntime would
 * quietly fall back per session anyway, and the badge would then claim WebGPU while WASM computes.
 */
export function pickBackend(choice: BackendChoice, facts: PageFacts): BackendName {
  if (choice === 'wasm') return choice;
  const threads = wasmThreads(facts.isolated, facts.cores);
  if (choice === 'wasm-threaded') return facts.isolated ? 'wasm-threaded' : 'wasm';
  if (facts.webgpu) return 'webgpu';
  return threads > 1 ? 'wasm-threaded' : 'wasm';
}

/**
 * onnxruntime starts its WASM threads as Workers from its own .mjs URL, and a Worker must be same-origin: with the
 * runtime on another origin (a CDN) the page may be isolated and still get no threads, so it counts as not isolated.
 */
export function threadsPossible(isolated: boolean, runtimeUrl: string | undefined, workerOrigin: string | undefined): boolean {
  if (!isolated) return false;
  if (runtimeUrl === undefined || workerOrigin === undefined) return true;
  return new URL(runtimeUrl, `${workerOrigin}/`).origin === workerOrigin;
}
