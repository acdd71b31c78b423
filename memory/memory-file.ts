import { randomBytes } from "node:crypto";
import { AtomicJsonFile, corruptMemory } from "./atomic-json-file.ts";
import type { Lesson, LessonInput, Pattern, PatternInput } from "./types.ts";

/** The memory file as it sits on disk (`.mcp-iac/memory.json`). */
export interface MemoryDocument {
  version: 1;
  patterns: Pattern[];
  lessons: Lesson[];
}

export const MEMORY_VERSION = 1;

export function emptyMemory(): MemoryDocument {
  return { version: MEMORY_VERSION, patterns: [], lessons: [] };
}

/** Ids carry their kind, so `agent memory forget pat-1a2b` says what it removes. */
export function newId(kind: "pat" | "les"): string {
  return `${kind}-${randomBytes(8).toString("hex")}`;
}

export function patternRecord(input: PatternInput, now: string): Pattern {
  return { ...input, id: newId("pat"), uses: 1, createdAt: now, lastUsedAt: now };
}

export function lessonRecord(input: LessonInput, now: string): Lesson {
  return { ...input, id: newId("les"), uses: 1, createdAt: now };
}

/**
 * Writes a whole memory at once (atomically). The bench and tests seed large memories with it;
 * the store itself writes through lowdb with the same adapter.
 */
export async function writeMemoryFile(file: string, document: MemoryDocument): Promise<void> {
  checkMemoryDocument(file, document);
  await new AtomicJsonFile<MemoryDocument>(file).write(document);
}

/**
 * Checks what was read before anything trusts it: a file of the wrong shape is reported, never
 * "repaired" by dropping what it holds.
 */
export function checkMemoryDocument(file: string, value: unknown): asserts value is MemoryDocument {
  if (!isObject(value)) throw corruptMemory(file, "does not hold a JSON object");
  if (typeof value["version"] !== "number") throw corruptMemory(file, `has no "version" number`);
  if (value["version"] > MEMORY_VERSION) {
    throw corruptMemory(
      file,
      `was written by a newer mcp-iac (format ${value["version"]}, this one reads ${MEMORY_VERSION})`,
    );
  }
  const patterns = value["patterns"];
  const lessons = value["lessons"];
  if (!Array.isArray(patterns)) throw corruptMemory(file, `has no "patterns" list`);
  if (!Array.isArray(lessons)) throw corruptMemory(file, `has no "lessons" list`);
  patterns.forEach((pattern: unknown, index) => {
    const problem = patternProblem(pattern);
    if (problem) throw corruptMemory(file, `has a broken entry at patterns[${index}]: ${problem}`);
  });
  lessons.forEach((lesson: unknown, index) => {
    const problem = lessonProblem(lesson);
    if (problem) throw corruptMemory(file, `has a broken entry at lessons[${index}]: ${problem}`);
  });
}

function patternProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  for (const key of ["id", "goal", "deployment", "createdAt", "lastUsedAt", "planner"]) {
    if (typeof value[key] !== "string") return `"${key}" is not a string`;
  }
  if (typeof value["uses"] !== "number") return `"uses" is not a number`;
  if (!Array.isArray(value["providers"])) return `"providers" is not a list`;
  const spec = value["spec"];
  if (!isObject(spec) || typeof spec["name"] !== "string" || !Array.isArray(spec["resources"])) {
    return `"spec" is not { name, resources }`;
  }
  const bad = spec["resources"].findIndex(
    (resource: unknown) =>
      !isObject(resource) ||
      typeof resource["type"] !== "string" ||
      typeof resource["name"] !== "string" ||
      !isObject(resource["properties"]),
  );
  return bad >= 0 ? `spec.resources[${bad}] is not { type, name, properties }` : undefined;
}

function lessonProblem(value: unknown): string | undefined {
  if (!isObject(value)) return "not an object";
  for (const key of ["id", "errorCode", "type", "context", "fix", "createdAt"]) {
    if (typeof value[key] !== "string") return `"${key}" is not a string`;
  }
  return typeof value["uses"] === "number" ? undefined : `"uses" is not a number`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
