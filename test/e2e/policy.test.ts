import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { agent, json, tempProject, worldResources } from "./harness.ts";

describe("policies on the spec-driven commands", () => {
  it("blocks a public database with exit 3 before anything is applied, and policy check says why", async () => {
    const dir = tempProject();
    const spec = parse(readFileSync(join(dir, "customer-portal.yaml"), "utf8"));
    const db = spec.spec.resources.find((resource: { name: string }) => resource.name === "app-db");
    db.properties.publiclyAccessible = true;
    writeFileSync(join(dir, "public.yaml"), stringify(spec));

    const check = await agent(["policy", "check", "-f", "public.yaml"], dir);
    expect(check.exitCode).toBe(3);
    expect(check.stdout).toMatch(/MANDATORY baseline\/database-not-public app-db/);

    const apply = await agent(["apply", "-f", "public.yaml", "--yes"], dir);
    expect(apply.exitCode).toBe(3);
    expect(apply.stdout).toMatch(/nothing was changed/);
    expect(await worldResources(dir, "customer-portal")).toEqual([]);
  });

  it("asks for --allow-destroy before a plan deletes a stateful resource", async () => {
    const dir = tempProject();
    expect((await agent(["apply", "-f", "customer-portal.yaml", "--yes"], dir)).exitCode).toBe(0);
    const spec = parse(readFileSync(join(dir, "customer-portal.yaml"), "utf8"));
    spec.spec.resources = spec.spec.resources.filter(
      (resource: { name: string }) => resource.name !== "app-db",
    );
    writeFileSync(join(dir, "no-db.yaml"), stringify(spec));

    const blocked = await agent(["apply", "-f", "no-db.yaml", "--yes", "--json"], dir);
    expect(blocked.exitCode).toBe(3);
    expect(
      json<{ blocked: { stage: string; findings: { policy: string }[] } }>(blocked).blocked,
    ).toMatchObject({
      stage: "plan",
      findings: [{ policy: "baseline/stateful-change-approval" }],
    });
    expect((await worldResources(dir, "customer-portal")).some((entry) => entry.name === "app-db")).toBe(
      true,
    );

    const allowed = await agent(["apply", "-f", "no-db.yaml", "--yes", "--allow-destroy"], dir);
    expect(allowed.exitCode, allowed.stdout + allowed.stderr).toBe(0);
    expect((await worldResources(dir, "customer-portal")).some((entry) => entry.name === "app-db")).toBe(
      false,
    );
  });
});
