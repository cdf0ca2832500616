// TEMPORARY visual harness (deleted before hand-off): renders the app against the fake client.
import { createRoot } from 'react-dom/client';
import { FakeClient } from '../store/fakeClient';
import { App } from './App';
import './app.css';

const client = new FakeClient();
createRoot(document.getElementById('root')!).render(<App createClient={() => client} manifestUrl="x" backend="auto" />);
setTimeout(() => {
  client.emit({ type: 'ready', backend: 'wasm-threaded', level: 's50' });
  client.emit({ type: 'final', text: 'please call stella and ask her', words: 'please call stella and ask her'.split(' ').map((w, i) => ({ word: w, start: i * 0.3, end: i * 0.3 + 0.25 })), level: 's50' });
  client.emit({ type: 'final', text: 'to bring these things with her from the store', words: [], level: 's80' });
  client.emit({ type: 'partial', text: 'six spoons of fresh snow peas' });
  client.emit({ type: 'status', status: 'listening' });
  for (let i = 0; i < 60; i++) client.emit({ type: 'metrics', metrics: { level: i < 30 ? 's50' : 's80', backend: 'wasm-threaded', computeMs: 20 + Math.random() * 15 - (i > 30 ? 10 : 0), audioMs: 160, rtf: 0.15, firstTokenMs: 420, modelBytes: 3_100_000 } });
  client.emit({ type: 'level', level: 's80', loadMs: 83, fromCache: false });
  client.emit({ type: 'error', code: 'mic-denied', message: 'NotAllowedError: Permission denied' });
}, 300);
