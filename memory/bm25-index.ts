/**
 * An in-memory BM25 index with an inverted list per term, updated on every add and remove, so a
 * search touches only the documents that share a term with the query.
 *
 * Raw BM25 ranks, but its scale depends on the query and the corpus, so each hit also gets a
 * similarity in 0..1 that a caller can threshold:
 *
 *   recall    = Σ over query terms of idf · match, ÷ Σ over query terms of idf
 *               (how much of the request the document covers; match is 1 for a title term, else
 *               min(1, the term's BM25 saturation), so one mention in a long spec counts for less)
 *   precision = Σ over the document's title terms also in the query (said or implied) of idf
 *               ÷ Σ over its title terms of idf           (how much of what the document was for was asked)
 *   score     = recall · (1 − w + w · precision), w = 0.75 for documents with a title, else recall
 *
 * The same goal scores 1; a document that covers the request but was built for much more (or whose
 * goal words are unrelated) is held below the reuse threshold; nothing in common scores 0.
 */
export interface IndexHit {
  slot: number;
  score: number;
  bm25: number;
}

export interface SearchOptions {
  limit: number;
  minScore: number;
  /** Orders hits whose score and BM25 are equal (e.g. more uses first); slot order otherwise. */
  tieBreak?: (a: number, b: number) => number;
}

const K1 = 1.2;
const B = 0.75;
/** Pretend this many unrelated documents exist so a young memory does not let one unseen word dominate. */
const PRIOR_DOCUMENTS = 20;
const TITLE_WEIGHT = 0.75;
const BUCKETS = 64;

/** Term ids are dense, so per-term and per-document figures live in typed arrays. */
interface Postings {
  slots: number[];
  tfs: number[];
  inTitle: number[];
}

export class Bm25Index {
  private readonly termIds = new Map<string, number>();
  private readonly postings: Postings[] = [];
  private documentFrequency: number[] = [];
  private readonly terms: Array<Int32Array | undefined> = [];
  private readonly titles: Array<Int32Array | undefined> = [];
  private lengths = new Float64Array(64);
  private liveCount = 0;
  private deadCount = 0;
  private totalLength = 0;
  /** Bumped on every change; cached idf and title weights older than this are recomputed. */
  private generation = 1;
  private idfCache = new Float64Array(64);
  private idfGeneration = new Uint32Array(64);
  private titleWeight = new Float64Array(64);
  private titleGeneration = new Uint32Array(64);
  private scratchBm25 = new Float64Array(64);
  private scratchRecall = new Float64Array(64);
  private scratchTitle = new Float64Array(64);
  private scratchSeen = new Uint8Array(64);

  get size(): number {
    return this.liveCount;
  }

