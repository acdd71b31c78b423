import { describe, expect, it } from "vitest";
import { PolicyLoadError } from "./errors.ts";
import { loadPolicies } from "./load.ts";
import { deployment, resource, tempFolder } from "./test-support.ts";

const folder = tempFolder();

// A pack as a user would write it, importing only the policy types.
const TS_PACK = `
import type { PolicyPack } from "${new URL("./types.ts", import.meta.url).pathname}";

const pack: PolicyPack = {
  name: "sizes",
  description: "Instance sizes the team agreed on",
  rules: [
    { id: "no-metal", description: "No bare-metal EC2 instances", enforcement: "mandatory" },
    { id: "one-database", description: "At most one database per deployment", enforcement: "advisory" },
  ],
  validateResource(resource, report) {
    const size = resource.properties["instanceType"];
    if (resource.type === "aws:ec2:instance" && typeof size === "string" && size.endsWith(".metal")) {
      report("no-metal", { path: "properties.instanceType", message: \`\${size} is bare metal; pick a virtual size\` });
    }
  },
  validateDeployment(deployment, report) {
    const databases = deployment.resources.filter((r) => r.type === "aws:rds:instance");
    for (const extra of databases.slice(1)) {
      report("one-database", { resource: extra.name, message: "a second database; share the first one" });
    }
  },
};
export default pack;
`;

describe("TypeScript and JavaScript packs", () => {
  it("loads a .ts pack's default export and runs its hooks", async () => {
    folder.write("policies/sizes.ts", TS_PACK);
    const set = await loadPolicies(["builtin:baseline", "./policies/sizes.ts"], { cwd: folder.dir() });
    expect(
      set
        .rules()
        .filter((rule) => rule.pack === "sizes")
        .map((rule) => rule.policy),
    ).toEqual(["sizes/no-metal", "sizes/one-database"]);
    const result = set.checkDeployment(
      deployment(
        resource("aws:ec2:instance", "app-1", {
          instanceType: "m5.metal",
          tags: { owner: "web", environment: "prod" },
        }),
        resource("aws:ec2:instance", "app-2", {
          instanceType: "t3.medium",
          tags: { owner: "web", environment: "prod" },
        }),
        resource("aws:rds:instance", "db-1", {
          engine: "postgres",
          backupRetentionDays: 7,
          tags: { owner: "a", environment: "b" },
        }),
        resource("aws:rds:instance", "db-2", {
          engine: "postgres",
          backupRetentionDays: 7,
          tags: { owner: "a", environment: "b" },
        }),
      ),
    );
    expect(result.findings).toEqual([
      {
        policy: "sizes/no-metal",
        pack: "sizes",
        enforcement: "mandatory",
        resource: "app-1",
        path: "properties.instanceType",
        message: "m5.metal is bare metal; pick a virtual size",
        stage: "resource",
      },
      {
        policy: "sizes/one-database",
        pack: "sizes",
        enforcement: "advisory",
        resource: "db-2",
        message: "a second database; share the first one",
        stage: "deployment",
      },
    ]);
  });

  it("loads a .js pack exported as `pack`", async () => {
    const file = folder.write(
      "pack.mjs",
      `export const pack = {
        name: "labels", description: "Containers carry a team label",
        rules: [{ id: "team-label", description: "team label", enforcement: "advisory" }],
        validateResource(resource, report) {
          if (resource.type === "docker:container:run" && !resource.properties.labels?.team) {
            report("team-label", { path: "properties.labels", message: "add labels: { team: ... }" });
          }
        },
      };`,
    );
    const set = await loadPolicies([file], { cwd: folder.dir() });
    const result = set.checkDeployment(
      deployment(
        resource("docker:container:run", "web", { image: "portal:1" }),
        resource("docker:container:run", "worker", { image: "portal:1", labels: { team: "core" } }),
      ),
    );
    expect(result.advisory.map((finding) => finding.resource)).toEqual(["web"]);
  });

  async function loadError(name: string, text: string): Promise<PolicyLoadError> {
    folder.write(name, text);
    const error = await loadPolicies([`./${name}`], { cwd: folder.dir() }).catch((caught: unknown) => caught);
    expect(PolicyLoadError.isInstance(error)).toBe(true);
    return error as PolicyLoadError;
  }

  it("says what is wrong with a module that is not a pack", async () => {
    const none = await loadError("none.mjs", "export const rules = [];");
    expect(none.message).toMatch(/^policy \.\/none\.mjs: exports no pack; `export default/);
    const shape = await loadError(
      "shape.mjs",
      `export default { name: "Bad Name", description: "x", rules: [{ id: "a", description: "d", enforcement: "strict" }] };`,
    );
    expect(shape.issues).toEqual([
      { path: "export default.name", message: "name is lowercase letters, digits and '-'" },
      {
        path: "export default.rules[0].enforcement",
        message: "enforcement is advisory, mandatory or disabled",
      },
    ]);
    const idle = await loadError(
      "idle.mjs",
      `export default { name: "idle", description: "x", rules: [{ id: "a", description: "d", enforcement: "advisory" }] };`,
    );
    expect(idle.message).toMatch(
      /^policy \.\/idle\.mjs: export default: the pack has no validateResource, validateDeployment or validatePlan/,
    );
    const broken = await loadError("broken.mjs", "export default {;");
    expect(broken.message).toMatch(/^policy \.\/broken\.mjs: the module failed to load: /);
    const missing = await loadPolicies(["./gone.ts"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect((missing as Error).message).toMatch(/^policy \.\/gone\.ts: file not found/);
  });
});
