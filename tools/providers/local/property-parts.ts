import { stat } from "node:fs/promises";
import {
  isSecretDigest,
  isUnknown,
  type PropertyMap,
  ProviderError,
  secretDigest,
  type ValidationIssue,
} from "../../protocol/index.ts";
import { digestOnly, resolveInside } from "./paths.ts";

/** Schema of a working-folder property, as the command and service types take it. */
export const WORKING_FOLDER_SCHEMA = {
  type: "string",
  description: "Working folder; relative to the provider's (and inside it).",
} as const;

/** Schema of a secret map of environment variables. */
export function environmentSchema(description: string) {
  return { type: "object", additionalProperties: { type: "string" }, description } as const;
}

/** A secret environment map property as strings; a digest alone cannot be run. */
export function environmentOf(properties: PropertyMap, type: string, key: string): Record<string, string> {
  const environment = properties[key];
  if (isSecretDigest(environment)) throw digestOnly(`${type} ${key}`);
  if (!environment || typeof environment !== "object") return {};
  return Object.fromEntries(
    Object.entries(environment as Record<string, unknown>).map(([name, value]) => [name, String(value)]),
  );
}

/** The properties as recorded and reported: the secret one only as a digest. */
export function withSecretDigest(properties: PropertyMap, key: string): PropertyMap {
  if (properties[key] === undefined) return { ...properties };
  return { ...properties, [key]: secretDigest(properties[key]) };
}

/** The working folder a property names, inside `cwd` unless absolute, and existing; `cwd` without one. */
export async function workingFolderOf(
  cwd: string,
  properties: PropertyMap,
  where: { type: string; key: string; hint?: string },
): Promise<string> {
  const value = properties[where.key];
  if (typeof value !== "string") return cwd;
  const resolved = resolveInside(cwd, value, "folder");
  if ("error" in resolved)
    throw new ProviderError("VALIDATION_FAILED", `${where.type} ${where.key}: ${resolved.error}`);
  const info = await stat(resolved.path).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ProviderError(
      "VALIDATION_FAILED",
      `${where.type} ${where.key} ${resolved.path} is not an existing folder${where.hint ?? ""}`,
    );
  }
  return resolved.path;
}

/** Plan-time check of a working-folder property: it must not escape `cwd`. */
export function validateWorkingFolder(
  cwd: string,
  properties: PropertyMap,
  key: string,
): Omit<ValidationIssue, "resource">[] {
  const value = properties[key];
  if (typeof value !== "string" || isUnknown(value)) return [];
  const resolved = resolveInside(cwd, value, "folder");
  return "error" in resolved
    ? [{ path: `properties.${key}`, message: resolved.error, severity: "error" }]
    : [];
}

export function notManaged(type: string, id: string): ProviderError {
  return new ProviderError("NOT_FOUND", `${type} ${id} is not managed by this provider`);
}

/** The last `size` characters, marked as cut when they are. */
export function tail(text: string, size: number): string {
  return text.length > size ? `…${text.slice(-size)}` : text;
}
