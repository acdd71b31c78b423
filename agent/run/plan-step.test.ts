import { describe, expect, it } from "vitest";
import type { PolicyResult } from "../../policies/index.ts";
import type { Plan } from "../engine/plan-types.ts";
import type { RunEvent } from "../events.ts";
import type { RunContext } from "./context.ts";
import { recordPlan } from "./plan-step.ts";

function plan(deployment: string): Plan {
  return { deployment, changes: [] } as unknown as Plan;
}

function policyResult(messages: string[], blocked = false): PolicyResult {
  const findings = messages.map((message) => ({
    policy: "baseline/required-tags",
    enforcement: blocked ? ("mandatory" as const) : ("advisory" as const),
    message,
    resource: "web",
  }));
  return {
    findings,
    blocked,
    mandatory: blocked ? findings : [],
    advisory: blocked ? [] : findings,
  } as PolicyResult;
}

/** Just what the plan step reads: the report, the sink and the plan policies, answering in turn. */
function context(answers: PolicyResult[]) {
  const events: RunEvent[] = [];
  const ctx = {
    report: { findings: { deployment: [], plan: [] } },
    emit: (event: RunEvent) => events.push(event),
    services: { policies: { checkPlan: () => answers.shift()! } },
  } as unknown as RunContext;
  return { ctx, events };
}

describe("recordPlan, the one plan-and-policy step of the first plan and every re-plan", () => {
  it("records each plan's findings in the report, the re-plan's replacing the first's", () => {
    const { ctx, events } = context([policyResult(["first finding"]), policyResult(["re-plan finding"])]);
    expect(recordPlan(ctx, plan("shop"))).toBeUndefined();
    expect(ctx.report.findings.plan.map((finding) => finding.message)).toEqual(["first finding"]);
    // A retry's re-plan: before the fold, this copy emitted its findings but did not record them.
    expect(recordPlan(ctx, plan("shop"))).toBeUndefined();
    expect(ctx.report.findings.plan.map((finding) => finding.message)).toEqual(["re-plan finding"]);
    expect(events.map((event) => event.type)).toEqual([
      "plan.ready",
      "policy.findings",
      "plan.ready",
      "policy.findings",
    ]);
  });

  it("says why a mandatory policy blocks, and what must come between plan and policies does", () => {
    const { ctx, events } = context([policyResult(["no tags"], true)]);
    const blocked = recordPlan(ctx, plan("shop"), () =>
      ctx.emit({ type: "notice", level: "warn", message: "between" }),
    );
    expect(blocked).toBe("blocked by 1 mandatory policy: baseline/required-tags (web)");
    expect(ctx.report.plan?.deployment).toBe("shop");
    expect(events.map((event) => event.type)).toEqual(["plan.ready", "notice", "policy.findings"]);
  });
});
