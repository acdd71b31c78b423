import type { z } from "zod";
import {
  BuiltinEntrySchema,
  HttpEntrySchema,
  isValidServerName,
  type ServerEntry,
  StdioEntrySchema,
} from "./config-schema.ts";
import type { ConfigIssue } from "./errors.ts";

/**
 * Checks the config's `mcpServers` block, the part the client needs: every entry's problems are
 * added to `issues`, each with its path; the entries that pass come back normalized.
 */
export function parseServers(rawServers: unknown, issues: ConfigIssue[]): Record<string, ServerEntry> {
  const servers: Record<string, ServerEntry> = {};
  if (rawServers && typeof rawServers === "object" && !Array.isArray(rawServers)) {
    for (const [name, value] of Object.entries(rawServers)) {
      const entry = parseServerEntry(name, value, issues);
      if (entry) servers[name] = entry;
    }
  }
  return servers;
}

const ENTRY_KINDS = ["command", "url", "builtin"] as const;

function parseServerEntry(name: string, value: unknown, issues: ConfigIssue[]): ServerEntry | undefined {
  const base = ["mcpServers", name];
  const at = pathText(base);
  if (!isValidServerName(name)) {
    issues.push({
      path: at,
      message:
        "a server name is letters, digits, '-' and '_'; it is the first segment of the types it serves (aws → aws:ec2:instance)",
    });
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    issues.push({
      path: at,
      message: "must be { command, args?, env?, cwd? }, { url, headers? } or { builtin, args?, env? }",
    });
    return undefined;
  }
  const present = ENTRY_KINDS.filter((key) => key in value);
  if (present.length === 0) {
    issues.push({
      path: at,
      message:
        "needs one of command (a program to run over stdio), url (a streamable HTTP address) or builtin (a provider of this installation)",
    });
    return undefined;
  }
  if (present.length > 1) {
    issues.push({ path: at, message: `has both ${present.join(" and ")}; keep only one` });
    return undefined;
  }
  const kind = present[0]!;
  const schema =
    kind === "url" ? HttpEntrySchema : kind === "builtin" ? BuiltinEntrySchema : StdioEntrySchema;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const allowed = Object.keys(schema.shape).join(", ");
    issues.push(
      ...zodIssues(parsed.error, base, (key) => `unknown key "${key}"; a ${kind} server takes ${allowed}`),
    );
    return undefined;
  }
  return normalizeEntry(parsed.data);
}

function normalizeEntry(entry: Record<string, unknown>): ServerEntry {
  const result: Record<string, unknown> = { ...entry };
  if (Array.isArray(entry["args"])) result["args"] = entry["args"].map(String);
  if (entry["env"] && typeof entry["env"] === "object") {
    result["env"] = Object.fromEntries(Object.entries(entry["env"]).map(([key, val]) => [key, String(val)]));
  }
  return result as ServerEntry;
}

export function zodIssues(
  error: z.ZodError,
  base: PropertyKey[],
  unknownKey: (key: string) => string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) issues.push({ path: pathText([...path, key]), message: unknownKey(key) });
      continue;
    }
    issues.push({ path: pathText(path), message: issue.message });
  }
  return issues;
}

function pathText(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}
