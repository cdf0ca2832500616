// Helpers of e2e/embed.spec.ts: build the library once, serve the example page (examples/serve.ts), record the
// elements' DOM events from the very first one, and drive an element through its public methods.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { E2E_DIR } from './fixtures';

const ROOT = resolve(import.meta.dirname, '..');
export const LIB_DIR = join(E2E_DIR, 'dist-lib');

/** The library exactly as `npm run build:lib` makes it (minus types), into a scratch folder. */
export function buildLibrary(): void {
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vite'), ['build', '-c', 'vite.lib.config.ts', '--outDir', LIB_DIR, '--logLevel', 'warn'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** What the specs use of <omnisparse-dictation> (structural: importing src/ here would drag Vite's module types in). */
export interface DictationElement extends HTMLElement {
  readonly state: string;
  readonly activeLevel: string | null;
  readonly recognizer: { getState(): { backend: string | null; levels: { id: string }[] } } | null;
  setLevel(level: string): Promise<void>;
  transcribeFile(file: Blob): Promise<void>;
}

export interface Recorded {
  id: string;
  type: string;
  detail: Record<string, unknown>;
}

declare global {
  interface Window {
    __events: Recorded[];
    __violations: string[];
  }
}

/**
 * Installed before any page script: the elements start loading as soon as they are defined, earlier than any test
 * code could subscribe. Events are composed and bubble, so a capturing listener on the document sees them all.
 */
export async function recordEvents(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.__events = [];
    window.__violations = [];
    for (const type of ['statechange', 'partial', 'final', 'levelchange', 'error']) {
      document.addEventListener(
        type,
        (e) => {
          if (!(e instanceof CustomEvent)) return; // 'error' also names resource load failures
          window.__events.push({ id: (e.target as Element).id, type, detail: e.detail as Record<string, unknown> });
        },
        true,
      );
    }
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

export async function eventsOf(page: Page, id: string): Promise<Recorded[]> {
  return (await page.evaluate(() => window.__events)).filter((e) => e.id === id);
}

/** Short labels for order checks: 'state:idle', 'final', ... */
export function labels(events: readonly Recorded[]): string[] {
  return events.map((e) => (e.type === 'statechange' ? `state:${String(e.detail.state)}` : e.type));
}

export async function elementState(page: Page, id: string): Promise<{ state: string; level: string | null; backend: string | null }> {
  return page.evaluate((elId) => {
    const el = document.getElementById(elId) as DictationElement;
    return { state: el.state, level: el.activeLevel, backend: el.recognizer?.getState().backend ?? null };
  }, id);
}

export async function waitReady(page: Page, id: string): Promise<void> {
  await expect(page.locator(`#${id}`).getByTestId('mic-button')).toBeEnabled({ timeout: 90_000 });
}

/** Calls the element's transcribeFile() with a wav from disk and waits until it resolved (fully final). */
export async function transcribeWith(page: Page, id: string, wavPath: string): Promise<void> {
  const base64 = readFileSync(wavPath).toString('base64');
  await page.evaluate(
    async ([elId, b64]) => {
      const bytes = Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0));
      const el = document.getElementById(elId!) as DictationElement;
      await el.transcribeFile(new File([bytes], 'clip.wav', { type: 'audio/wav' }));
    },
    [id, base64],
  );
}
