import type { z } from "zod";
import type { PolicyLoadIssue } from "./errors.ts";

/** `rules[2].when.all[0].matches`. */
export function pathText(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}

/** Zod issues as load issues, each at its path; an unknown key is reported at the key itself. */
export function loadIssues(error: z.ZodError, base: readonly PropertyKey[] = []): PolicyLoadIssue[] {
  return error.issues.map((issue) => {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys" && issue.keys.length === 1) path.push(issue.keys[0]!);
    return { path: pathText(path), message: issue.message };
  });
}
