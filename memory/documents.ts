import { analyze, tokenize } from "./tokenize.ts";
import type { Lesson, Pattern, PatternResource } from "./types.ts";

/** Property values worth indexing: what a goal would mention (engines, ports, modes, counts). */
const SALIENT = new Set([
  "engine",
  "mode",
  "balance",
  "protocol",
  "port",
  "ports",
  "targetPort",
  "tag",
  "replicas",
  "instanceType",
  "instanceClass",
  "type",
  "driver",
  "action",
  "description",
  "listeners",
  "ingress",
  "image",
  "bind",
]);
/** API-group segments that would make every Kubernetes resource look like an "app". */
const NOISE_SEGMENTS = new Set(["core", "apps"]);
const MAX_VALUE_TOKENS = 12;

export interface IndexedText {
  tokens: string[];
  title: string[];
}

/**
 * A pattern's searchable text: its goal, types, names and salient values. The title is what the goal
 * says (without the kinds it implies), which is what a query must cover for the pattern to count as
 * the same request.
 */
export function patternDocument(pattern: Pick<Pattern, "goal" | "deployment" | "spec">): IndexedText {
  const goal = analyze(pattern.goal);
  const title = goal.stated;
  const tokens = [...goal.stated, ...goal.implied, ...tokenize(pattern.deployment)];
  const typeCounts = new Map<string, number>();
  for (const resource of pattern.spec.resources) {
    typeCounts.set(resource.type, (typeCounts.get(resource.type) ?? 0) + 1);
    tokens.push(...typeTokens(resource.type), ...tokenize(resource.name));
    for (const [key, value] of Object.entries(resource.properties ?? {})) {
      if (SALIENT.has(key)) tokens.push(...valueTokens(key, value, resource));
    }
  }
  // "two app servers", "3 replicas": how many of a kind is part of what was asked for.
  for (const [type, count] of typeCounts) {
    if (count < 2) continue;
    tokens.push(String(count));
    for (const token of typeTokens(type)) tokens.push(`${count}*${token}`);
  }
  return { tokens, title };
}

/** A lesson's searchable text; lessons have no title, so their score is plain coverage of the query. */
export function lessonDocument(lesson: Pick<Lesson, "errorCode" | "type" | "context" | "fix">): IndexedText {
  return {
    tokens: [
      ...tokenize(lesson.errorCode),
      ...typeTokens(lesson.type),
      ...tokenize(lesson.context),
      ...tokenize(lesson.fix),
    ],
    title: [],
  };
}

/** "opnsense:service:haproxy:backend" → its words; memoised, as a catalog has few types. */
export function typeTokens(type: string): readonly string[] {
  let tokens = TYPE_TOKENS.get(type);
  if (!tokens) {
    tokens = tokenize(
      type
        .split(":")
        .filter((segment) => !NOISE_SEGMENTS.has(segment))
        .join(" "),
    );
    if (TYPE_TOKENS.size > 10_000) TYPE_TOKENS.clear();
    TYPE_TOKENS.set(type, tokens);
  }
  return tokens;
}

const TYPE_TOKENS = new Map<string, readonly string[]>();

function valueTokens(key: string, value: unknown, resource: PatternResource): string[] {
  if (isReference(value)) return [];
  if (key === "image" && typeof value === "string") {
    // "registry.example/team/postgres:16" → "postgres": the repository name, not registry or tag.
    const repository = value.split("@")[0]!.split("/").at(-1)!.split(":")[0]!;
    return tokenize(repository);
  }
  if (key === "bind" && typeof value === "string") return tokenize(value.split(":").at(-1) ?? "");
  if (key === "replicas" && typeof value === "number") return ["replica", String(value)];
  if (key === "type" && !resource.type.startsWith("kubernetes:")) return [];
  const text: string[] = [];
  collectPrimitives(value, text, 0);
  return tokenize(text.join(" ")).slice(0, MAX_VALUE_TOKENS);
}

function collectPrimitives(value: unknown, out: string[], depth: number): void {
  if (depth > 3 || out.length > MAX_VALUE_TOKENS) return;
  if (typeof value === "string") {
    if (!isReference(value)) out.push(value);
  } else if (typeof value === "number" || typeof value === "boolean") {
    out.push(String(value));
  } else if (Array.isArray(value)) {
    for (const item of value) collectPrimitives(item, out, depth + 1);
  } else if (value && typeof value === "object" && !("$unknown" in value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "port" || key === "containerPort" || key === "protocol" || key === "hostPort") {
        collectPrimitives(item, out, depth + 1);
      }
    }
  }
}

function isReference(value: unknown): boolean {
  return typeof value === "string" && /^\$\{[^}]*\}$/.test(value.trim());
}
