import type { PolicyFinding, PolicyResult } from "./types.ts";

/** One finding as a line: `MANDATORY baseline/database-not-public app-db: properties.publiclyAccessible: …`. */
export function formatFinding(finding: PolicyFinding): string {
  const head = `${finding.enforcement.toUpperCase()} ${finding.policy}`;
  const where = [
    finding.resource ? ` ${finding.resource}` : "",
    finding.path ? `: ${finding.path}` : "",
  ].join("");
  return `${head}${where}: ${finding.message}`;
}

/** Plain-text lines for the CLI, mandatory findings first; none when there are no findings. */
export function formatFindings(result: Pick<PolicyResult, "mandatory" | "advisory">): string[] {
  return [...result.mandatory, ...result.advisory].map(formatFinding);
}
