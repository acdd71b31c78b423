import type { DeploymentReport, PolicyChange, PolicyPlan } from "../types.ts";

export const STATEFUL_CHANGE_APPROVAL = "stateful-change-approval";

/** Types that hold data whatever the provider says about risk. */
export const STATEFUL_TYPES = ["aws:rds:instance", "aws:s3:bucket", "docker:volume:create"] as const;

function isStateful(change: PolicyChange): boolean {
  return change.risk?.stateful === true || (STATEFUL_TYPES as readonly string[]).includes(change.type);
}

const HOW_TO_APPROVE =
  "approve it explicitly with --allow-destroy, or set policyEnforcement: " +
  '{ "baseline/stateful-change-approval": advisory } in mcp-iac.config.yaml';

/** Deleting or replacing what holds data loses the data; it takes an explicit approval. */
export function checkStatefulChanges(plan: PolicyPlan, report: DeploymentReport): void {
  for (const change of plan.changes) {
    if ((change.action !== "delete" && change.action !== "replace") || !isStateful(change)) continue;
    if (change.action === "delete") {
      report(STATEFUL_CHANGE_APPROVAL, {
        resource: change.name,
        message: `deleting ${change.name} (${change.type}) destroys the data it holds; ${HOW_TO_APPROVE}`,
      });
      continue;
    }
    const forcing = change.diff?.filter((entry) => entry.forcesReplacement).map((entry) => entry.path) ?? [];
    const finding: { resource: string; message: string; path?: string } = {
      resource: change.name,
      message: `replacing ${change.name} (${change.type}${forcing.length > 0 ? `, because ${forcing.join(", ")} changed` : ""}) destroys the data it holds; ${HOW_TO_APPROVE}`,
    };
    if (forcing[0] !== undefined) finding.path = `properties.${forcing[0]}`;
    report(STATEFUL_CHANGE_APPROVAL, finding);
  }
}
