import { Low } from "lowdb";
import { AtomicJsonFile } from "./atomic-json-file.ts";
import { Bm25Index } from "./bm25-index.ts";
import { lessonDocument, patternDocument } from "./documents.ts";
import { MemoryError } from "./errors.ts";
import {
  checkMemoryDocument,
  emptyMemory,
  lessonRecord,
  type MemoryDocument,
  patternRecord,
} from "./memory-file.ts";
import {
  checkLimit,
  fileSignature,
  lessonInputProblem,
  lessonKey,
  lessonScore,
  patternInputProblem,
  patternShape,
  plural,
  round,
} from "./store-rules.ts";
import { analyze } from "./tokenize.ts";
import type {
  Lesson,
  LessonInput,
  LessonQuery,
  MemoryStore,
  Pattern,
  PatternInput,
  SearchHit,
} from "./types.ts";

const DEFAULT_LIMIT = 5;

/**
 * The memory as one lowdb JSON file. Everything is loaded on first use and searched in memory; each
 * change is written atomically. Another process (a second terminal running `agent memory forget`)
 * may change the file: each operation notices a file that changed on disk and reloads it first.
 */
export function createMemoryStore(options: { file: string }): MemoryStore {
  return new FileMemoryStore(options.file);
}

class FileMemoryStore implements MemoryStore {
  private readonly file: string;
  private readonly db: Low<MemoryDocument>;
  private loaded = false;
  private closed = false;
  private signature = "";
  private queue: Promise<unknown> = Promise.resolve();
  private patternIndex = new Bm25Index();
  private lessonIndex = new Bm25Index();
  /** Index slot → position-independent record, and back. */
  private patternSlots: Pattern[] = [];
  private patternSlotById = new Map<string, number>();
  private patternIdByShape = new Map<string, string>();
  private lessonSlots: Lesson[] = [];
  private lessonSlotById = new Map<string, number>();
  private lessonIdByKey = new Map<string, string>();

  constructor(file: string) {
    this.file = file;
    this.db = new Low(new AtomicJsonFile<MemoryDocument>(file), emptyMemory());
  }

  describe(): string {
    if (!this.loaded) return `lowdb file ${this.file}`;
    const { patterns, lessons } = this.db.data;
    return `lowdb file ${this.file}: ${plural(patterns.length, "pattern")}, ${plural(lessons.length, "lesson")}`;
  }

  savePattern(input: PatternInput): Promise<Pattern> {
    return this.change(() => {
      const problem = patternInputProblem(input);
      if (problem) throw new MemoryError("MEMORY_INVALID", `cannot remember this pattern: ${problem}`);
      const now = new Date().toISOString();
      const shape = patternShape(input);
      const existingId = this.patternIdByShape.get(shape);
      const existing = existingId === undefined ? undefined : this.findPattern(existingId);
      if (existing) {
        // The newest successful spec for the same request is the one worth reusing.
        Object.assign(existing, {
          deployment: input.deployment,
          spec: structuredClone(input.spec),
          providers: [...input.providers],
          planner: input.planner,
          uses: existing.uses + 1,
          lastUsedAt: now,
        });
        this.unindexPattern(existing.id);
        this.indexPattern(existing);
        return { value: structuredClone(existing), changed: true };
      }
      const pattern = patternRecord(structuredClone(input), now);
      this.db.data.patterns.push(pattern);
      this.indexPattern(pattern);
      return { value: structuredClone(pattern), changed: true };
    });
  }

  searchPatterns(
    goal: string,
    options: { limit?: number; minScore?: number } = {},
  ): Promise<SearchHit<Pattern>[]> {
    return this.read(() => {
      const limit = checkLimit(options.limit ?? DEFAULT_LIMIT);
      const minScore = options.minScore ?? 0;
      const { stated, implied } = analyze(goal);
      const byUse = (a: number, b: number) => {
        const first = this.patternSlots[a]!;
        const second = this.patternSlots[b]!;
        return second.uses - first.uses || second.lastUsedAt.localeCompare(first.lastUsedAt);
      };
      return this.patternIndex.search(stated, { limit, minScore, tieBreak: byUse }, implied).map((hit) => ({
        item: structuredClone(this.patternSlots[hit.slot]!),
        score: round(hit.score),
      }));
    });
  }

