import { isAbsolute, relative, resolve, sep } from "node:path";
import { ProviderError } from "../../protocol/index.ts";

/**
 * Resolves a path the user gave: absolute paths are taken as they are; relative ones resolve against
 * the working folder and must stay inside it, so that a spec cannot reach `../../etc` by accident.
 * Returns the absolute path, or the reason it is refused.
 */
export function resolveInside(
  base: string,
  path: string,
  kind: "file" | "folder" = "file",
): { path: string } | { error: string } {
  if (isAbsolute(path)) return { path: resolve(path) };
  const absolute = resolve(base, path);
  const fromBase = relative(base, absolute);
  if (fromBase === "" && kind === "folder") return { path: absolute };
  if (fromBase === "" || fromBase === ".." || fromBase.startsWith(`..${sep}`) || isAbsolute(fromBase)) {
    return {
      error:
        `${path} resolves to ${absolute}, outside the working folder ${base}; relative paths must stay inside it ` +
        `so that a spec cannot escape by accident. Write an absolute path to use a ${kind} elsewhere.`,
    };
  }
  return { path: absolute };
}

/** A secret that reached a create as its digest (e.g. from a snapshot): its value cannot be recovered. */
export function digestOnly(property: string): ProviderError {
  return new ProviderError(
    "VALIDATION_FAILED",
    `${property} arrived only as a secret digest, so its values are unknown here; pass the real values again`,
  );
}
