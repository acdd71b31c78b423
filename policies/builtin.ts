import { baselinePack } from "./baseline/index.ts";
import type { PolicyPack } from "./types.ts";

/** Packs shipped with mcp-iac, named in config as `builtin:NAME`. */
export const BUILTIN_PACKS: Readonly<Record<string, PolicyPack>> = { baseline: baselinePack };

export const BUILTIN_PACK_NAMES: readonly string[] = Object.keys(BUILTIN_PACKS);
