import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secretDigest } from "../../tools/protocol/index.ts";
import { DEFAULT_SUBNETS, DEFAULT_VPC } from "./emulator/cloud-control.ts";
import { type CloudControlEmulator, startCloudControlEmulator } from "./emulator/server.ts";
import { applyOne, ids, providerFor, stored } from "./support.ts";

let emulator: CloudControlEmulator;
let provider: ReturnType<typeof providerFor>;
beforeAll(async () => {
  emulator = await startCloudControlEmulator({ polls: 2 });
  provider = providerFor(emulator);
});
afterAll(async () => emulator.stop());

describe("the seed's types onto CloudFormation", () => {
  it("maps a security group's ingress onto SecurityGroupIngress and tags it as ours", async () => {
    const { state } = await applyOne(provider, "d-sg", {
      type: "aws:vpc:security-group",
      name: "web",
      properties: {
        vpc: DEFAULT_VPC,
        ingress: [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }],
        tags: { team: "a" },
      },
    });
    const model = stored(emulator, "AWS::EC2::SecurityGroup", state.id)!;
    expect(model["SecurityGroupIngress"]).toEqual([
      { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIp: "0.0.0.0/0" },
    ]);
    expect(model["Tags"]).toEqual(
      expect.arrayContaining([
        { Key: "managed-by", Value: "mcp-iac" },
        { Key: "mcp-iac:deployment", Value: "d-sg" },
        { Key: "mcp-iac:name", Value: "web" },
        { Key: "team", Value: "a" },
      ]),
    );
    const read = await provider.tools.getResource({ type: "aws:vpc:security-group", id: state.id });
    expect(read.properties).toEqual({
      vpc: DEFAULT_VPC,
      ingress: [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }],
      tags: { team: "a" },
    });
  });

  it("sends the RDS password as the write-only MasterUserPassword, never reads it back, and adds it on change", async () => {
    const properties = {
      engine: "postgres",
      instanceClass: "db.t3.micro",
      username: "app",
      password: "first-secret-1",
    };
    const { state } = await applyOne(provider, "d-rds", { type: "aws:rds:instance", name: "db", properties });
    expect(stored(emulator, "AWS::RDS::DBInstance", state.id)?.["MasterUserPassword"]).toBe("first-secret-1");
    expect(state.outputs).toMatchObject({ id: state.id, port: 5432 });
    expect(String(state.outputs["endpoint"])).toContain(".rds.amazonaws.com");
    const read = await provider.tools.getResource({ type: "aws:rds:instance", id: state.id });
    expect(JSON.stringify(read)).not.toContain("first-secret-1");

    // State keeps a digest of the secret; the live model has no password at all: still a noop.
    const recorded = { ...state, properties: { ...properties, password: secretDigest("first-secret-1") } };
    const again = await provider.tools.planDeployment({
      deploymentId: "d-rds",
      resources: [{ type: "aws:rds:instance", name: "db", properties }],
      current: [recorded],
    });
    expect(again.changes[0]?.action).toBe("noop");

    const changed = { ...properties, password: "second-secret-2" };
    const { change } = await applyOne(
      provider,
      "d-rds",
      { type: "aws:rds:instance", name: "db", properties: changed },
      [recorded],
    );
    expect(change.action).toBe("update");
    expect(stored(emulator, "AWS::RDS::DBInstance", state.id)?.["MasterUserPassword"]).toBe(
      "second-secret-2",
    );
  });

  it("makes a load balancer's listeners Listener and TargetGroup resources it owns, and takes them along", async () => {
    const lbBefore = ids(emulator, "AWS::ElasticLoadBalancingV2::Listener").length;
    const properties = {
      subnets: DEFAULT_SUBNETS,
      listeners: [{ protocol: "HTTP", port: 80, targetPort: 8080 }],
    };
    const { state } = await applyOne(provider, "d-lb", {
      type: "aws:elb:load-balancer",
      name: "front",
      properties,
    });
    expect(String(state.outputs["dnsName"])).toContain(".elb.amazonaws.com");
    const listeners = [
      ...(emulator.state.resources.get("AWS::ElasticLoadBalancingV2::Listener") ?? new Map()),
    ].filter(([, model]) => model["LoadBalancerArn"] === state.id);
    expect(listeners).toHaveLength(1);
    const group = (listeners[0]![1]["DefaultActions"] as Array<{ TargetGroupArn: string }>)[0]!
      .TargetGroupArn;
    expect(stored(emulator, "AWS::ElasticLoadBalancingV2::TargetGroup", group)).toMatchObject({
      Port: 8080,
      VpcId: DEFAULT_VPC,
    });

    const two = { ...properties, listeners: [...properties.listeners, { protocol: "TCP", port: 5432 }] };
    const { change } = await applyOne(
      provider,
      "d-lb",
      { type: "aws:elb:load-balancer", name: "front", properties: two },
      [state],
    );
    expect(change.action).toBe("update");
    const read = await provider.tools.getResource({ type: "aws:elb:load-balancer", id: state.id });
    expect(read.properties["listeners"]).toEqual(two.listeners);

    await provider.tools.destroyDeployment({
      deploymentId: "d-lb",
      resources: [{ ...state, properties: two }],
    });
    expect(ids(emulator, "AWS::ElasticLoadBalancingV2::Listener")).toHaveLength(lbBefore);
    expect(stored(emulator, "AWS::ElasticLoadBalancingV2::TargetGroup", group)).toBeUndefined();
    expect(stored(emulator, "AWS::ElasticLoadBalancingV2::LoadBalancer", state.id)).toBeUndefined();
  });

  it("plans a create-only change as a replace, and an updatable one in place", async () => {
    const { state } = await applyOne(provider, "d-vpc", {
      type: "aws:vpc:vpc",
      name: "net",
      properties: { cidrBlock: "10.9.0.0/16" },
    });
    const plan = async (properties: Record<string, unknown>) =>
      (
        await provider.tools.planDeployment({
          deploymentId: "d-vpc",
          resources: [{ type: "aws:vpc:vpc", name: "net", properties }],
          current: [state],
        })
      ).changes[0];
    expect((await plan({ cidrBlock: "10.8.0.0/16" }))?.action).toBe("replace");
    expect((await plan({ cidrBlock: "10.9.0.0/16", enableDnsHostnames: true }))?.action).toBe("update");
  });
});

