import { describe, expect, it } from 'vitest';
import { firstRendered, TRANSCRIPT_PAGE } from './transcriptWindow';

describe('firstRendered', () => {
  it('renders everything while the transcript fits one page', () => {
    expect(firstRendered(0, 0)).toBe(0);
    expect(firstRendered(TRANSCRIPT_PAGE, 0)).toBe(0);
  });
  it('renders the newest page of a long transcript, and a page more per request', () => {
    expect(firstRendered(1000, 0, 200)).toBe(800);
    expect(firstRendered(1000, 1, 200)).toBe(600);
    expect(firstRendered(1000, 9, 200)).toBe(0);
    expect(firstRendered(1000, -1, 200)).toBe(800);
  });
});
