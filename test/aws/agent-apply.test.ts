import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { AGENT, agent, json } from "../e2e/harness.ts";
import { type CloudControlEmulator, startCloudControlEmulator } from "./emulator/server.ts";

const PASSWORD = "db-Secret-e2e-91";

/** The seed's cloud half: VPC, subnet, security group, two instances, RDS with a password, load balancer, bucket. */
function cloudSpec(name: string, change: { app1Type?: string; app2Ami?: string; extra?: unknown[] } = {}) {
  const resources = [
    { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.20.0.0/16" } },
    {
      type: "aws:vpc:subnet",
      name: "subnet",
      properties: { vpc: "${vpc.id}", cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1a" },
    },
    {
      type: "aws:vpc:security-group",
      name: "web",
      properties: { vpc: "${vpc.id}", ingress: [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }] },
    },
    {
      type: "aws:ec2:instance",
      name: "app-1",
      properties: {
        instanceType: change.app1Type ?? "t3.medium",
        ami: "ami-12345",
        subnet: "${aws:vpc:subnet.id}",
        securityGroups: ["${web.id}"],
      },
    },
    {
      type: "aws:ec2:instance",
      name: "app-2",
      properties: {
        instanceType: "t3.medium",
        ami: change.app2Ami ?? "ami-12345",
        subnet: "${aws:vpc:subnet.id}",
      },
    },
    {
      type: "aws:rds:instance",
      name: "app-db",
      properties: {
        engine: "postgres",
        instanceClass: "db.t3.micro",
        allocatedStorage: 20,
        backupRetentionDays: 7,
        publiclyAccessible: false,
        username: "portal",
        password: PASSWORD,
      },
    },
    {
      type: "aws:elb:load-balancer",
      name: "app-lb",
      properties: {
        subnets: ["${subnet.id}"],
        listeners: [{ protocol: "HTTP", port: 80, targetPort: 8080 }],
      },
    },
    { type: "aws:s3:bucket", name: "assets", properties: { bucketName: `${name}-assets`, versioning: true } },
    ...(change.extra ?? []),
  ];
  return stringify({ apiVersion: "iac.mcp/v1", kind: "Deployment", metadata: { name }, spec: { resources } });
}

function project(emulator: CloudControlEmulator): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-aws-e2e-"));
  const config = { mcpServers: { aws: { builtin: "aws", env: emulator.env } }, policies: [] };
  writeFileSync(join(dir, "mcp-iac.config.yaml"), stringify(config));
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

type Report = {
  report: {
    outcome: string;
    results: Array<{ name: string; status: string; error?: { code: string; message: string } }>;
  };
};
type StateDoc = { state: { resources: Record<string, { id: string; properties: Record<string, unknown> }> } };

describe("the seed's cloud half through agent apply against the Cloud Control emulator", () => {
  let emulator: CloudControlEmulator;
  let dir: string;
  let initial: string[];
  beforeAll(async () => {
    emulator = await startCloudControlEmulator({ polls: 2 });
    dir = project(emulator);
    initial = emulator.state.inventory();
  });
  afterAll(async () => emulator.stop());

  const apply = async (spec: string, args: string[] = []) => {
    writeFileSync(join(dir, "cloud.yaml"), spec);
    return agent(["apply", "-f", "cloud.yaml", "--yes", "--json", ...args], dir);
  };
  const stateOf = async () =>
    json<StateDoc>(await agent(["state", "show", "cloud", "--json"], dir)).state.resources;
  const stored = (type: string, id: string) => emulator.state.resources.get(type)?.get(id);

  it("applies with references, keeps the password out of state, updates in place and replaces on a create-only change", async () => {
    const first = await apply(cloudSpec("cloud"));
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const state = await stateOf();
    expect(Object.keys(state).sort()).toEqual([
      "app-1",
      "app-2",
      "app-db",
      "app-lb",
      "assets",
      "subnet",
      "vpc",
      "web",
    ]);
    expect(stored("AWS::EC2::Subnet", state["subnet"]!.id)?.["VpcId"]).toBe(state["vpc"]!.id);
    expect(stored("AWS::EC2::Instance", state["app-1"]!.id)).toMatchObject({
      SubnetId: state["subnet"]!.id,
      SecurityGroupIds: [state["web"]!.id],
    });
    expect(stored("AWS::RDS::DBInstance", state["app-db"]!.id)?.["MasterUserPassword"]).toBe(PASSWORD);
    for (const file of filesUnder(join(dir, ".mcp-iac")))
      expect(readFileSync(file, "utf8")).not.toContain(PASSWORD);
    expect(first.stdout + first.stderr).not.toContain(PASSWORD);

    const updated = await apply(cloudSpec("cloud", { app1Type: "t3.large" }));
    expect(updated.exitCode, updated.stdout + updated.stderr).toBe(0);
    const afterUpdate = await stateOf();
    expect(afterUpdate["app-1"]!.id).toBe(state["app-1"]!.id);
    expect(stored("AWS::EC2::Instance", state["app-1"]!.id)?.["InstanceType"]).toBe("t3.large");

    writeFileSync(
      join(dir, "cloud.yaml"),
      cloudSpec("cloud", { app1Type: "t3.large", app2Ami: "ami-67890" }),
    );
    const plan = json<{ plan: { changes: Array<{ name: string; action: string }> } }>(
      await agent(["plan", "-f", "cloud.yaml", "--json"], dir),
    );
    expect(plan.plan.changes.find((change) => change.name === "app-2")?.action).toBe("replace");
    const replaced = await apply(cloudSpec("cloud", { app1Type: "t3.large", app2Ami: "ami-67890" }));
    expect(replaced.exitCode, replaced.stdout + replaced.stderr).toBe(0);
    const afterReplace = await stateOf();
    expect(afterReplace["app-2"]!.id).not.toBe(state["app-2"]!.id);
    expect(stored("AWS::EC2::Instance", state["app-2"]!.id)).toBeUndefined();
    expect(stored("AWS::EC2::Instance", afterReplace["app-2"]!.id)?.["ImageId"]).toBe("ami-67890");
  }, 240_000);

  it("rolls back after a handler FAILED, leaving the account as before, and survives throttling", async () => {
    const before = emulator.state.inventory();
    emulator.state.faults.failNext.push({
      typeName: "AWS::EC2::Instance",
      operation: "CREATE",
      code: "ServiceLimitExceeded",
      message: "You have requested more vCPU capacity than your current vCPU limit",
    });
    const extra = [
      {
        type: "aws:vpc:subnet",
        name: "subnet-2",
        properties: { vpc: "${vpc.id}", cidrBlock: "10.20.2.0/24" },
      },
      {
        type: "aws:ec2:instance",
        name: "app-3",
        properties: { instanceType: "t3.medium", ami: "ami-12345", subnet: "${subnet-2.id}" },
      },
    ];
    const failed = await apply(cloudSpec("cloud", { app1Type: "t3.large", app2Ami: "ami-67890", extra }));
    expect(failed.exitCode, failed.stdout + failed.stderr).toBe(1);
    const report = json<Report>(failed).report;
    expect(report.outcome).toBe("rolled-back");
    expect(report.results.find((result) => result.name === "app-3")?.error).toMatchObject({
      code: "QUOTA_EXCEEDED",
    });
    expect(report.results.find((result) => result.name === "app-3")?.error?.message).toContain("vCPU limit");
    expect(emulator.state.inventory()).toEqual(before);

    emulator.state.faults.throttleEvery = 4;
    try {
      const throttled = await apply(cloudSpec("cloud", { app1Type: "t3.xlarge", app2Ami: "ami-67890" }));
      expect(throttled.exitCode, throttled.stdout + throttled.stderr).toBe(0);
    } finally {
      emulator.state.faults.throttleEvery = 0;
    }
  }, 240_000);

  it("destroys in reverse order (a VPC with subnets cannot go first) and leaves the account as it found it", async () => {
    const destroyed = await agent(["destroy", "cloud", "--yes", "--json"], dir);
    expect(destroyed.exitCode, destroyed.stdout + destroyed.stderr).toBe(0);
    expect(emulator.state.inventory()).toEqual(initial);
  }, 120_000);

  it("after kill -9 mid-create, the next apply creates nothing twice", async () => {
    const crashDir = project(emulator);
    // Slow creates: the RDS instance is still in flight when the agent dies; the service finishes it anyway.
    emulator.state.faults.slowTypes["AWS::RDS::DBInstance"] = 1_000;
    const spec = stringify({
      apiVersion: "iac.mcp/v1",
      kind: "Deployment",
      metadata: { name: "crash" },
      spec: {
        resources: [
          {
            type: "aws:rds:instance",
            name: "db",
            properties: {
              engine: "postgres",
              instanceClass: "db.t3.micro",
              username: "app",
              password: PASSWORD,
            },
          },
        ],
      },
    });
    writeFileSync(join(crashDir, "crash.yaml"), spec);
    const child = execa(process.execPath, [AGENT, "apply", "-f", "crash.yaml", "--yes"], {
      cwd: crashDir,
      env: { NO_COLOR: "1" },
      reject: false,
      stdin: "ignore",
    });
    const inFlight = () =>
      [...emulator.state.requests.values()].some(
        (request) =>
          request.event.TypeName === "AWS::RDS::DBInstance" &&
          request.event.OperationStatus === "IN_PROGRESS",
      );
    while (!inFlight() && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGKILL");
    await child;
    expect(child.signalCode).toBe("SIGKILL");
    delete emulator.state.faults.slowTypes["AWS::RDS::DBInstance"];

    const again = await agent(["apply", "-f", "crash.yaml", "--yes", "--force-unlock", "--json"], crashDir);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    const ours = [...(emulator.state.resources.get("AWS::RDS::DBInstance") ?? new Map()).values()].filter(
      (model) =>
        (model["Tags"] as Array<{ Key: string; Value: string }>).some(
          (tag) => tag.Key === "mcp-iac:deployment" && tag.Value === "crash",
        ),
    );
    expect(ours).toHaveLength(1);
    const destroyed = await agent(["destroy", "crash", "--yes", "--json"], crashDir);
    expect(destroyed.exitCode, destroyed.stdout + destroyed.stderr).toBe(0);
  }, 120_000);
});
