// useOmnisparse() in a React app with its own UI, built by the app's Vite config (served at /examples/react.html).
// In your app the imports are 'omnisparse' and 'omnisparse/react'; the `?url` imports are the bundler recipe for
// onnxruntime's runtime files (Vite emits them as hashed assets and hands back their URLs).
import { StrictMode, type ChangeEvent } from 'react';
import { createRoot } from 'react-dom/client';
import wasmMjs from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import wasmBinary from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import { configureOmnisparse } from '../src/lib';
import { useOmnisparse } from '../src/lib/react';

configureOmnisparse({ wasm: { mjs: wasmMjs, wasm: wasmBinary } });

function Dictation() {
  const { state, toggle, transcribeFile, setLevel } = useOmnisparse({ models: '../models/' });
  const onFile = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (file) void transcribeFile(file);
  };
  return (
    <main>
      <h1>My own dictation UI</h1>
      <button type="button" onClick={() => void toggle()} disabled={!state.ready && !state.listening} data-testid="toggle">
        {state.listening ? 'Stop' : 'Dictate'}
      </button>
      <input type="file" accept="audio/*" onChange={onFile} data-testid="file" aria-label="Transcribe a file" />
      <select value={state.auto ? 'auto' : (state.level ?? '')} onChange={(e) => void setLevel(e.target.value)} aria-label="Model size">
        <option value="auto">auto</option>
        {state.levels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.label}
          </option>
        ))}
      </select>
      <p data-testid="status" data-ready={String(state.ready)}>
        {state.status} · {state.backend ?? '…'} · {state.level ?? '…'}
      </p>
      <p data-testid="text" aria-live="polite">
        {state.text}
      </p>
      {state.error && <p role="alert">{state.error.message}</p>}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Dictation />
  </StrictMode>,
);
