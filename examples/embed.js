// The example page's optional extras, kept out of the HTML so the page works under a strict CSP: an event log and a
// file input that calls the element's transcribeFile(). Plain JavaScript, no build step.
const EVENTS = ['statechange', 'partial', 'final', 'levelchange', 'error'];
const log = document.getElementById('log');

function describe(type, detail) {
  switch (type) {
    case 'statechange':
      return `${detail.previous ?? '∅'} → ${detail.state}${detail.ready ? ' (ready)' : ''}`;
    case 'partial':
      return JSON.stringify(detail.text);
    case 'final':
      return `${JSON.stringify(detail.text)} ${detail.words.map((w) => `${w.word}@${w.start.toFixed(2)}`).join(' ')}`;
    case 'levelchange':
      return `${detail.previous ?? '∅'} → ${detail.level}${detail.auto ? ' (auto)' : ''} in ${Math.round(detail.loadMs)} ms`;
    case 'error':
      return `${detail.code}: ${detail.message}`;
    default:
      return '';
  }
}

for (const el of document.querySelectorAll('omnisparse-dictation')) {
  for (const type of EVENTS) {
    if (type === 'partial') continue; // too chatty for a log
    el.addEventListener(type, (e) => {
      const li = document.createElement('li');
      li.textContent = `${el.id} ${type}: ${describe(type, e.detail)}`;
      log.append(li);
      li.scrollIntoView({ block: 'nearest' });
    });
  }
}

document.getElementById('notes-file').addEventListener('change', (e) => {
  const file = e.target.files?.[0];
  if (file) void document.getElementById('notes-dictation').transcribeFile(file);
});
