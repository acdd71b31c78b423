import { describe, expect, it } from "vitest";
import { PolicyLoadError } from "./errors.ts";
import { loadPolicies } from "./load.ts";
import { change, deployment, resource, tempFolder } from "./test-support.ts";

const folder = tempFolder();

const OURS = `
name: ours
description: House rules for the portal
rules:
  - id: no-wide-open-groups
    description: Security groups allow only known networks
    enforcement: mandatory
    match: { type: "aws:vpc:*" }
    when:
      property: ingress
      some:
        all:
          - { property: cidr, equals: 0.0.0.0/0 }
          - { property: port, notIn: [80, 443] }
    message: only HTTP and HTTPS may be open to the internet
  - id: small-databases
    description: Databases in dev stay small
    enforcement: advisory
    match: { type: aws:rds:instance, name: "dev-*" }
    when: { property: allocatedStorage, greaterThan: 100 }
    message: dev databases get at most 100 GiB
  - id: firewall-needs-description
    description: Every firewall object says what it is for
    enforcement: advisory
    match: { type: ["opnsense:firewall:*"] }
    when: { property: description, exists: false }
    message: add a description
  - id: no-deleting-vlans
    description: VLANs are not deleted or replaced by a run
    enforcement: mandatory
    match: { type: opnsense:network:vlan }
    plan: { actions: [delete, replace] }
    message: a VLAN change cuts every host on it; do it by hand
  - id: stateful-deletes
    description: Stateful deletes need a ticket
    enforcement: advisory
    match: { type: "*" }
    plan: { actions: [delete], stateful: true }
    when: { property: engine, equals: postgres }
    message: file a ticket before deleting a postgres database
`;

async function ours(text = OURS) {
  folder.write("policies/ours.yaml", text);
  return loadPolicies(["./policies/ours.yaml"], { cwd: folder.dir() });
}

