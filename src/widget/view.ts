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

export interface WidgetViewOptions {
  /** the finals go into a page field (`for`): the widget then shows only the latest one, the field has them all */
  intoField?: boolean;
  /** that field's label: two widgets on a page need distinct button names for screen-reader users */
  fieldName?: string | null;
}

export function widgetView(
  s: Pick<RecognizerState, 'status' | 'manifest' | 'finals' | 'partial' | 'errors'>,
  opts: WidgetViewOptions = {},
): WidgetView {
  const listening = s.status === 'listening';
  const newest = s.errors.at(-1);
  const statusNote =
    s.status === 'loading' || (s.manifest === null && newest === undefined)
      ? 'Loading speech model…'
      : listening
        ? 'Listening…'
        : s.status === 'stopping'
          ? 'Finishing…'
          : s.status === 'file'
            ? 'Transcribing file…'
            : '';
  const finals = opts.intoField ? s.finals.slice(-1) : s.finals;
  const target = opts.fieldName ? ` into ${opts.fieldName}` : '';
  return {
    buttonLabel: `${listening ? 'Stop' : 'Start'} dictation${target}`,
    buttonDisabled: s.manifest === null || (s.status !== 'idle' && !listening),
    listening,
    finalText: finals.map((f) => f.text.trim()).join(' '),
    partial: s.partial,
    note: newest ? errorText(newest.code, newest.message).title : statusNote,
    isError: newest !== undefined,
  };
}
