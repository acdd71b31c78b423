import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));

/** In a fresh process (the SDK may already be loaded in this one): which @aws-sdk modules were resolved when. */
const SCRIPT = `
import { registerHooks } from "node:module";
let sdk = 0;
registerHooks({ resolve(specifier, context, next) { if (specifier.startsWith("@aws-sdk/")) sdk++; return next(specifier, context); } });
const { createAwsProvider } = await import(${JSON.stringify(SERVER)});
const { tools } = createAwsProvider({ mountName: "aws" });
await tools.describeResourceTypes({});
await tools.validateConfig({ resources: [{ type: "aws:vpc:vpc", name: "v", properties: { cidrBlock: "10.0.0.0/16" } }] });
const beforeCall = sdk;
// Nothing listens there: the call fails, after the SDK is loaded to make it.
await tools.listResources({ filter: { type: "aws:vpc:vpc" } }).catch(() => {});
console.log(JSON.stringify({ beforeCall, afterCall: sdk }));
`;

describe("the AWS provider loads the Cloud Control SDK on first use", () => {
  it("describes and validates without it, and loads it for the first call to Cloud Control", () => {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", SCRIPT], {
      encoding: "utf8",
      env: {
        ...process.env,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_ENDPOINT_URL_CLOUDCONTROL: "http://127.0.0.1:9",
        AWS_MAX_ATTEMPTS: "1",
      },
      timeout: 60_000,
    });
    expect(result.stderr).toBe("");
    const counts = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, number>;
    expect(counts["beforeCall"]).toBe(0);
    expect(counts["afterCall"]).toBeGreaterThan(0);
  });
});
