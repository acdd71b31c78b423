import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Change, ListedResource, ResourceTypeInfo } from "../../protocol/index.ts";
import { createMockProvider } from "./provider.ts";
import {
  type ApplyResult,
  type Connected,
  connectMock,
  createChange,
  tempWorldFile,
} from "./test-support.ts";

const open: Connected[] = [];
async function mock(options: Parameters<typeof connectMock>[0] = {}) {
  const connected = await connectMock(options);
  open.push(connected);
  return connected;
}
afterEach(async () => {
  for (const connected of open.splice(0)) await connected.close().catch(() => {});
});

async function apply(
  m: Connected,
  deploymentId: string,
  changes: unknown[],
  options?: Record<string, unknown>,
) {
  return (await m.data<{ results: ApplyResult[] }>("applyDeployment", { deploymentId, changes, options }))
    .results;
}

async function create(
  m: Connected,
  type: string,
  name: string,
  after: Record<string, unknown>,
  deploymentId = "d1",
) {
  const [result] = await apply(m, deploymentId, [createChange(type, name, after)]);
  return result!;
}

describe("describeResourceTypes", () => {
  it("describes further AWS types on demand, as the real provider does, and keeps them out of the default list", async () => {
    const aws = await mock({ mountName: "aws" });
    const listed = await aws.data<{ types: ResourceTypeInfo[] }>("describeResourceTypes");
    expect(listed.types.map((type) => type.type)).not.toContain("aws:sqs:queue");
    const found = await aws.data<{ types: ResourceTypeInfo[] }>("describeResourceTypes", {
      query: "sqs queue",
    });
    expect(found.types.map((type) => type.type)).toEqual(["aws:sqs:queue"]);
    const created = await create(aws, "aws:sqs:queue", "orders", {
      QueueName: "orders",
      VisibilityTimeout: 60,
    });
    expect(created).toMatchObject({
      status: "succeeded",
      outputs: { arn: expect.stringContaining(":sqs:") },
    });
    const unknown = await aws.call("describeResourceTypes", { types: ["aws:nope:thing"] });
    expect(unknown.error?.code).toBe("UNSUPPORTED");
  });

  it("lists the mount's platform types, or the catalog plus <name>:generic:resource", async () => {
    const aws = await mock({ mountName: "aws" });
    const awsTypes = await aws.data<{ protocol: string; types: ResourceTypeInfo[] }>("describeResourceTypes");
    expect(awsTypes.protocol).toBe("iac.mcp/v1");
    expect(awsTypes.types.map((type) => type.type)).toContain("aws:rds:instance");
    expect(awsTypes.types.every((type) => type.type.startsWith("aws:"))).toBe(true);

    const acme = await mock({ env: { MCP_IAC_SERVER_NAME: "acme" } });
    const generic = (await acme.data<{ types: ResourceTypeInfo[] }>("describeResourceTypes")).types.find(
      (type) => type.type === "acme:generic:resource",
    );
    expect(generic?.description).toMatch(/free-form/);
    const created = await create(acme, "acme:generic:resource", "thing", { anything: [1, 2], goes: true });
    expect(created).toMatchObject({
      status: "succeeded",
      outputs: { id: expect.stringMatching(/^acme-[0-9a-f]{16}$/) },
    });
  });
});

