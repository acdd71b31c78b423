import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../agent/config.ts";
import { awsCredentialSource, initConfig, initSummary } from "../../agent/init.ts";

const NOWHERE = "unix:///nonexistent/mcp-iac-init-test.sock";
const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-aws-init-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("agent init and AWS credentials", () => {
  it("configures the real AWS provider when the SDK's chain would find credentials", async () => {
    const cwd = tempDir();
    const env = { HOME: cwd, AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "example-secret" };
    const result = await initConfig({ cwd, dockerHost: NOWHERE, env });
    expect(result.awsCredentials).toBe("AWS_ACCESS_KEY_ID");
    expect(loadConfig({ cwd }).config.mcpServers["aws"]).toEqual({ builtin: "aws" });
    // The key's value never lands in the file or the summary.
    expect(result.content).not.toContain("example-secret");
    expect(initSummary(result).join("\n")).toContain("the real AWS provider");
  });

  it("finds a shared credentials file, and keeps the mock with nothing found", async () => {
    const home = tempDir();
    expect(awsCredentialSource({ HOME: home })).toBeUndefined();
    mkdirSync(join(home, ".aws"));
    writeFileSync(join(home, ".aws", "credentials"), "[default]\n");
    expect(awsCredentialSource({ HOME: home })).toBe(join(home, ".aws", "credentials"));
    expect(awsCredentialSource({ HOME: tempDir(), AWS_PROFILE: "prod" })).toBe("AWS_PROFILE=prod");

    const cwd = tempDir();
    const result = await initConfig({ cwd, dockerHost: NOWHERE, env: { HOME: cwd } });
    expect(result.awsCredentials).toBeUndefined();
    expect(loadConfig({ cwd }).config.mcpServers["aws"]).toEqual({ builtin: "mock" });
    expect(result.content).toContain("#   builtin: aws");
  });
});
