import { extname, resolve } from "node:path";
import { BUILTIN_PACK_NAMES, BUILTIN_PACKS } from "./builtin.ts";
import { PolicyLoadError } from "./errors.ts";
import { loadModulePack } from "./module-pack.ts";
import { PolicySet } from "./policy-set.ts";
import type { Enforcement, PolicyPack } from "./types.ts";
import { loadYamlPack } from "./yaml-pack.ts";

const YAML_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

export interface LoadPoliciesOptions {
  /** Relative paths in `sources` are read from here. */
  cwd: string;
  /** The config's `policyEnforcement`: `pack/rule` or `pack/*` → enforcement. */
  overrides?: Record<string, Enforcement>;
}

async function loadSource(source: string, cwd: string): Promise<PolicyPack> {
  const trimmed = source.trim();
  if (trimmed.startsWith("builtin:")) {
    const name = trimmed.slice("builtin:".length);
    const pack = BUILTIN_PACKS[name];
    if (!pack) {
      throw new PolicyLoadError(source, [
        {
          path: "",
          message: `no built-in pack is named "${name}"; built-in packs: ${BUILTIN_PACK_NAMES.map((n) => `builtin:${n}`).join(", ")}`,
        },
      ]);
    }
    return pack;
  }
  if (trimmed === "") {
    throw new PolicyLoadError("(empty)", [
      { path: "", message: "a policies entry is empty; name builtin:baseline or a file" },
    ]);
  }
  const file = resolve(cwd, trimmed);
  const extension = extname(file).toLowerCase();
  if (YAML_EXTENSIONS.has(extension)) return loadYamlPack(file, source);
  if (MODULE_EXTENSIONS.has(extension)) return loadModulePack(file, source);
  throw new PolicyLoadError(source, [
    {
      path: "",
      message:
        "is not a policy source; use builtin:NAME, a rule file (.yaml, .yml, .json) or a pack module (.ts, .js)",
    },
  ]);
}

/**
 * Loads the configured policy sources, in order, and fixes each rule's enforcement from the packs'
 * defaults and the overrides. Throws PolicyLoadError naming the source and the path of the problem.
 */
export async function loadPolicies(sources: string[], options: LoadPoliciesOptions): Promise<PolicySet> {
  const packs: PolicyPack[] = [];
  const loadedFrom = new Map<string, string>();
  for (const source of sources) {
    const pack = await loadSource(source, options.cwd);
    const earlier = loadedFrom.get(pack.name);
    if (earlier !== undefined) {
      throw new PolicyLoadError(source, [
        {
          path: "name",
          message: `pack "${pack.name}" is already loaded from ${earlier}; list each pack once, or rename one`,
        },
      ]);
    }
    loadedFrom.set(pack.name, source);
    packs.push(pack);
  }
  const init: { overrides?: Record<string, Enforcement>; sources: string[] } = { sources };
  if (options.overrides) init.overrides = options.overrides;
  return new PolicySet(packs, init);
}
