import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Change, ResourceTypeInfo, ValidationIssue } from "../../protocol/index.ts";
import { CATALOG, catalogFor } from "./catalog.ts";
import { type Connected, connectMock } from "./test-support.ts";

/** Design §4: every type with its fixed property names and outputs. */
const DESIGN: Record<string, { properties: string[]; outputs: string[] }> = {
  "opnsense:network:vlan": { properties: ["tag", "interface", "description"], outputs: ["id", "device"] },
  "opnsense:network:interface": { properties: ["device", "ipv4", "description"], outputs: ["id", "ip"] },
  "opnsense:firewall:rule": {
    properties: [
      "action",
      "interface",
      "direction",
      "protocol",
      "source",
      "destination",
      "port",
      "description",
    ],
    outputs: ["id"],
  },
  "opnsense:firewall:alias": { properties: ["name", "type", "content"], outputs: ["id"] },
  "opnsense:firewall:nat": {
    properties: ["interface", "protocol", "port", "target", "targetPort"],
    outputs: ["id"],
  },
  "opnsense:service:haproxy:backend": { properties: ["mode", "balance", "servers"], outputs: ["id"] },
  "opnsense:service:haproxy:server": { properties: ["address", "port"], outputs: ["id"] },
  "opnsense:service:haproxy:frontend": { properties: ["bind", "backend", "mode"], outputs: ["id", "ip"] },
  "opnsense:service:dns:override": { properties: ["host", "domain", "ip"], outputs: ["id", "fqdn"] },
  "opnsense:service:dhcp:range": { properties: ["interface", "from", "to"], outputs: ["id"] },
  "opnsense:service:dhcp:static": { properties: ["interface", "mac", "ip", "hostname"], outputs: ["id"] },
  "opnsense:security:certificate": {
    properties: ["commonName", "altNames", "lifetimeDays"],
    outputs: ["id", "fingerprint"],
  },
  "opnsense:security:user": { properties: ["username", "groups", "password"], outputs: ["id"] },
  "aws:vpc:vpc": { properties: ["cidrBlock"], outputs: ["id"] },
  "aws:vpc:subnet": { properties: ["vpc", "cidrBlock", "availabilityZone"], outputs: ["id"] },
  "aws:vpc:security-group": { properties: ["vpc", "ingress"], outputs: ["id"] },
  "aws:ec2:instance": {
    properties: ["instanceType", "ami", "subnet", "securityGroups", "tags"],
    outputs: ["id", "ip", "publicIp"],
  },
  "aws:rds:instance": {
    properties: [
      "engine",
      "instanceClass",
      "allocatedStorage",
      "backupRetentionDays",
      "publiclyAccessible",
      "password",
    ],
    outputs: ["id", "endpoint", "port"],
  },
  "aws:elb:load-balancer": { properties: ["subnets", "listeners"], outputs: ["id", "dnsName"] },
  "aws:s3:bucket": { properties: ["bucketName", "versioning"], outputs: ["id", "arn"] },
  "kubernetes:core:namespace": { properties: ["name"], outputs: ["id"] },
  "kubernetes:apps:deployment": { properties: ["namespace", "image", "replicas", "ports"], outputs: ["id"] },
  "kubernetes:core:service": {
    properties: ["namespace", "selector", "ports", "type"],
    outputs: ["id", "clusterIp"],
  },
  "kubernetes:core:configmap": { properties: ["namespace", "data"], outputs: ["id"] },
  "docker:image:build": { properties: ["context", "dockerfile", "tags", "buildArgs"], outputs: ["id"] },
  "docker:container:run": {
    properties: ["image", "command", "env", "ports", "mounts", "network", "labels"],
    outputs: ["id", "ip", "state"],
  },
  "docker:network:create": { properties: ["driver"], outputs: ["id"] },
  "docker:volume:create": { properties: ["driver"], outputs: ["id"] },
};

let mock: Connected;
let types: ResourceTypeInfo[];

