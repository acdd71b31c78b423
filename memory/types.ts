/**
 * What memory stores. These shapes are memory's own: `memory/` imports nothing from `agent/` or
 * `cli/`, so a spec is kept as the plain `{ name, resources }` object the agent hands over.
 */
export interface PatternResource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
  dependsOn?: string[];
}

/** A deployment that succeeded, with the goal that produced it. */
export interface Pattern {
  id: string;
  goal: string;
  deployment: string;
  spec: { name: string; resources: PatternResource[] };
  providers: string[];
  outcome: "succeeded";
  uses: number;
  createdAt: string;
  lastUsedAt: string;
  /** "offline", "memory" or "<provider>:<model>" (e.g. "anthropic:claude-sonnet-4-5"). */
  planner: string;
}

/** What failed on a resource type and what fixed it. */
export interface Lesson {
  id: string;
  errorCode: string;
  type: string;
  /** Short text: what failed. */
  context: string;
  /** What fixed it. */
  fix: string;
  uses: number;
  createdAt: string;
}

export interface SearchHit<T> {
  item: T;
  /** Normalised similarity, 0..1: 1 is the same request, about 0.6 and up is close enough to reuse. */
  score: number;
}

export type PatternInput = Omit<Pattern, "id" | "uses" | "createdAt" | "lastUsedAt">;
export type LessonInput = Omit<Lesson, "id" | "uses" | "createdAt">;

export interface LessonQuery {
  errorCode?: string;
  type?: string;
  text?: string;
}

export interface MemoryStore {
  /** Where the memory lives, for the run's output ("lowdb file …"). */
  describe(): string;
  /** The same goal with the same spec shape again bumps `uses` (and keeps the newest spec) instead of duplicating. */
  savePattern(input: PatternInput): Promise<Pattern>;
  /** Best first; `limit` defaults to 5, hits scoring 0 (nothing in common) are never returned. */
  searchPatterns(
    goal: string,
    options?: { limit?: number; minScore?: number },
  ): Promise<SearchHit<Pattern>[]>;
  /** Counts one more reuse; an id forgotten meanwhile is ignored. */
  markUsed(id: string): Promise<void>;
  /** Most recently used first. */
  listPatterns(): Promise<Pattern[]>;
  /** The same error code, type and fix again bumps `uses` (and keeps the newest context). */
  saveLesson(input: LessonInput): Promise<Lesson>;
  /** Exact errorCode+type matches first, then partial ones, then text similarity. */
  findLessons(query: LessonQuery, limit?: number): Promise<SearchHit<Lesson>[]>;
  /** Newest first. */
  listLessons(): Promise<Lesson[]>;
  /** A pattern or lesson id, or a unique prefix of one; returns how many were removed (0 or 1). */
  forget(idOrPrefix: string): Promise<number>;
  forgetAll(): Promise<number>;
  close(): Promise<void>;
}
