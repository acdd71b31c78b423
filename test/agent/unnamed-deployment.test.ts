import { afterAll, describe, expect, it } from "vitest";
import { agentRig } from "./harness.ts";

describe("a goal that would change a deployment it did not name", () => {
  const rig = agentRig();
  afterAll(() => rig.close());

  it("says so before approval, is not approved by --yes, and --name keeps the goals apart", async () => {
    const first = await rig.run("deploy a web app with 3 app servers behind a load balancer", undefined);
    expect(first.outcome, first.reason).toBe("succeeded");
    const name = first.spec!.name;
    const before = (await rig.world(name)).length;

    rig.events.length = 0;
    const smaller = await rig.run("deploy a web app with a load balancer", undefined, { yes: true });
    expect(smaller.outcome).toBe("not-approved");
    expect(smaller.reason).toMatch(
      new RegExp(
        `delete or replace \\d+ resource\\(s\\) .* of the existing deployment "${name}", which the goal did not name`,
      ),
    );
    const warned = rig.events.find((event) => event.type === "notice" && /did not name/.test(event.message));
    const asked = rig.events.findIndex((event) => event.type === "plan.ready");
    expect(warned).toBeDefined();
    expect(rig.events.indexOf(warned!)).toBeGreaterThan(asked);
    expect(await rig.world(name)).toHaveLength(before);

    const separate = await rig.run("deploy a web app with a load balancer", undefined, {
      yes: true,
      dryRun: true,
      deploymentName: "lb-only",
    });
    expect(separate.outcome).toBe("planned");
    expect(separate.plan?.deployment).toBe("lb-only");
    expect(separate.plan?.changes.every((change) => change.action === "create")).toBe(true);
  });
});
