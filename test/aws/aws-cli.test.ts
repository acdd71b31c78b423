import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CloudControlEmulator, startCloudControlEmulator } from "./emulator/server.ts";
import { providerFor } from "./support.ts";

const run = promisify(execFile);
const cliMissing = await run("aws", ["--version"]).then(
  () => false,
  () => true,
);
if (cliMissing) console.warn("aws CLI test skipped: the aws command is not installed");

// The vendor's own CLI (aws-cli v1, botocore: SigV4, its own ClientToken) drives the emulator, which
// keeps the emulator honest to the wire protocol the provider's SDK also speaks.
describe.skipIf(cliMissing)("the AWS CLI drives the Cloud Control emulator", () => {
  let emulator: CloudControlEmulator;
  beforeAll(async () => {
    emulator = await startCloudControlEmulator({ polls: 1 });
  });
  afterAll(async () => emulator.stop());

  async function aws(...args: string[]): Promise<Record<string, unknown>> {
    const { stdout } = await run(
      "aws",
      ["cloudcontrol", ...args, "--endpoint-url", emulator.url, "--region", "us-east-1", "--output", "json"],
      { env: { PATH: process.env.PATH ?? "", HOME: "/nonexistent", ...emulator.env } },
    );
    return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
  }

  it("creates, polls, reads, patches, lists and deletes a log group; the provider sees it as not ours", async () => {
    const created = (
      await aws(
        "create-resource",
        "--type-name",
        "AWS::Logs::LogGroup",
        "--desired-state",
        '{"LogGroupName":"cli-made","RetentionInDays":7}',
      )
    )["ProgressEvent"] as Record<string, string>;
    expect(created["OperationStatus"]).toBe("IN_PROGRESS");
    const done = (await aws("get-resource-request-status", "--request-token", created["RequestToken"]!))[
      "ProgressEvent"
    ] as Record<string, string>;
    expect(done).toMatchObject({ OperationStatus: "SUCCESS", Identifier: "cli-made" });

    const patched = (
      await aws(
        "update-resource",
        "--type-name",
        "AWS::Logs::LogGroup",
        "--identifier",
        "cli-made",
        "--patch-document",
        '[{"op":"replace","path":"/RetentionInDays","value":30}]',
      )
    )["ProgressEvent"] as Record<string, string>;
    await aws("get-resource-request-status", "--request-token", patched["RequestToken"]!);
    const read = (
      await aws("get-resource", "--type-name", "AWS::Logs::LogGroup", "--identifier", "cli-made")
    )["ResourceDescription"] as Record<string, string>;
    expect(JSON.parse(read["Properties"]!)).toMatchObject({ LogGroupName: "cli-made", RetentionInDays: 30 });

    const listed = await providerFor(emulator).tools.listResources({
      filter: { type: "aws:logs:log-group" },
    });
    expect(listed.resources).toEqual([expect.objectContaining({ id: "cli-made", managed: false })]);

    const deleted = (
      await aws("delete-resource", "--type-name", "AWS::Logs::LogGroup", "--identifier", "cli-made")
    )["ProgressEvent"] as Record<string, string>;
    await aws("get-resource-request-status", "--request-token", deleted["RequestToken"]!);
    const list = await aws("list-resources", "--type-name", "AWS::Logs::LogGroup");
    expect(list["ResourceDescriptions"]).toEqual([]);
    const error = await aws(
      "get-resource",
      "--type-name",
      "AWS::Logs::LogGroup",
      "--identifier",
      "cli-made",
    ).catch((e: { stderr: string }) => e.stderr);
    expect(String(error)).toContain("ResourceNotFoundException");
  }, 120_000);
});