  /** Indexes a document; `title` tokens count as present even if `tokens` lacks them. Returns its slot. */
  add(tokens: readonly string[], title: readonly string[] = []): number {
    const slot = this.terms.length;
    this.growDocuments(slot + 1);
    const counts = new Map<number, number>();
    for (const token of tokens) {
      const id = this.intern(token);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const titleIds = new Set(title.map((token) => this.intern(token)));
    for (const id of titleIds) if (!counts.has(id)) counts.set(id, 1);
    for (const [id, tf] of counts) {
      const list = this.postings[id]!;
      list.slots.push(slot);
      list.tfs.push(tf);
      list.inTitle.push(titleIds.has(id) ? 1 : 0);
      this.documentFrequency[id]!++;
    }
    this.terms.push(Int32Array.from(counts.keys()));
    this.titles.push(Int32Array.from(titleIds));
    this.lengths[slot] = tokens.length;
    this.totalLength += tokens.length;
    this.liveCount++;
    this.generation++;
    return slot;
  }

  /** Drops a document; its postings are skipped until enough are dead to compact. */
  remove(slot: number): void {
    const ids = this.terms[slot];
    if (!ids) return;
    for (const id of ids) this.documentFrequency[id]!--;
    this.terms[slot] = undefined;
    this.titles[slot] = undefined;
    this.totalLength -= this.lengths[slot] ?? 0;
    this.liveCount--;
    this.deadCount++;
    this.generation++;
    if (this.deadCount > 64 && this.deadCount > this.liveCount) this.compactPostings();
  }

  /**
   * `query` holds the terms the query says; `implied` the kinds they imply, which count towards a
   * document's title coverage but are not asked for in their own right.
   */
  search(query: readonly string[], options: SearchOptions, implied: readonly string[] = []): IndexHit[] {
    if (this.liveCount === 0) return [];
    const unique = [...new Set(query)];
    if (unique.length === 0) return [];
    const said = new Set(unique);
    const { touched, queryWeight } = this.scoreSaidTerms(unique);
    this.addImpliedTitles([...new Set(implied)].filter((term) => !said.has(term)));
    const best = this.rank(touched, queryWeight, options);
    for (const slot of touched) {
      this.scratchBm25[slot] = 0;
      this.scratchRecall[slot] = 0;
      this.scratchTitle[slot] = 0;
    }
    return best;
  }

  /** BM25, recall and title weight per reached document, into the scratch arrays; which it reached. */
  private scoreSaidTerms(unique: readonly string[]): { touched: number[]; queryWeight: number } {
    const averageLength = Math.max(1, this.totalLength / this.liveCount);
    const lengthFactor = (K1 * B) / averageLength;
    const base = K1 * (1 - B);
    const bm25 = this.scratchBm25;
    const recall = this.scratchRecall;
    const titleHits = this.scratchTitle;
    const lengths = this.lengths;
    const seen = this.scratchSeen;
    const touched: number[] = [];
    let queryWeight = 0;
    for (const term of unique) {
      const id = this.termIds.get(term);
      if (id === undefined) {
        queryWeight += this.idfOf(0);
        continue;
      }
      const idf = this.idf(id);
      queryWeight += idf;
      const { slots, tfs, inTitle } = this.postings[id]!;
      for (let index = 0; index < slots.length; index++) {
        const slot = slots[index]!;
        if (this.terms[slot] === undefined) continue;
        const tf = tfs[index]!;
        const saturation = (tf * (K1 + 1)) / (tf + base + lengthFactor * lengths[slot]!);
        if (seen[slot] === 0) {
          seen[slot] = 1;
          touched.push(slot);
        }
        bm25[slot]! += idf * saturation;
        if (inTitle[index] === 1) {
          recall[slot]! += idf;
          titleHits[slot]! += idf;
        } else recall[slot]! += saturation < 1 ? idf * saturation : idf;
      }
    }
    return { touched, queryWeight };
  }

  /** Implied kinds only add title coverage to documents the said terms already reached. */
  private addImpliedTitles(impliedOnly: readonly string[]): void {
    const seen = this.scratchSeen;
    for (const term of impliedOnly) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const idf = this.idf(id);
      const { slots, inTitle } = this.postings[id]!;
      for (let index = 0; index < slots.length; index++) {
        if (inTitle[index] === 1 && seen[slots[index]!] === 1) this.scratchTitle[slots[index]!]! += idf;
      }
    }
  }

  /**
   * A score never exceeds its recall, so documents are scored by recall bands, highest first, and
   * the walk stops once no remaining one can enter the top `limit`: title weights (recomputed
   * after every change to the corpus) are only needed for the few that can.
   */
  private rank(touched: readonly number[], queryWeight: number, options: SearchOptions): IndexHit[] {
    const recall = this.scratchRecall;
    const buckets: number[][] = Array.from({ length: BUCKETS }, () => []);
    for (const slot of touched) {
      this.scratchSeen[slot] = 0;
      const covered = recall[slot]! / queryWeight;
      recall[slot] = covered;
      if (covered > 0 && covered >= options.minScore)
        buckets[Math.min(BUCKETS - 1, Math.floor(covered * BUCKETS))]!.push(slot);
    }
    const tieBreak = options.tieBreak ?? ((a: number, b: number) => a - b);
    const compare = (a: IndexHit, b: IndexHit) =>
      b.score - a.score || b.bm25 - a.bm25 || tieBreak(a.slot, b.slot);
    const best: IndexHit[] = [];
    for (let bucket = BUCKETS - 1; bucket >= 0; bucket--) {
      // Everything from here down has recall below (bucket + 1) / BUCKETS.
      if (best.length === options.limit && (bucket + 1) / BUCKETS < best[best.length - 1]!.score) break;
      for (const slot of buckets[bucket]!) {
        const covered = recall[slot]!;
        if (best.length === options.limit && covered < best[best.length - 1]!.score) continue;
        const titleWeight = this.titleWeightOf(slot);
        const score =
          titleWeight > 0
            ? covered * (1 - TITLE_WEIGHT + TITLE_WEIGHT * (this.scratchTitle[slot]! / titleWeight))
            : covered;
        if (score > 0 && score >= options.minScore) {
          const hit = { slot, score: Math.min(1, score), bm25: this.scratchBm25[slot]! };
          insertRanked(best, hit, options.limit, compare);
        }
      }
    }
    return best;
  }