beforeAll(async () => {
  mock = await connectMock({ mountName: "mock" });
  types = (await mock.data<{ types: ResourceTypeInfo[] }>("describeResourceTypes")).types;
});
afterAll(() => mock.close());

const info = (type: string) => types.find((entry) => entry.type === type)!;

async function issuesFor(type: string, properties: Record<string, unknown>, name = "subject") {
  const data = await mock.data<{ valid: boolean; issues: ValidationIssue[] }>("validateConfig", {
    resources: [{ type, name, properties }],
  });
  return data.issues;
}

describe("the catalog", () => {
  it("has exactly the design's types, with its property names and outputs", () => {
    expect(CATALOG.map((entry) => entry.type).sort()).toEqual(Object.keys(DESIGN).sort());
    for (const [type, expected] of Object.entries(DESIGN)) {
      const described = info(type);
      expect(Object.keys(described.properties["properties"] as object), type).toEqual(
        expect.arrayContaining(expected.properties),
      );
      expect(Object.keys(described.outputs["properties"] as object), type).toEqual(
        expect.arrayContaining(expected.outputs),
      );
    }
  });

  it.each(Object.keys(DESIGN))(
    "%s: its two examples validate and the second updates the first in place",
    async (type) => {
      const examples = info(type).properties["examples"] as Record<string, unknown>[];
      expect(examples.length).toBeGreaterThanOrEqual(2);
      for (const example of examples) expect(await issuesFor(type, example, "sample")).toEqual([]);
      const [first, second] = examples as [Record<string, unknown>, Record<string, unknown>];
      const { changes } = await mock.data<{ changes: Change[] }>("planDeployment", {
        deploymentId: "examples",
        resources: [{ type, name: "sample", properties: second }],
        current: [{ type, name: "sample", id: "x-1", properties: first, outputs: {}, status: "created" }],
      });
      expect(changes[0]?.action).toBe("update");
    },
  );

  it("marks secrets, stateful types and the properties that force a replacement", () => {
    expect(info("opnsense:security:user").secretProperties).toEqual(["password"]);
    expect(info("aws:rds:instance").secretProperties).toEqual(["password"]);
    for (const type of ["aws:rds:instance", "docker:volume:create", "aws:s3:bucket"]) {
      expect(info(type).stateful, type).toBe(true);
    }
    expect(info("aws:ec2:instance").stateful).toBeUndefined();
    // OPNsense changes a VLAN's tag in place (set_item), as the real provider does; its assignment's device not.
    expect(info("opnsense:network:vlan").replaceOnChange).not.toContain("tag");
    expect(info("opnsense:network:interface").replaceOnChange).toContain("device");
    expect(info("aws:ec2:instance").replaceOnChange).toContain("ami");
    expect(info("aws:rds:instance").replaceOnChange).toContain("engine");
    expect(info("aws:vpc:subnet").replaceOnChange).toContain("cidrBlock");
  });

  it("rejects values outside ranges and enums, missing required ones and unknown names", async () => {
    expect(await issuesFor("opnsense:network:vlan", { tag: 5000, interface: "igc2" })).toMatchObject([
      { resource: "subject", path: "properties.tag", severity: "error" },
    ]);
    expect(await issuesFor("opnsense:network:vlan", { interface: "igc2" })).toMatchObject([
      { path: "properties.tag", severity: "error" },
    ]);
    expect(await issuesFor("opnsense:firewall:rule", { action: "allow" })).toMatchObject([
      { path: "properties.action", severity: "error" },
    ]);
    expect(await issuesFor("opnsense:service:haproxy:backend", { mode: "udp" })).toMatchObject([
      { path: "properties.mode", severity: "error" },
    ]);
    expect(await issuesFor("aws:ec2:instance", { ami: "ami-1" })).toMatchObject([
      { path: "properties.instanceType", severity: "error" },
    ]);
    expect(await issuesFor("aws:s3:bucket", { bucketName: "b1", colour: "red" })).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "properties.colour" })]),
    );
  });

  it("runs the platform's own checks", async () => {
    expect(await issuesFor("aws:vpc:subnet", { vpc: "vpc-1", cidrBlock: "10.20.1.5/24" })).toMatchObject([
      { path: "properties.cidrBlock", message: expect.stringContaining("10.20.1.0/24") },
    ]);
    expect(await issuesFor("aws:vpc:vpc", { cidrBlock: "10.0.0.0/8" })).toMatchObject([
      { path: "properties.cidrBlock", message: expect.stringContaining("/16 to /28") },
    ]);
    expect(
      await issuesFor("opnsense:service:dhcp:range", {
        interface: "opt1",
        from: "10.0.0.200",
        to: "10.0.0.100",
      }),
    ).toMatchObject([{ path: "properties.to", severity: "error" }]);
    expect(
      await issuesFor("opnsense:firewall:rule", { action: "pass", protocol: "icmp", port: 443 }),
    ).toMatchObject([{ path: "properties.port", severity: "error" }]);
    expect(
      await issuesFor("opnsense:firewall:alias", { name: "ports", type: "port", content: ["443", "x y"] }),
    ).toMatchObject([{ path: "properties.content[1]" }]);
    expect(await issuesFor("kubernetes:core:configmap", {}, "Bad_Name")).toMatchObject([{ path: "name" }]);
  });

  it("tolerates values still unknown and skips the checks that need them", async () => {
    // A reference as the orchestrator sends it before apply: `{ $unknown: "${name.path}" }`.
    const unknown = (path: string) => ({ $unknown: "${" + path + "}" });
    expect(
      await issuesFor("opnsense:service:haproxy:backend", {
        mode: "http",
        servers: [unknown("aws:ec2:app-1.ip"), unknown("aws:ec2:app-2.ip")],
      }),
    ).toEqual([]);
    expect(await issuesFor("opnsense:network:vlan", { tag: unknown("x.tag"), interface: "igc2" })).toEqual(
      [],
    );
    expect(
      await issuesFor("opnsense:service:dhcp:range", {
        interface: "opt1",
        from: unknown("a.ip"),
        to: "10.0.0.1",
      }),
    ).toEqual([]);
    // Unknown values do not hide real errors elsewhere.
    expect(await issuesFor("opnsense:network:vlan", { tag: 0, interface: unknown("nic.id") })).toMatchObject([
      { path: "properties.tag" },
    ]);
  });

  it("estimates AWS costs roughly like the price list", async () => {
    const { changes } = await mock.data<{ changes: Change[] }>("planDeployment", {
      deploymentId: "costs",
      resources: [
        { type: "aws:ec2:instance", name: "app", properties: { instanceType: "t3.medium", ami: "ami-1" } },
        {
          type: "aws:rds:instance",
          name: "db",
          properties: { engine: "postgres", instanceClass: "db.t3.micro" },
        },
        { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.0.0.0/16" } },
      ],
      current: [],
    });
    const cost = (name: string) => changes.find((change) => change.name === name)?.estimatedMonthlyCost;
    expect(cost("app")).toBeGreaterThan(28);
    expect(cost("app")).toBeLessThan(35);
    expect(cost("db")).toBeGreaterThan(12);
    expect(cost("db")).toBeLessThan(18);
    expect(cost("vpc")).toBe(0);
  });
});

describe("catalogFor", () => {
  it("serves a platform's types under its own name and everything plus a generic type otherwise", () => {
    expect(catalogFor("aws").every((entry) => entry.type.startsWith("aws:"))).toBe(true);
    expect(catalogFor("aws")).toHaveLength(7);
    expect(catalogFor("aws", { allTypes: true })).toHaveLength(CATALOG.length);
    const custom = catalogFor("acme");
    expect(custom).toHaveLength(CATALOG.length + 1);
    expect(custom.at(-1)?.type).toBe("acme:generic:resource");
  });
});
