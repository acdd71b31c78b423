import type { PolicyFinding, PolicyResult } from "../../policies/index.ts";
import type { Plan } from "../engine/plan-types.ts";
import type { PolicyFindingView } from "../events.ts";
import type { RunContext } from "./context.ts";

export function findingView(finding: PolicyFinding): PolicyFindingView {
  return {
    policy: finding.policy,
    enforcement: finding.enforcement,
    message: finding.message,
    ...(finding.resource ? { resource: finding.resource } : {}),
    ...(finding.path ? { path: finding.path } : {}),
  };
}

export function describeBlock(result: PolicyResult): string {
  return `blocked by ${result.mandatory.length} mandatory polic${result.mandatory.length === 1 ? "y" : "ies"}: ${result.mandatory
    .map((finding) => `${finding.policy}${finding.resource ? ` (${finding.resource})` : ""}`)
    .join(", ")}`;
}

/**
 * Every plan of a run, the first and each re-plan after a retry or revision, goes through here
 * once: reported, checked against the plan policies, its findings recorded. Returns why a
 * mandatory policy blocks it, or undefined. `beforePolicies` says what must come between (a warning).
 */
export function recordPlan(ctx: RunContext, plan: Plan, beforePolicies?: () => void): string | undefined {
  ctx.report.plan = plan;
  ctx.emit({ type: "plan.ready", plan });
  beforePolicies?.();
  const planPolicy = ctx.services.policies.checkPlan(plan);
  ctx.report.findings.plan = planPolicy.findings.map(findingView);
  ctx.emit({
    type: "policy.findings",
    stage: "plan",
    blocked: planPolicy.blocked,
    findings: ctx.report.findings.plan,
  });
  return planPolicy.blocked ? describeBlock(planPolicy) : undefined;
}

/** The spec's policies, before any plan: findings recorded; why it is blocked, or undefined. */
export function checkDeploymentPolicies(
  ctx: RunContext,
  deployment: Parameters<RunContext["services"]["policies"]["checkDeployment"]>[0],
): string | undefined {
  const result = ctx.services.policies.checkDeployment(deployment);
  ctx.report.findings.deployment = result.findings.map(findingView);
  ctx.emit({
    type: "policy.findings",
    stage: "deployment",
    blocked: result.blocked,
    findings: ctx.report.findings.deployment,
  });
  return result.blocked ? describeBlock(result) : undefined;
}
