const WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  single: 1,
  two: 2,
  "a couple of": 2,
  "a pair of": 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/** An alternation of the number words, longest first so "a couple of" wins over shorter ones. */
export const NUMBER_WORD_PATTERN = Object.keys(WORDS)
  .sort((a, b) => b.length - a.length)
  .join("|");

/** A count written in digits or as a number word (zero to ten). */
export function parseCount(token: string): number | undefined {
  const trimmed = token.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return WORDS[trimmed];
}
