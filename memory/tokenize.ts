import { EQUIVALENTS, KINDS, PHRASES, STOPWORDS } from "./vocabulary.ts";

/** Dotted numbers (addresses, CIDRs, versions) stay whole: 10.0.48.192 and 10.0.45.192 differ. */
const WORD = /\d+(?:\.\d+)+(?:\/\d+)?|[\p{L}\p{N}]+/gu;
const VOWEL = /[aeiouy]/;
const DIGITS = /^\d+$/;
const LETTER = /^\p{L}/u;
const NONE: readonly string[] = [];

/**
 * Text → search tokens: lowercase words, stopwords dropped, a light stem (plural s, -ing, -ed,
 * final e), infra synonyms folded, phrases joined, a count bound to the word after it ("4*subnet"),
 * kinds added after the product that implies them ("haproxy" → "haproxy loadbalancer"). The same function serves queries and documents, so both
 * sides always agree.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  scan(
    text,
    (token) => tokens.push(token),
    (kind) => tokens.push(kind),
  );
  return tokens;
}

/**
 * The same tokens split in two: what the text says, and kinds it only implies. A query counts what
 * it says; the implied kinds only help it recognise a document's words ("postgres" covers a goal
 * that said "database").
 */
export function analyze(text: string): { stated: string[]; implied: string[] } {
  const stated: string[] = [];
  const kinds: string[] = [];
  scan(
    text,
    (token) => stated.push(token),
    (kind) => kinds.push(kind),
  );
  const said = new Set(stated);
  return { stated, implied: [...new Set(kinds)].filter((kind) => !said.has(kind)) };
}

function scan(text: string, onToken: (token: string) => void, onKind: (kind: string) => void): void {
  const words: string[] = [];
  for (const raw of text.toLowerCase().match(WORD) ?? NONE) {
    for (const word of foldWord(raw)) words.push(word);
  }
  const tokens: string[] = [];
  for (let index = 0; index < words.length; index++) {
    let token = words[index]!;
    const joined = PHRASE_SECONDS.get(token)?.get(words[index + 1] ?? "");
    if (joined) {
      token = joined;
      index++;
    }
    if (token.length >= 2 || DIGITS.test(token)) tokens.push(token);
  }
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    onToken(token);
    // A count binds to what it counts: "4 subnets and 2 vms" is not "2 subnets and 4 vms".
    const next = tokens[index + 1];
    if (next !== undefined && token.length <= 3 && DIGITS.test(token) && LETTER.test(next))
      onToken(`${token}*${next}`);
    for (const kind of KINDS[token] ?? NONE) onKind(kind);
  }
}

/** A light suffix stripper: enough to meet "routes"/"routing"/"routed", not a full Porter stemmer. */
export function stem(word: string): string {
  if (word.length <= 3 || DIGITS.test(word)) return word;
  let w = word;
  if (w.endsWith("ies") && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is|as)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing")) w = stripSuffix(w, 3);
  else if (w.endsWith("ed")) w = stripSuffix(w, 2);
  if (w.endsWith("e") && w.length > 4) w = w.slice(0, -1);
  return w;
}

function stripSuffix(word: string, length: number): string {
  const base = word.slice(0, -length);
  if (base.length < 3 || !VOWEL.test(base)) return word;
  // "running" → "run", "logged" → "log"; "install" keeps its double l.
  const last = base.at(-1)!;
  if (base.length > 3 && last === base.at(-2) && !"lsz".includes(last) && !VOWEL.test(last))
    return base.slice(0, -1);
  return base;
}

/** One lowercase word → its folded tokens (none for a stopword); memoised, as documents repeat words. */
function foldWord(raw: string): readonly string[] {
  const cached = WORD_CACHE.get(raw);
  if (cached) return cached;
  let folded: readonly string[];
  if (raw.includes(".")) folded = [raw];
  else {
    const stemmed = stem(raw);
    if (STOPWORDS.has(raw) || STOPWORDS.has(stemmed)) folded = NONE;
    else folded = EQUIVALENTS[raw] ?? STEMMED_EQUIVALENTS.get(stemmed) ?? [stemmed];
  }
  if (WORD_CACHE.size > 100_000) WORD_CACHE.clear();
  WORD_CACHE.set(raw, folded);
  return folded;
}

const WORD_CACHE = new Map<string, readonly string[]>();
const STEMMED_EQUIVALENTS = new Map(
  Object.entries(EQUIVALENTS).map(([word, tokens]) => [stem(word), tokens]),
);
/** First word's stem → second word's stem → the joined token. */
const PHRASE_SECONDS = new Map<string, Map<string, string>>();
for (const [first, second, token] of PHRASES) {
  const seconds = PHRASE_SECONDS.get(stem(first)) ?? new Map<string, string>();
  seconds.set(stem(second), token);
  PHRASE_SECONDS.set(stem(first), seconds);
}