  markUsed(id: string): Promise<void> {
    return this.change(() => {
      const pattern = this.findPattern(id);
      if (!pattern) return { value: undefined, changed: false };
      pattern.uses++;
      pattern.lastUsedAt = new Date().toISOString();
      return { value: undefined, changed: true };
    });
  }

  listPatterns(): Promise<Pattern[]> {
    return this.read(() =>
      structuredClone(this.db.data.patterns).sort(
        (a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt) || b.createdAt.localeCompare(a.createdAt),
      ),
    );
  }

  saveLesson(input: LessonInput): Promise<Lesson> {
    return this.change(() => {
      const problem = lessonInputProblem(input);
      if (problem) throw new MemoryError("MEMORY_INVALID", `cannot remember this lesson: ${problem}`);
      const key = lessonKey(input);
      const existingId = this.lessonIdByKey.get(key);
      const existing =
        existingId === undefined
          ? undefined
          : this.db.data.lessons.find((lesson) => lesson.id === existingId);
      if (existing) {
        existing.uses++;
        existing.context = input.context;
        this.unindexLesson(existing.id);
        this.indexLesson(existing);
        return { value: structuredClone(existing), changed: true };
      }
      const lesson = lessonRecord({ ...input }, new Date().toISOString());
      this.db.data.lessons.push(lesson);
      this.indexLesson(lesson);
      return { value: structuredClone(lesson), changed: true };
    });
  }

  findLessons(query: LessonQuery, limit = DEFAULT_LIMIT): Promise<SearchHit<Lesson>[]> {
    return this.read(() => {
      checkLimit(limit);
      const text = query.text?.trim() ? query.text : undefined;
      const textScores = new Map<number, number>();
      if (text) {
        const { stated, implied } = analyze(text);
        for (const hit of this.lessonIndex.search(
          stated,
          { limit: Number.MAX_SAFE_INTEGER, minScore: 0 },
          implied,
        )) {
          textScores.set(hit.slot, hit.score);
        }
      }
      const hits: SearchHit<Lesson>[] = [];
      for (const lesson of this.db.data.lessons) {
        const textScore = text ? (textScores.get(this.lessonSlotById.get(lesson.id)!) ?? 0) : undefined;
        const score = lessonScore(lesson, query, textScore);
        if (score > 0) hits.push({ item: lesson, score });
      }
      hits.sort(
        (a, b) =>
          b.score - a.score || b.item.uses - a.item.uses || b.item.createdAt.localeCompare(a.item.createdAt),
      );
      return hits
        .slice(0, limit)
        .map((hit) => ({ item: structuredClone(hit.item), score: round(hit.score) }));
    });
  }

  listLessons(): Promise<Lesson[]> {
    return this.read(() =>
      structuredClone(this.db.data.lessons).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
    );
  }

  forget(idOrPrefix: string): Promise<number> {
    return this.change(() => {
      const wanted = idOrPrefix.trim();
      if (!wanted)
        throw new MemoryError(
          "MEMORY_BAD_ID",
          "give the id (or the start of it) of a pattern or lesson to forget",
          { exitCode: 2 },
        );
      const ids = [...this.db.data.patterns.map((p) => p.id), ...this.db.data.lessons.map((l) => l.id)];
      let matches = ids.filter((id) => id === wanted);
      if (matches.length === 0) {
        // The kind prefix is optional: "1a2b" finds "pat-1a2b…".
        matches = ids.filter(
          (id) => id.startsWith(wanted) || id.slice(id.indexOf("-") + 1).startsWith(wanted),
        );
      }
      if (matches.length === 0) return { value: 0, changed: false };
      if (matches.length > 1) {
        const shown = matches.slice(0, 5).join(", ");
        throw new MemoryError(
          "MEMORY_AMBIGUOUS_ID",
          `"${wanted}" matches ${matches.length} remembered items (${shown}${matches.length > 5 ? ", …" : ""})`,
          { exitCode: 2, hint: "give more characters of the id; `agent memory list` shows them" },
        );
      }
      const id = matches[0]!;
      if (this.patternSlotById.has(id)) {
        this.unindexPattern(id);
        this.db.data.patterns = this.db.data.patterns.filter((pattern) => pattern.id !== id);
      } else {
        this.unindexLesson(id);
        this.db.data.lessons = this.db.data.lessons.filter((lesson) => lesson.id !== id);
      }
      return { value: 1, changed: true };
    });
  }

