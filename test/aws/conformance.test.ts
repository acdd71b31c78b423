import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConformance } from "../../tools/conformance/index.ts";
import { type CloudControlEmulator, startCloudControlEmulator } from "./emulator/server.ts";

const RUN = fileURLToPath(new URL("../../tools/providers/aws/run.ts", import.meta.url));

describe("aws provider conformance over stdio against the Cloud Control emulator", () => {
  let emulator: CloudControlEmulator;
  beforeAll(async () => {
    emulator = await startCloudControlEmulator({ polls: 2 });
  });
  afterAll(async () => emulator.stop());

  async function conformance(types: string[]) {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [RUN],
      env: { PATH: process.env.PATH ?? "", ...emulator.env },
      stderr: "pipe",
    });
    const lines: string[] = [];
    const report = await runConformance(
      async () => {
        const client = new Client({ name: "conformance", version: "0.0.0" });
        await client.connect(transport);
        return client;
      },
      { types, log: (line) => lines.push(line) },
    );
    await transport.close();
    return { report, log: lines.join("\n") };
  }

  it("passes for the seed's seven types, and leaves the account as it found it", async () => {
    const before = emulator.state.inventory();
    const types = [
      "aws:vpc:vpc",
      "aws:vpc:subnet",
      "aws:vpc:security-group",
      "aws:ec2:instance",
      "aws:rds:instance",
      "aws:elb:load-balancer",
      "aws:s3:bucket",
    ];
    const { report, log } = await conformance(types);
    expect(report.failed, log).toBe(0);
    for (const type of types) expect(log).toContain(`${type}: an update to examples[1] round-trips`);
    expect(emulator.state.inventory()).toEqual(before);
  }, 240_000);

  it("passes for aws:sqs:queue, a CloudFormation type described on demand", async () => {
    const { report, log } = await conformance(["aws:sqs:queue"]);
    expect(report.failed, log).toBe(0);
    expect(log).toContain("aws:sqs:queue (on demand) has valid schemas");
    expect(log).toContain("aws:sqs:queue: destroyDeployment removes it");
  }, 120_000);
});