  private intern(token: string): number {
    let id = this.termIds.get(token);
    if (id === undefined) {
      id = this.postings.length;
      this.termIds.set(token, id);
      this.postings.push({ slots: [], tfs: [], inTitle: [] });
      this.documentFrequency.push(0);
      if (id >= this.idfCache.length) {
        this.idfCache = widen(this.idfCache, id + 1, (n) => new Float64Array(n));
        this.idfGeneration = widen(this.idfGeneration, id + 1, (n) => new Uint32Array(n));
      }
    }
    return id;
  }

  private idf(id: number): number {
    if (this.idfGeneration[id] === this.generation) return this.idfCache[id]!;
    const value = this.idfOf(this.documentFrequency[id]!);
    this.idfCache[id] = value;
    this.idfGeneration[id] = this.generation;
    return value;
  }

  private idfOf(documentFrequency: number): number {
    return Math.log(
      1 + (this.liveCount + PRIOR_DOCUMENTS - documentFrequency + 0.5) / (documentFrequency + 0.5),
    );
  }

  /** Σ idf over a document's title terms, cached until the corpus changes. */
  private titleWeightOf(slot: number): number {
    if (this.titleGeneration[slot] === this.generation) return this.titleWeight[slot]!;
    let weight = 0;
    for (const id of this.titles[slot] ?? []) weight += this.idf(id);
    this.titleWeight[slot] = weight;
    this.titleGeneration[slot] = this.generation;
    return weight;
  }

  private compactPostings(): void {
    for (const [id, list] of this.postings.entries()) {
      const kept: Postings = { slots: [], tfs: [], inTitle: [] };
      for (let index = 0; index < list.slots.length; index++) {
        if (this.terms[list.slots[index]!] === undefined) continue;
        kept.slots.push(list.slots[index]!);
        kept.tfs.push(list.tfs[index]!);
        kept.inTitle.push(list.inTitle[index]!);
      }
      this.postings[id] = kept;
    }
    this.deadCount = 0;
  }

  private growDocuments(needed: number): void {
    if (needed <= this.lengths.length) return;
    let capacity = this.lengths.length;
    while (capacity < needed) capacity *= 2;
    this.lengths = widen(this.lengths, capacity, (n) => new Float64Array(n));
    this.titleWeight = widen(this.titleWeight, capacity, (n) => new Float64Array(n));
    this.titleGeneration = widen(this.titleGeneration, capacity, (n) => new Uint32Array(n));
    this.scratchBm25 = new Float64Array(capacity);
    this.scratchRecall = new Float64Array(capacity);
    this.scratchTitle = new Float64Array(capacity);
    this.scratchSeen = new Uint8Array(capacity);
  }
}

function widen<A extends Float64Array | Uint32Array>(old: A, needed: number, make: (n: number) => A): A {
  let capacity = Math.max(64, old.length);
  while (capacity < needed) capacity *= 2;
  const next = make(capacity);
  next.set(old);
  return next;
}

/** Inserts `hit` into `best` (kept sorted by `compare`, at most `limit` long). */
function insertRanked(
  best: IndexHit[],
  hit: IndexHit,
  limit: number,
  compare: (a: IndexHit, b: IndexHit) => number,
): void {
  if (best.length === limit && compare(hit, best[limit - 1]!) >= 0) return;
  let at = best.length;
  while (at > 0 && compare(hit, best[at - 1]!) < 0) at--;
  best.splice(at, 0, hit);
  if (best.length > limit) best.pop();
}