  forgetAll(): Promise<number> {
    return this.change(() => {
      const removed = this.db.data.patterns.length + this.db.data.lessons.length;
      if (removed === 0) return { value: 0, changed: false };
      this.db.data = emptyMemory();
      this.rebuildIndexes();
      return { value: removed, changed: true };
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.closed = true;
    this.patternIndex = new Bm25Index();
    this.lessonIndex = new Bm25Index();
    this.patternSlots = [];
    this.lessonSlots = [];
  }

  /** Runs a read after earlier operations, on a fresh view of the file. */
  private read<T>(task: () => T): Promise<T> {
    return this.serial(async () => {
      await this.refresh();
      return task();
    });
  }

  /** Runs a change and writes it, unless the task says nothing changed. */
  private change<T>(task: () => { value: T; changed: boolean }): Promise<T> {
    return this.serial(async () => {
      await this.refresh();
      const { value, changed } = task();
      if (changed) {
        try {
          await this.db.write();
        } catch (error) {
          // What is in memory now differs from the file; reload the file before the next operation.
          this.loaded = false;
          throw error;
        }
        this.signature = await fileSignature(this.file);
      }
      return value;
    });
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed)
      return Promise.reject(new MemoryError("MEMORY_CLOSED", `the memory store ${this.file} is closed`));
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => {});
    return next;
  }

  private async refresh(): Promise<void> {
    const signature = await fileSignature(this.file);
    if (this.loaded && signature === this.signature) return;
    // lowdb keeps the old data when the file is gone; a deleted file is an empty memory.
    this.db.data = emptyMemory();
    await this.db.read();
    checkMemoryDocument(this.file, this.db.data);
    this.signature = signature;
    this.loaded = true;
    this.rebuildIndexes();
  }

  private rebuildIndexes(): void {
    this.patternIndex = new Bm25Index();
    this.lessonIndex = new Bm25Index();
    this.patternSlots = [];
    this.patternSlotById.clear();
    this.patternIdByShape.clear();
    this.lessonSlots = [];
    this.lessonSlotById.clear();
    this.lessonIdByKey.clear();
    for (const pattern of this.db.data.patterns) this.indexPattern(pattern);
    for (const lesson of this.db.data.lessons) this.indexLesson(lesson);
  }

  private indexPattern(pattern: Pattern): void {
    const document = patternDocument(pattern);
    const slot = this.patternIndex.add(document.tokens, document.title);
    this.patternSlots[slot] = pattern;
    this.patternSlotById.set(pattern.id, slot);
    this.patternIdByShape.set(patternShape(pattern), pattern.id);
  }

  private unindexPattern(id: string): void {
    const slot = this.patternSlotById.get(id);
    if (slot === undefined) return;
    const pattern = this.patternSlots[slot]!;
    this.patternIndex.remove(slot);
    this.patternSlotById.delete(id);
    const shape = patternShape(pattern);
    if (this.patternIdByShape.get(shape) === id) this.patternIdByShape.delete(shape);
  }

  private indexLesson(lesson: Lesson): void {
    const document = lessonDocument(lesson);
    const slot = this.lessonIndex.add(document.tokens, document.title);
    this.lessonSlots[slot] = lesson;
    this.lessonSlotById.set(lesson.id, slot);
    this.lessonIdByKey.set(lessonKey(lesson), lesson.id);
  }

  private unindexLesson(id: string): void {
    const slot = this.lessonSlotById.get(id);
    if (slot === undefined) return;
    const lesson = this.lessonSlots[slot]!;
    this.lessonIndex.remove(slot);
    this.lessonSlotById.delete(id);
    const key = lessonKey(lesson);
    if (this.lessonIdByKey.get(key) === id) this.lessonIdByKey.delete(key);
  }

  private findPattern(id: string): Pattern | undefined {
    const slot = this.patternSlotById.get(id);
    return slot === undefined ? undefined : this.patternSlots[slot];
  }
}