describe("YAML rule files", () => {
  it("loads a pack and lists its rules", async () => {
    const set = await ours();
    expect(set.rules().map((rule) => `${rule.policy}:${rule.enforcement}`)).toEqual([
      "ours/no-wide-open-groups:mandatory",
      "ours/small-databases:advisory",
      "ours/firewall-needs-description:advisory",
      "ours/no-deleting-vlans:mandatory",
      "ours/stateful-deletes:advisory",
    ]);
    expect(set.packs()).toEqual([
      { name: "ours", description: "House rules for the portal", source: "./policies/ours.yaml" },
    ]);
  });

  it("matches types and names by glob and tests conditions, naming the property path", async () => {
    const set = await ours();
    const result = set.checkDeployment(
      deployment(
        resource("aws:vpc:security-group", "web", {
          vpc: "vpc-1",
          ingress: [
            { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
            { protocol: "tcp", port: 8080, cidr: "0.0.0.0/0" },
          ],
        }),
        resource("aws:vpc:security-group", "internal", {
          vpc: "vpc-1",
          ingress: [{ protocol: "tcp", port: 8080, cidr: "10.0.0.0/8" }],
        }),
        resource("aws:rds:instance", "dev-db", { engine: "postgres", allocatedStorage: 200 }),
        resource("aws:rds:instance", "prod-db", { engine: "postgres", allocatedStorage: 200 }),
        resource("opnsense:firewall:alias", "servers", {
          name: "servers",
          type: "host",
          content: ["10.0.0.1"],
        }),
        resource("opnsense:firewall:rule", "allow-web", { action: "pass", description: "web" }),
      ),
    );
    expect(result.findings).toEqual([
      {
        policy: "ours/no-wide-open-groups",
        pack: "ours",
        enforcement: "mandatory",
        resource: "web",
        path: "properties.ingress[1].cidr",
        message: "only HTTP and HTTPS may be open to the internet",
        stage: "resource",
      },
      expect.objectContaining({
        policy: "ours/small-databases",
        resource: "dev-db",
        path: "properties.allocatedStorage",
      }),
      expect.objectContaining({
        policy: "ours/firewall-needs-description",
        resource: "servers",
        path: "properties.description",
      }),
    ]);
    expect(result.blocked).toBe(true);
  });

  it("a condition on a value not known before apply does not match", async () => {
    const set = await ours();
    const result = set.checkDeployment(
      deployment(
        resource("aws:vpc:security-group", "web", {
          vpc: "${vpc.id}",
          ingress: [{ protocol: "tcp", port: 22, cidr: "${office.cidr}" }],
        }),
        resource("aws:rds:instance", "dev-db", {
          engine: "postgres",
          allocatedStorage: { $unknown: "${sizes.db}" },
        }),
        resource("opnsense:firewall:rule", "allow-web", { action: "pass", description: "${app-lb.ip} web" }),
      ),
    );
    expect(result.findings).toEqual([]);
  });

  it("plan rules look at the changes with the listed actions", async () => {
    const set = await ours();
    const plan = {
      deployment: "customer-portal",
      changes: [
        change("opnsense:network:vlan", "app-network", "replace", {
          before: { tag: 150 },
          after: { tag: 151 },
        }),
        change("opnsense:network:vlan", "guest", "update", {
          before: { tag: 160 },
          after: { tag: 160, description: "x" },
        }),
        change("aws:rds:instance", "app-db", "delete", {
          before: { engine: "postgres" },
          risk: { destructive: true, stateful: true, dependents: 0 },
        }),
        change("aws:rds:instance", "cache-db", "delete", {
          before: { engine: "mysql" },
          risk: { destructive: true, stateful: true, dependents: 0 },
        }),
      ],
    };
    const result = set.checkPlan(plan);
    expect(
      result.findings.map((finding) => [
        finding.policy,
        finding.resource,
        finding.stage,
        finding.enforcement,
      ]),
    ).toEqual([
      ["ours/no-deleting-vlans", "app-network", "plan", "mandatory"],
      ["ours/stateful-deletes", "app-db", "plan", "advisory"],
    ]);
    // Plan rules do not run on the spec, and resource rules do not run on the plan.
    expect(
      set.checkDeployment(deployment(resource("opnsense:network:vlan", "app-network", { tag: 150 })))
        .findings,
    ).toEqual([]);
  });

  it("reads JSON rule files too", async () => {
    const file = folder.write(
      "rules.json",
      JSON.stringify({
        name: "json-rules",
        rules: [
          {
            id: "no-latest",
            description: "Images are pinned",
            enforcement: "advisory",
            match: { type: "docker:container:run" },
            when: { property: "image", matches: ":latest$" },
            message: "pin the image to a version",
          },
        ],
      }),
    );
    const set = await loadPolicies([file], { cwd: "/" });
    const result = set.checkDeployment(
      deployment(resource("docker:container:run", "app", { image: "portal:latest" })),
    );
    expect(result.advisory.map((finding) => finding.path)).toEqual(["properties.image"]);
    expect(result.blocked).toBe(false);
  });
});

describe("malformed rule files", () => {
  async function loadError(text: string): Promise<PolicyLoadError> {
    folder.write("bad.yaml", text);
    const error = await loadPolicies(["./bad.yaml"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect(PolicyLoadError.isInstance(error)).toBe(true);
    return error as PolicyLoadError;
  }

  it("names the file and the path of each problem", async () => {
    const error = await loadError(`
name: ours
rules:
  - id: rule-one
    description: one
    enforcement: mandatory
    match: { type: "aws:*" }
    when:
      all:
        - { property: name, matches: "([" }
        - { property: port, greaterThan: high }
    message: m
  - id: rule-one
    description: two
    enforcement: strict
    match: { types: "aws:*" }
    message: m
`);
    expect(error.source).toBe("./bad.yaml");
    expect(error.issues).toEqual([
      {
        path: "rules[0].when.all[0].matches",
        message: expect.stringMatching(/not a valid regular expression/),
      },
      {
        path: "rules[0].when.all[1].greaterThan",
        message: "greaterThan takes a number, e.g. greaterThan: 1024",
      },
      { path: "rules[1].enforcement", message: "enforcement is advisory, mandatory or disabled" },
      { path: "rules[1].match.type", message: expect.stringMatching(/match.type takes a glob/) },
      {
        path: "rules[1].match.types",
        message: expect.stringMatching(/unknown key "types"; match takes type/),
      },
    ]);
    expect(error.message).toMatch(
      /^policy \.\/bad\.yaml has 5 problems:\n {2}- rules\[0\]\.when\.all\[0\]\.matches: /,
    );
    expect(error.exitCode).toBe(2);
  });

  it("reports duplicate rule ids and a missing message", async () => {
    const error = await loadError(`
name: ours
rules:
  - { id: a, description: d, enforcement: advisory, match: { type: "*" }, message: m }
  - { id: a, description: d, enforcement: advisory, match: { type: "*" } }
`);
    expect(error.issues.map((issue) => issue.path)).toEqual(["rules[1].message"]);
    const duplicate = await loadError(`
name: ours
rules:
  - { id: a, description: d, enforcement: advisory, match: { type: "*" }, message: m }
  - { id: a, description: d, enforcement: advisory, match: { type: "*" }, message: m }
`);
    expect(duplicate.message).toBe(
      'policy ./bad.yaml: rules[1].id: rule id "a" is used twice; ids are unique in a pack',
    );
  });

  it("reports bad YAML with its line, a missing file and an unknown source kind", async () => {
    const syntax = await loadError("name: ours\nrules: [\n  - {");
    expect(syntax.message).toMatch(/^policy \.\/bad\.yaml: is not valid YAML \(line \d+, column \d+\)/);
    const missing = await loadPolicies(["./nope.yaml"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect((missing as Error).message).toMatch(
      /^policy \.\/nope\.yaml: file not found \(looked at .*nope\.yaml\); check the path in policies$/,
    );
    const kind = await loadPolicies(["./rules.txt"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect((kind as Error).message).toMatch(/is not a policy source; use builtin:NAME, a rule file/);
    const builtin = await loadPolicies(["builtin:strict"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect((builtin as Error).message).toBe(
      'policy builtin:strict: no built-in pack is named "strict"; built-in packs: builtin:baseline',
    );
  });

  it("rejects an empty file and a pack loaded twice", async () => {
    const empty = await loadError("");
    expect(empty.message).toMatch(/rule file must be a mapping of name, description and rules/);
    folder.write(
      "baseline.yaml",
      `name: baseline\nrules: [{ id: a, description: d, enforcement: advisory, match: { type: "*" }, message: m }]\n`,
    );
    const twice = await loadPolicies(["builtin:baseline", "./baseline.yaml"], { cwd: folder.dir() }).catch(
      (caught: unknown) => caught,
    );
    expect((twice as Error).message).toBe(
      'policy ./baseline.yaml: name: pack "baseline" is already loaded from builtin:baseline; list each pack once, or rename one',
    );
  });
});