describe("planDeployment", () => {
  it("plans create, update, replace, delete and noop", async () => {
    const m = await mock({ mountName: "opnsense" });
    const vlan = { tag: 150, interface: "igc2" };
    const rule = { action: "pass", port: 443, protocol: "tcp" };
    const current = [
      {
        type: "opnsense:network:vlan",
        name: "same",
        id: "a",
        properties: vlan,
        outputs: {},
        status: "created",
      },
      {
        // An assignment moves to another device by replacement (the firewall's truth, catalog/opnsense.ts).
        type: "opnsense:network:interface",
        name: "retag",
        id: "b",
        properties: { device: "vlan0.150" },
        outputs: {},
        status: "created",
      },
      {
        type: "opnsense:firewall:rule",
        name: "edit",
        id: "c",
        properties: rule,
        outputs: {},
        status: "created",
      },
      {
        type: "opnsense:firewall:rule",
        name: "gone",
        id: "d",
        properties: rule,
        outputs: {},
        status: "created",
      },
    ];
    const { changes } = await m.data<{ changes: Change[] }>("planDeployment", {
      deploymentId: "d1",
      current,
      resources: [
        { type: "opnsense:network:vlan", name: "same", properties: vlan },
        { type: "opnsense:network:interface", name: "retag", properties: { device: "vlan0.151" } },
        { type: "opnsense:firewall:rule", name: "edit", properties: { ...rule, action: "block" } },
        { type: "opnsense:firewall:rule", name: "new", properties: rule },
      ],
    });
    const actions = Object.fromEntries(changes.map((change) => [change.name, change.action]));
    expect(actions).toEqual({
      same: "noop",
      retag: "replace",
      edit: "update",
      new: "create",
      gone: "delete",
    });
    expect(changes.find((change) => change.name === "retag")?.diff).toEqual([
      { path: "device", before: "vlan0.150", after: "vlan0.151", forcesReplacement: true },
    ]);
  });

  it("refreshes from the world and reports a vanished resource as a create", async () => {
    const m = await mock({ mountName: "docker" });
    const made = await create(m, "docker:volume:create", "data", { driver: "local" });
    const current = [
      {
        type: "docker:volume:create",
        name: "data",
        id: made.id,
        properties: { driver: "local" },
        outputs: {},
      },
    ];
    const plan = async () =>
      (
        await m.data<{ changes: Change[] }>("planDeployment", {
          deploymentId: "d1",
          resources: [{ type: "docker:volume:create", name: "data", properties: { driver: "local" } }],
          current,
          options: { refresh: true },
        })
      ).changes[0]?.action;
    expect(await plan()).toBe("noop");
    await m.data("destroyDeployment", { deploymentId: "d1", resources: current });
    expect(await plan()).toBe("create");
  });
});

