// What the widget shows for a given store state: a pure projection so the DOM layer stays a thin, dumb renderer.
import type { RecognizerState } from '../store/store';
import { errorText } from '../ui/errorText';

export interface WidgetView {
  buttonLabel: string;
  buttonDisabled: boolean;
  listening: boolean;
  finalText: string;
  partial: string;
  /** one short line: the newest error, else the status */
  note: string;
  isError: boolean;
}

export function widgetView(s: Pick<RecognizerState, 'status' | 'manifest' | 'finals' | 'partial' | 'errors'>): WidgetView {
  const listening = s.status === 'listening';
  const newest = s.errors.at(-1);
  const statusNote =
    s.status === 'loading' || (s.manifest === null && newest === undefined)
      ? 'Loading speech model…'
      : listening
        ? 'Listening…'
        : s.status === 'stopping'
          ? 'Finishing…'
          : '';
  return {
    buttonLabel: listening ? 'Stop dictation' : 'Start dictation',
    buttonDisabled: s.manifest === null || (s.status !== 'idle' && !listening),
    listening,
    finalText: s.finals.map((f) => f.text.trim()).join(' '),
    partial: s.partial,
    note: newest ? errorText(newest.code).title : statusNote,
    isError: newest !== undefined,
  };
}
