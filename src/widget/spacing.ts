// Spacing of dictated text against its neighbours in a field (pure; insert.ts applies it to the DOM).

/** Adds a space where the text would otherwise glue onto a neighbouring word; never doubles existing spaces. */
export function spacedInsertion(before: string, after: string, text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const lead = before === '' || /\s$/.test(before) ? '' : ' ';
  const trail = after === '' || /^[\s.,;:!?)\]]/.test(after) ? '' : ' ';
  return `${lead}${t}${trail}`;
}
