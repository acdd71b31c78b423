/** The rules of the memory store apart from its file: same-shape keys, lesson scoring, input checks. */
import { stat } from "node:fs/promises";
import { isCode } from "./atomic-json-file.ts";
import { MemoryError } from "./errors.ts";
import type { Lesson, LessonInput, LessonQuery, Pattern, PatternInput } from "./types.ts";
/**
 * Same request, same structure: the goal as words, and the resources as type, name and explicit
 * dependencies. Property values may differ; the newest successful ones replace the old.
 */
export function patternShape(pattern: Pick<Pattern, "goal" | "spec">): string {
  const goal = pattern.goal.toLowerCase().replace(/\s+/g, " ").trim();
  const resources = pattern.spec.resources
    .map(
      (resource) => `${resource.type}\t${resource.name}\t${[...(resource.dependsOn ?? [])].sort().join(",")}`,
    )
    .sort();
  return `${goal}\n${resources.join("\n")}`;
}

export function lessonKey(lesson: Pick<Lesson, "errorCode" | "type" | "fix">): string {
  return `${lesson.errorCode}\n${lesson.type}\n${lesson.fix.toLowerCase().replace(/\s+/g, " ").trim()}`;
}

/**
 * Structure first: a lesson matching every given field (error code, type) scores 0.7..1 and always
 * ranks above a partial match (0..0.65); text similarity orders within each band.
 */
export function lessonScore(lesson: Lesson, query: LessonQuery, text: number | undefined): number {
  let given = 0;
  let matched = 0;
  if (query.errorCode) {
    given++;
    if (lesson.errorCode.toUpperCase() === query.errorCode.trim().toUpperCase()) matched++;
  }
  if (query.type) {
    given++;
    if (lesson.type === query.type) matched++;
    else if (lesson.type !== "" && family(lesson.type) === family(query.type)) matched += 0.5;
  }
  if (given === 0) return text ?? 0;
  const structural = matched / given;
  if (structural === 1) return text === undefined ? 1 : 0.7 + 0.3 * text;
  return 0.65 * (text === undefined ? structural : 0.6 * structural + 0.4 * text);
}

/** "aws:rds:instance" → "aws:rds": a lesson about a sibling type is weaker evidence, not none. */
export function family(type: string): string {
  return type.split(":").slice(0, 2).join(":");
}

export function patternInputProblem(input: PatternInput): string | undefined {
  if (!input || typeof input !== "object") return "expected an object";
  if (typeof input.goal !== "string" || !input.goal.trim()) return "the goal is empty";
  if (typeof input.deployment !== "string") return "the deployment name is missing";
  if (!input.spec || typeof input.spec.name !== "string" || !Array.isArray(input.spec.resources)) {
    return "the spec is not { name, resources }";
  }
  const bad = input.spec.resources.findIndex(
    (resource) => !resource || typeof resource.type !== "string" || typeof resource.name !== "string",
  );
  if (bad >= 0) return `spec.resources[${bad}] has no type or name`;
  if (input.outcome !== "succeeded") return "only deployments that succeeded are remembered";
  if (!Array.isArray(input.providers)) return "providers is not a list";
  return typeof input.planner === "string" ? undefined : "the planner is missing";
}

export function lessonInputProblem(input: LessonInput): string | undefined {
  if (!input || typeof input !== "object") return "expected an object";
  for (const key of ["errorCode", "type", "context", "fix"] as const) {
    if (typeof input[key] !== "string") return `${key} is not a string`;
  }
  return input.errorCode.trim() ? undefined : "the error code is empty";
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new MemoryError(
      "MEMORY_BAD_LIMIT",
      `a search limit must be a whole number of at least 1, not ${limit}`,
      { exitCode: 2 },
    );
  }
  return limit;
}

export async function fileSignature(file: string): Promise<string> {
  try {
    const info = await stat(file);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch (error) {
    if (isCode(error, "ENOENT")) return "absent";
    throw error;
  }
}

export function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
