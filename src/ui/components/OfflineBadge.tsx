import { useEffect, useState } from 'react';
import { isCached, offlineFiles, offlineState, type OfflineInputs, type OfflineState } from '../../store/offline';
import { useRecognizerState } from '../../store/useRecognizer';
import { cachedCopies, keepOffline, serviceWorkerRegistered, whenControlled } from '../serviceWorker';

const TEXT: Record<Exclude<OfflineState, 'off'>, { label: string; title: string }> = {
  saving: { label: 'Saving for offline use…', title: 'Storing the app and this level’s model in the browser' },
  ready: {
    label: 'Available offline',
    title: 'The app and this level’s model are stored in the browser: reloading works without a network',
  },
  incomplete: {
    label: 'Not available offline',
    title: 'Some of this level’s files could not be stored in the browser; the app needs the network to reload',
  },
};

/** The offline state of the running level, next to the model status; nothing without a service worker (dev). */
export function OfflineBadge() {
  const manifest = useRecognizerState((s) => s.manifest);
  const manifestUrl = useRecognizerState((s) => s.manifestUrl);
  const level = useRecognizerState((s) => s.activeLevel);
  const pass = useRecognizerState((s) => s.activeFinalPass);
  const [inputs, setInputs] = useState<OfflineInputs>(() => ({
    registered: serviceWorkerRegistered(),
    controlled: false,
    files: null,
    cached: new Map(),
    stored: false,
  }));

  useEffect(() => {
    if (!serviceWorkerRegistered()) return;
    const files = manifest && manifestUrl && level ? offlineFiles(manifest, new URL(manifestUrl, location.href).href, level, pass) : null;
    let live = true;
    const update = (patch: Partial<OfflineInputs>): void => {
      if (live) setInputs((i) => ({ ...i, ...patch }));
    };
    update({ files, cached: new Map(), stored: false });
    void (async () => {
      const worker = await whenControlled();
      update({ controlled: true });
      if (!files) return;
      const before = await cachedCopies(files);
      update({ cached: before });
      // Files fetched after the worker took control are cached as they were fetched; the rest it fetches now.
      const missing = files.filter((f) => !isCached(f, before));
      if (missing.length > 0) await keepOffline(worker, missing.map((f) => f.url));
      update({ cached: await cachedCopies(files), stored: true });
    })();
    return () => {
      live = false;
    };
  }, [manifest, manifestUrl, level, pass]);

  const state = offlineState(inputs);
  if (state === 'off' || manifest === null) return null;
  return (
    <span className={`offline-badge offline-${state}`} data-testid="offline" data-state={state} title={TEXT[state].title}>
      {TEXT[state].label}
    </span>
  );
}
