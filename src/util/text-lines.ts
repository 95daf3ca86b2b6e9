/** Line-oriented text files (hosts files, block lists): numbered lines without comments and blanks. */

/** A line that could not be read, with its number and why. */
export interface BadLine { line: number; text: string; why: string }

/** The lines of a text with their numbers, comments and blank lines dropped (CRLF tolerated). */
export function* textLines(text: string, comment: RegExp): Generator<{ no: number; text: string }> {
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const t = all[i].replace(/\r$/, '').replace(comment, '').trim();
    if (t !== '') yield { no: i + 1, text: t };
  }
}