describe("applyDeployment", () => {
  it("creates resources with platform-style ids and realistic outputs", async () => {
    const aws = await mock({ mountName: "aws" });
    const vpc = await create(aws, "aws:vpc:vpc", "vpc", { cidrBlock: "10.20.0.0/16" });
    expect(vpc.id).toMatch(/^vpc-0[0-9a-f]{16}$/);
    const subnet = await create(aws, "aws:vpc:subnet", "subnet", { vpc: vpc.id, cidrBlock: "10.20.1.0/24" });
    expect(subnet.id).toMatch(/^subnet-0[0-9a-f]{16}$/);
    const app = await create(aws, "aws:ec2:instance", "app-1", {
      instanceType: "t3.medium",
      ami: "ami-1",
      subnet: subnet.id,
    });
    expect(app.id).toMatch(/^i-0[0-9a-f]{16}$/);
    expect(app.outputs?.["ip"]).toMatch(/^10\.20\.1\.\d+$/);
    expect(app.outputs?.["publicIp"]).toMatch(/^203\.0\.113\.\d+$/);
    const other = await create(aws, "aws:ec2:instance", "app-2", {
      instanceType: "t3.medium",
      ami: "ami-1",
      subnet: subnet.id,
    });
    expect(other.outputs?.["ip"]).not.toBe(app.outputs?.["ip"]);
    const loose = await create(aws, "aws:ec2:instance", "loose", { instanceType: "t3.micro", ami: "ami-1" });
    expect(loose.outputs?.["ip"]).toMatch(/^10\./);
    const pg = await create(aws, "aws:rds:instance", "app-db", {
      engine: "postgres",
      instanceClass: "db.t3.micro",
    });
    expect(pg.id).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(pg.outputs).toMatchObject({
      endpoint: expect.stringMatching(/^app-db\.[0-9a-z]+\.us-east-1\.rds\.amazonaws\.com$/),
      port: 5432,
    });
    const my = await create(aws, "aws:rds:instance", "shop-db", {
      engine: "mysql",
      instanceClass: "db.t3.micro",
    });
    expect(my.outputs?.["port"]).toBe(3306);
    const bucket = await create(aws, "aws:s3:bucket", "assets", { bucketName: "portal-assets" });
    expect(bucket.outputs).toMatchObject({ id: "portal-assets", arn: "arn:aws:s3:::portal-assets" });
    const outside = await create(aws, "aws:vpc:subnet", "outside", {
      vpc: vpc.id,
      cidrBlock: "10.99.0.0/24",
    });
    expect(outside).toMatchObject({ status: "failed", error: { code: "VALIDATION_FAILED" } });

    const fw = await mock({ mountName: "opnsense" });
    const vlan = await create(fw, "opnsense:network:vlan", "app-network", { tag: 150, interface: "igc2" });
    expect(vlan.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(vlan.outputs?.["device"]).toBe("igc2_vlan150");
    const lb = await create(fw, "opnsense:service:haproxy:frontend", "lb", {
      bind: "10.0.150.1:443",
      backend: "b",
    });
    expect(lb.outputs?.["ip"]).toBe("10.0.150.1");
    const dns = await create(fw, "opnsense:service:dns:override", "dns", {
      host: "portal",
      domain: "lan",
      ip: "10.0.0.1",
    });
    expect(dns.outputs?.["fqdn"]).toBe("portal.lan");
    const cert = await create(fw, "opnsense:security:certificate", "cert", { commonName: "portal.lan" });
    expect(cert.outputs?.["fingerprint"]).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const k8s = await mock({ mountName: "kubernetes" });
    const service = await create(k8s, "kubernetes:core:service", "web", { ports: [80] });
    expect(service.outputs?.["clusterIp"]).toMatch(/^10\.96\.\d+\.\d+$/);

    const docker = await mock({ mountName: "docker" });
    const image = await create(docker, "docker:image:build", "img", { context: "./app" });
    expect(image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const container = await create(docker, "docker:container:run", "web", { image: "img:latest" });
    expect(container.id).toMatch(/^[0-9a-f]{64}$/);
    expect(container.outputs).toMatchObject({
      ip: expect.stringMatching(/^172\.17\.\d+\.\d+$/),
      state: "running",
    });
    const net = await create(docker, "docker:network:create", "backend", {});
    const onNet = await create(docker, "docker:container:run", "api", {
      image: "img:latest",
      network: net.id,
    });
    expect(onNet.outputs?.["ip"]).toMatch(/^172\.18\.\d+\.\d+$/);
  });

  it("gives a resource the same addresses when it is recreated", async () => {
    const m = await mock({ mountName: "kubernetes" });
    const first = await create(m, "kubernetes:core:service", "web", { ports: [80] });
    await m.data("destroyDeployment", {
      deploymentId: "d1",
      resources: [
        { type: "kubernetes:core:service", name: "web", id: first.id, properties: {}, outputs: {} },
      ],
    });
    const second = await create(m, "kubernetes:core:service", "web", { ports: [80] });
    expect(second.id).not.toBe(first.id);
    expect(second.outputs?.["clusterIp"]).toBe(first.outputs?.["clusterIp"]);
  });

  it("creates idempotently by deployment and name", async () => {
    const m = await mock({ mountName: "opnsense" });
    const first = await create(m, "opnsense:firewall:rule", "allow", { action: "pass" });
    const again = await create(m, "opnsense:firewall:rule", "allow", { action: "pass" });
    expect(again.id).toBe(first.id);
    const elsewhere = await create(m, "opnsense:firewall:rule", "allow", { action: "pass" }, "d2");
    expect(elsewhere.id).not.toBe(first.id);
    const listed = await m.data<{ resources: ListedResource[] }>("listResources", {
      filter: { deploymentId: "d1" },
    });
    expect(listed.resources).toHaveLength(1);
    expect(listed.resources[0]).toMatchObject({ name: "allow", deploymentId: "d1", managed: true });
  });

  it("updates in place, keeps the id, and refuses an update of what does not exist", async () => {
    const m = await mock({ mountName: "aws" });
    const made = await create(m, "aws:ec2:instance", "app", { instanceType: "t3.micro", ami: "ami-1" });
    const [updated] = await apply(m, "d1", [
      {
        type: "aws:ec2:instance",
        name: "app",
        action: "update",
        id: made.id,
        after: { instanceType: "t3.large", ami: "ami-1" },
        diff: [{ path: "instanceType", before: "t3.micro", after: "t3.large" }],
      },
    ]);
    expect(updated).toMatchObject({
      status: "succeeded",
      id: made.id,
      outputs: { ip: made.outputs?.["ip"] },
    });
    const read = await m.data<{ properties: Record<string, unknown> }>("getResource", {
      type: "aws:ec2:instance",
      id: made.id,
    });
    expect(read.properties["instanceType"]).toBe("t3.large");
    const [missing] = await apply(m, "d1", [
      {
        type: "aws:ec2:instance",
        name: "ghost",
        action: "update",
        id: "i-0000",
        after: { instanceType: "t3.micro", ami: "ami-1" },
        diff: [],
      },
    ]);
    expect(missing).toMatchObject({ status: "failed", error: { code: "NOT_FOUND" } });
  });

  it("refuses a second holder of a unique platform name", async () => {
    const m = await mock({ mountName: "opnsense" });
    await create(m, "opnsense:network:vlan", "a", { tag: 150, interface: "igc2" });
    const clash = await create(m, "opnsense:network:vlan", "b", { tag: 150, interface: "igc2" }, "d2");
    expect(clash).toMatchObject({ status: "failed", error: { code: "ALREADY_EXISTS" } });
    expect(clash.error?.message).toContain("a in deployment d1");
  });

  it("keeps secrets only as digests, and still sees an unchanged password as no change", async () => {
    const worldFile = tempWorldFile("opnsense");
    const m = await mock({ mountName: "opnsense", worldFile });
    const properties = { username: "ops", password: "hunter2-but-longer" };
    const made = await create(m, "opnsense:security:user", "ops", properties);
    m.provider.close();
    expect(readFileSync(worldFile, "utf8")).not.toContain("hunter2");
    const m2 = await mock({ mountName: "opnsense", worldFile });
    const { changes } = await m2.data<{ changes: Change[] }>("planDeployment", {
      deploymentId: "d1",
      resources: [{ type: "opnsense:security:user", name: "ops", properties }],
      current: [{ type: "opnsense:security:user", name: "ops", id: made.id, properties: {}, outputs: {} }],
      options: { refresh: true },
    });
    expect(changes[0]?.action).toBe("noop");
  });
});

describe("getResource", () => {
  it("answers NOT_FOUND for an unknown id or a wrong type", async () => {
    const m = await mock({ mountName: "aws" });
    const missing = await m.call("getResource", { type: "aws:ec2:instance", id: "i-0123456789abcdef0" });
    expect(missing).toMatchObject({ success: false, error: { code: "NOT_FOUND", retryable: false } });
    const vpc = await create(m, "aws:vpc:vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    expect((await m.call("getResource", { type: "aws:vpc:subnet", id: vpc.id })).error?.code).toBe(
      "NOT_FOUND",
    );
    expect(await m.data("getResource", { type: "aws:vpc:vpc", id: vpc.id })).toMatchObject({
      id: vpc.id,
      properties: { cidrBlock: "10.0.0.0/16" },
      outputs: { id: vpc.id },
    });
  });
});

describe("snapshots", () => {
  it("restores updated and deleted resources and deletes newer ones, also after a restart", async () => {
    const worldFile = tempWorldFile("opnsense");
    const m = await mock({ mountName: "opnsense", worldFile });
    const a = await create(m, "opnsense:firewall:rule", "a", { action: "pass" });
    const b = await create(m, "opnsense:firewall:rule", "b", { action: "pass" });
    const { snapshotId } = await m.data<{ snapshotId: string }>("createSnapshot", { deploymentId: "d1" });
    await apply(m, "d1", [
      {
        type: "opnsense:firewall:rule",
        name: "a",
        action: "update",
        id: a.id,
        after: { action: "block" },
        diff: [],
      },
      { type: "opnsense:firewall:rule", name: "b", action: "delete", id: b.id, diff: [] },
      createChange("opnsense:firewall:rule", "c", { action: "reject" }),
    ]);
    m.provider.close();

    const m2 = await mock({ mountName: "opnsense", worldFile });
    const rolled = await m2.data<{ restored: string[]; deleted: string[] }>("rollbackToSnapshot", {
      snapshotId,
    });
    expect(rolled.restored.sort()).toEqual(["a", "b"]);
    expect(rolled.deleted).toEqual(["c"]);
    const state = await m2.data<{ resources: ListedResource[] }>("getDeploymentState", {
      deploymentId: "d1",
    });
    const byName = Object.fromEntries(
      state.resources.map((entry) => [entry.name, entry.properties["action"]]),
    );
    expect(byName).toEqual({ a: "pass", b: "pass" });
    expect((await m2.call("rollbackToSnapshot", { snapshotId: "snap-nope" })).error?.code).toBe("NOT_FOUND");
  });
});

describe("fault injection", () => {
  it("fails the Nth attempt with the configured code, counting across restarts", async () => {
    const worldFile = tempWorldFile("aws");
    const env = {
      MOCK_FAULTS: JSON.stringify([{ match: "app-*", op: "create", attempts: [1, 3], code: "THROTTLED" }]),
    };
    const m = await mock({ mountName: "aws", worldFile, env });
    const change = createChange("aws:ec2:instance", "app-1", { instanceType: "t3.micro", ami: "ami-1" });
    const [first] = await apply(m, "d1", [change]);
    expect(first).toMatchObject({ status: "failed", error: { code: "THROTTLED", retryable: true } });
    expect(first?.error?.message).toContain("attempt 1");
    const other = await create(m, "aws:vpc:vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    expect(other.status).toBe("succeeded");
    const [second] = await apply(m, "d1", [change]);
    expect(second?.status).toBe("succeeded");
    m.provider.close();

    const m2 = await mock({ mountName: "aws", worldFile, env });
    const [third] = await apply(m2, "d2", [change]);
    expect(third).toMatchObject({ status: "failed", error: { code: "THROTTLED" } });
  });

  it("applies a fault to any operation by type, with its own message and retryability", async () => {
    const env = {
      MOCK_FAULTS: JSON.stringify([
        {
          match: "aws:rds:*",
          op: "read",
          always: true,
          code: "UNAVAILABLE",
          message: "RDS is down",
          retryable: false,
        },
      ]),
    };
    const m = await mock({ mountName: "aws", env });
    const db = await create(m, "aws:rds:instance", "db", {
      engine: "postgres",
      instanceClass: "db.t3.micro",
    });
    expect(db.status).toBe("succeeded");
    const read = await m.call("getResource", { type: "aws:rds:instance", id: db.id });
    expect(read.error).toEqual({
      code: "UNAVAILABLE",
      message: "RDS is down",
      retryable: false,
      details: expect.anything(),
    });
  });

  it("waits the configured latency on mutating operations only", async () => {
    const waits: number[] = [];
    const m = await mock({
      mountName: "aws",
      env: { MOCK_LATENCY_MS: "5-200", MOCK_LATENCY_BY_TYPE: JSON.stringify({ "aws:rds:*": "50" }) },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const vpc = await create(m, "aws:vpc:vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    await create(m, "aws:rds:instance", "db", { engine: "postgres", instanceClass: "db.t3.micro" });
    await m.data("getResource", { type: "aws:vpc:vpc", id: vpc.id });
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(5);
    expect(waits[0]).toBeLessThanOrEqual(200);
    expect(waits[1]).toBe(50);
  });

  it("never answers a hung operation while other calls go on", async () => {
    const m = await mock({
      mountName: "docker",
      env: { MOCK_HANG: JSON.stringify({ match: "stuck", op: "create" }) },
    });
    let settled = false;
    const hung = m
      .call("applyDeployment", {
        deploymentId: "d1",
        changes: [createChange("docker:volume:create", "stuck", {})],
      })
      .finally(() => {
        settled = true;
      });
    hung.catch(() => {});
    const fine = await create(m, "docker:volume:create", "fine", {});
    expect(fine.status).toBe("succeeded");
    await m.data("listResources", {});
    expect(settled).toBe(false);
    expect(m.provider.world.findManaged("d1", "docker:volume:create", "stuck")).toBeUndefined();
  });

  it("crashes before or after an operation once, and on the Nth tool call", async () => {
    const crashes: string[] = [];
    const crash = (reason: string) => {
      crashes.push(reason);
    };
    const worldFile = tempWorldFile("docker");
    const env = {
      MOCK_CRASH: JSON.stringify([
        { match: "before-*", op: "create", when: "before" },
        { match: "after-*", op: "create", when: "after" },
      ]),
    };
    const m = await mock({ mountName: "docker", worldFile, env, crash });
    const [before] = await apply(m, "d1", [createChange("docker:volume:create", "before-1", {})]);
    expect(before?.status).toBe("failed");
    expect(m.provider.world.findManaged("d1", "docker:volume:create", "before-1")).toBeUndefined();
    const [after] = await apply(m, "d1", [createChange("docker:volume:create", "after-1", {})]);
    expect(after?.status).toBe("failed");
    expect(m.provider.world.findManaged("d1", "docker:volume:create", "after-1")).toBeDefined();
    expect(crashes).toEqual([
      expect.stringContaining("before create of before-1"),
      expect.stringContaining("after create of after-1"),
    ]);
    m.provider.close();

    const restarted = await mock({ mountName: "docker", worldFile, env, crash });
    const [retry] = await apply(restarted, "d1", [createChange("docker:volume:create", "before-1", {})]);
    expect(retry?.status).toBe("succeeded");
    expect(crashes).toHaveLength(2);

    const counted = await mock({ mountName: "docker", env: { MOCK_CRASH_AFTER_CALLS: "3" }, crash });
    await counted.call("listResources", {});
    await counted.call("listResources", {});
    expect((await counted.call("listResources", {})).success).toBe(false);
    expect(crashes.at(-1)).toContain("MOCK_CRASH_AFTER_CALLS=3");
  });

  it("names the variable when a setting is wrong", () => {
    const worldFile = tempWorldFile();
    const attempt = (env: Record<string, string>) => () => createMockProvider({ env, worldFile });
    expect(attempt({ MOCK_LATENCY_MS: "fast" })).toThrow(/MOCK_LATENCY_MS must be milliseconds/);
    expect(attempt({ MOCK_FAULTS: "[{" })).toThrow(/MOCK_FAULTS is not valid JSON/);
    expect(attempt({ MOCK_FAULTS: '[{"match":"x","code":"OOPS"}]' })).toThrow(
      /MOCK_FAULTS\[0\]\.code "OOPS"/,
    );
    expect(attempt({ MOCK_CRASH: '{"when":"during"}' })).toThrow(/MOCK_CRASH\[0\]\.when/);
    expect(attempt({ MOCK_CRASH_AFTER_CALLS: "0" })).toThrow(/MOCK_CRASH_AFTER_CALLS/);
  });
});

describe("seeding", () => {
  it("lists unmanaged resources from MOCK_SEED_FILE without adopting them", async () => {
    const worldFile = tempWorldFile("aws");
    const seedFile = `${worldFile}.seed.json`;
    writeFileSync(
      seedFile,
      JSON.stringify([
        { type: "aws:vpc:vpc", name: "legacy", properties: { cidrBlock: "172.31.0.0/16" } },
        {
          id: "i-0aaaaaaaaaaaaaaaa",
          type: "aws:ec2:instance",
          properties: { instanceType: "t2.micro", ami: "ami-9" },
        },
      ]),
    );
    const m = await mock({ mountName: "aws", worldFile, env: { MOCK_SEED_FILE: seedFile } });
    const all = await m.data<{ resources: ListedResource[] }>("listResources", {});
    expect(all.resources).toHaveLength(2);
    expect(all.resources.every((entry) => entry.managed === false && entry.deploymentId === undefined)).toBe(
      true,
    );
    expect(all.resources.find((entry) => entry.type === "aws:vpc:vpc")?.id).toMatch(/^vpc-0/);
    const mine = await create(m, "aws:vpc:vpc", "legacy", { cidrBlock: "172.31.0.0/16" });
    expect(all.resources.map((entry) => entry.id)).not.toContain(mine.id);
    m.provider.close();
    const again = await mock({ mountName: "aws", worldFile, env: { MOCK_SEED_FILE: seedFile } });
    expect((await again.data<{ resources: ListedResource[] }>("listResources", {})).resources).toHaveLength(
      3,
    );
  });
});