describe("Cloud Control done right", () => {
  it("reports the handler's FAILED message and code, mapped to the standard codes", async () => {
    emulator.state.faults.failNext.push({
      typeName: "AWS::SQS::Queue",
      code: "ServiceLimitExceeded",
      message: "Queue quota reached",
    });
    const { error } = await applyOne(provider, "d-f", { type: "aws:sqs:queue", name: "q", properties: {} });
    expect(error?.code).toBe("QUOTA_EXCEEDED");
    expect(error?.message).toContain("Queue quota reached");
    expect(error?.message).toContain("ErrorCode ServiceLimitExceeded");

    emulator.state.faults.failNext.push({
      typeName: "AWS::SQS::Queue",
      code: "InternalFailure",
      message: "",
    });
    const empty = await applyOne(provider, "d-f", { type: "aws:sqs:queue", name: "q2", properties: {} });
    expect(empty.error?.message).toContain("the handler gave no status message");

    await applyOne(provider, "d-f", {
      type: "aws:s3:bucket",
      name: "b1",
      properties: { bucketName: "taken-name" },
    });
    const taken = await applyOne(provider, "d-f2", {
      type: "aws:s3:bucket",
      name: "b2",
      properties: { bucketName: "taken-name" },
    });
    expect(taken.error?.code).toBe("ALREADY_EXISTS");
  });

  it("rides out throttling and a NotFound right after SUCCESS; persistent throttling is THROTTLED", async () => {
    emulator.state.faults.throttleNext = 3;
    emulator.state.faults.notFoundAfterCreate = 2;
    const ok = await applyOne(provider, "d-t", {
      type: "aws:logs:log-group",
      name: "logs",
      properties: { RetentionInDays: 7 },
    });
    emulator.state.faults.notFoundAfterCreate = 0;
    expect(ok.error).toBeUndefined();
    expect(ok.state.outputs["Arn"]).toContain(":log-group:");

    emulator.state.faults.throttleEvery = 1;
    try {
      await expect(
        Promise.resolve(provider.tools.getResource({ type: "aws:logs:log-group", id: ok.state.id })),
      ).rejects.toMatchObject({ code: "THROTTLED", retryable: true });
    } finally {
      emulator.state.faults.throttleEvery = 0;
    }
  }, 60_000);

  it("makes a create idempotent with the change's operationId, and reports progress while polling", async () => {
    emulator.state.faults.slowTypes["AWS::SNS::Topic"] = 4;
    const before = ids(emulator, "AWS::SNS::Topic").length;
    const progress: string[] = [];
    const change = {
      name: "alerts",
      type: "aws:sns:topic",
      action: "create" as const,
      after: { DisplayName: "alerts" },
      diff: [],
      operationId: "op-alerts-1",
    };
    // Twice at once, as a retry racing the original: Cloud Control replays the ClientToken.
    const [first, second] = await Promise.all([
      provider.tools.applyDeployment(
        { deploymentId: "d-i", changes: [change] },
        { progress: (m) => progress.push(m) },
      ),
      provider.tools.applyDeployment({ deploymentId: "d-i", changes: [change] }),
    ]);
    delete emulator.state.faults.slowTypes["AWS::SNS::Topic"];
    expect(first.results[0]?.id).toBeTruthy();
    expect(second.results[0]?.id).toBe(first.results[0]?.id);
    expect(ids(emulator, "AWS::SNS::Topic")).toHaveLength(before + 1);
    expect(progress.some((line) => /AWS::SNS::Topic alerts \(create\): IN_PROGRESS/.test(line))).toBe(true);
  });

  it("retries a failed create under the same operationId: the replayed failure is not the answer", async () => {
    emulator.state.faults.failNext.push({
      typeName: "AWS::SQS::Queue",
      code: "InternalFailure",
      message: "handler crashed",
    });
    const change = {
      name: "retry-me",
      type: "aws:sqs:queue",
      action: "create" as const,
      after: {},
      diff: [],
      operationId: "op-retry-1",
    };
    const first = await provider.tools.applyDeployment({ deploymentId: "d-r", changes: [change] });
    expect(first.results[0]?.error?.message).toContain("handler crashed");
    const second = await provider.tools.applyDeployment({ deploymentId: "d-r", changes: [change] });
    expect(second.results[0]?.status).toBe("succeeded");
  });

  it("answers NOT_FOUND for a missing id and UNSUPPORTED for a type Cloud Control does not know", async () => {
    await expect(
      provider.tools.getResource({ type: "aws:vpc:vpc", id: "vpc-missing" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      provider.tools.planDeployment({
        deploymentId: "d-u",
        resources: [{ type: "aws:nosuch:thing", name: "x", properties: {} }],
        current: [],
      }),
    ).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});

describe("discovery and description", () => {
  it("lists every page of a type and tells ours from the rest", async () => {
    const small = await startCloudControlEmulator({ pageSize: 3 });
    try {
      const paged = providerFor(small);
      for (let i = 0; i < 7; i++)
        await applyOne(paged, "d-list", { type: "aws:sqs:queue", name: `q${i}`, properties: {} });
      await applyOne(paged, "d-other", { type: "aws:sqs:queue", name: "elsewhere", properties: {} });
      const ours = await paged.tools.listResources({
        filter: { type: "aws:sqs:queue", deploymentId: "d-list" },
      });
      expect(ours.resources.map((entry) => entry.name).sort()).toEqual([
        "q0",
        "q1",
        "q2",
        "q3",
        "q4",
        "q5",
        "q6",
      ]);
      const all = await paged.tools.listResources({ filter: { type: "aws:vpc:vpc" } });
      expect(all.resources.find((entry) => entry.id === DEFAULT_VPC)).toMatchObject({ managed: false });
      expect(small.state.calls["ListResources"]).toBeGreaterThan(2);
    } finally {
      await small.stop();
    }
  });

  it("describes types on demand by name and by query, with a permissive schema that says so", async () => {
    const byQuery = await provider.tools.describeResourceTypes({ query: "queue" });
    expect(byQuery.types.map((info) => info.type)).toContain("aws:sqs:queue");
    const byName = await provider.tools.describeResourceTypes({ types: ["aws:logs:log-group"] });
    const info = byName.types[0]!;
    expect(info.replaceOnChange).toEqual(["LogGroupName", "LogGroupClass"]);
    expect(String(info.properties["description"])).toContain("DescribeType");
    const listing = await provider.tools.describeResourceTypes({});
    expect(listing.types).toHaveLength(7);
  });
});
