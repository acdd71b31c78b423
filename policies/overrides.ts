import { PolicyLoadError, type PolicyLoadIssue } from "./errors.ts";
import { isGlob, matchesGlob } from "./glob.ts";
import { ENFORCEMENTS, type Enforcement } from "./types.ts";

/** Where overrides come from, for messages: the config key that holds them. */
export const OVERRIDES_SOURCE = "policyEnforcement";

/** How specific a key is: the exact id beats any glob; among globs, more literal characters win. */
function specificity(key: string): number {
  return isGlob(key) ? key.replace(/[*?]/g, "").length : Number.POSITIVE_INFINITY;
}

/**
 * Checks override keys against the loaded rules: a key that names no rule is a typo that would
 * silently leave a rule as it was, so it is an error. A key for a built-in pack that is not loaded
 * has nothing to act on and is let through (the CLI's --allow-destroy adds one for baseline).
 */
export function checkOverrides(
  overrides: Record<string, unknown>,
  ruleIds: string[],
  builtinPacks: readonly string[] = [],
): Record<string, Enforcement> {
  const loadedPacks = new Set(ruleIds.map((id) => id.split("/")[0]!));
  const issues: PolicyLoadIssue[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    if (!ENFORCEMENTS.includes(value as Enforcement)) {
      issues.push({
        path: key,
        message: `"${String(value)}" is not an enforcement; use advisory, mandatory or disabled`,
      });
    }
    if (!/^[^/\s]+\/[^/\s]+$/.test(key)) {
      issues.push({
        path: key,
        message: 'a key is a rule id "pack/rule" or a glob "pack/*", e.g. baseline/required-tags',
      });
    } else if (!ruleIds.some((id) => matchesGlob(key, id))) {
      const pack = key.split("/")[0]!;
      if (!loadedPacks.has(pack) && builtinPacks.includes(pack)) continue;
      const inPack = ruleIds.filter((id) => id.startsWith(`${pack}/`));
      issues.push({
        path: key,
        message:
          inPack.length > 0
            ? `no loaded rule matches it; pack ${pack} has ${inPack.join(", ")}`
            : `no loaded pack is named ${pack}; loaded: ${[...loadedPacks].join(", ") || "none"}`,
      });
    }
  }
  if (issues.length > 0) throw new PolicyLoadError(OVERRIDES_SOURCE, issues);
  return overrides as Record<string, Enforcement>;
}

/** The enforcement a rule ends up with: the most specific matching override, else the pack's default. */
export function effectiveEnforcement(
  ruleId: string,
  declared: Enforcement,
  overrides: Record<string, Enforcement>,
): Enforcement {
  let best: { rank: number; value: Enforcement } | undefined;
  for (const [key, value] of Object.entries(overrides)) {
    if (!matchesGlob(key, ruleId)) continue;
    const rank = specificity(key);
    // Ties go to the later key, as in most config merges.
    if (!best || rank >= best.rank) best = { rank, value };
  }
  return best?.value ?? declared;
}
