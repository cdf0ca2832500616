// The transcript pane keeps every final line in the store (Copy takes them all) but renders only the newest ones:
// an hour of dictation is hundreds of lines and thousands of word spans, and a DOM that grows without bound slows
// every later paint. Earlier lines come back a page at a time on request.

/** Lines rendered by default, and added per "show earlier" click. */
export const TRANSCRIPT_PAGE = 200;

/** Index of the first rendered line, given how many pages of earlier lines the reader asked for. */
export function firstRendered(total: number, earlierPages: number, page = TRANSCRIPT_PAGE): number {
  return Math.max(0, total - page * (1 + Math.max(0, earlierPages)));
}
