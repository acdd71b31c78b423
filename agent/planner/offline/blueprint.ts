import type { Composition } from "./composition.ts";
import type { BlueprintInfo } from "./types.ts";

/** What the goal asked for beyond the blueprint ids, decided once for all blueprints. */
export interface Intent {
  platform: "kubernetes" | "docker" | "infrastructure";
  /** The image to run, from a `name:tag` reference or a well-known bare name. */
  image?: string;
  build: boolean;
  /** The ids of every blueprint this plan uses. */
  blueprints: readonly string[];
}

export type BuildOutcome = { phrase: string } | { missing: string };

/** A blueprint: a small function from the goal's values to resources, plus what describes it. */
export interface Blueprint extends BlueprintInfo {
  build(composition: Composition, intent: Intent): BuildOutcome;
}
