export { MemoryError } from "./errors.ts";
export { createMemoryStore } from "./file-store.ts";
export type {
  Lesson,
  LessonInput,
  LessonQuery,
  MemoryStore,
  Pattern,
  PatternInput,
  PatternResource,
  SearchHit,
} from "./types.ts";
