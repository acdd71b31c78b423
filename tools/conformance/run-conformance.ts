import { randomUUID } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Ajv } from "ajv";
import { isErrorCode, PROTOCOL_VERSION, type ResourceTypeInfo, TOOL_NAMES } from "../protocol/index.ts";
import { createEnvelopeCaller, type EnvelopeCaller } from "./envelope-check.ts";
import { ConformanceFailure, fail, summarize } from "./failure.ts";
import { lifecycle } from "./lifecycle.ts";
import { type ConformanceReport, type ConformanceResult, formatResult, tally } from "./report.ts";
import { checkSchemas } from "./schema-check.ts";

export interface ConformanceOptions {
  /** Only these types get the lifecycle checks (each must be described); default all. */
  types?: string[];
  /** Default: a fresh `conformance-…` id, so that runs never touch each other's resources. */
  deploymentId?: string;
  /** Receives one line per check as it completes. */
  log?: (line: string) => void;
  /** Per tool call; default 120 s. */
  timeoutMs?: number;
}

const UNKNOWN_TYPE = "conformance:no-such:type";

/**
 * Runs the iac.mcp/v1 conformance suite against a provider: the tools, the envelope of every answer,
 * the schemas, and a full create → read → noop → update → destroy lifecycle per resource type from its
 * schema's examples. Whatever it creates, it destroys, even when a check fails.
 */
export async function runConformance(
  connect: () => Promise<Client>,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const results: ConformanceResult[] = [];
  const log = options.log ?? (() => {});
  const deploymentId =
    options.deploymentId ?? `conformance-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

  function record(result: ConformanceResult) {
    results.push(result);
    log(formatResult(result));
  }

  async function check(name: string, work: () => Promise<void>): Promise<boolean> {
    const seen = caller?.violations.length ?? 0;
    try {
      await work();
      const flaws = caller?.violations.slice(seen) ?? [];
      if (flaws.length > 0) fail(flaws.join("\n"));
      record({ name, ok: true });
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // Anything but a failed expectation is a bug or a crash worth its stack in the report.
      const detail = error instanceof ConformanceFailure ? message : `unexpected error: ${message}`;
      record({ name, ok: false, message: detail });
      return false;
    }
  }

  const skip = (name: string, reason: string) => record({ name, ok: true, skipped: true, message: reason });

  log(`iac.mcp/v1 conformance, deployment ${deploymentId}`);
  let caller: EnvelopeCaller | undefined;
  let client: Client;
  try {
    client = await connect();
  } catch (error) {
    record({
      name: "connect to the provider",
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    });
    return tally(results);
  }
  caller = createEnvelopeCaller(client, { timeoutMs: options.timeoutMs ?? 120_000 });
  const calls = caller;

  try {
    await check("tools: the ten iac.mcp/v1 tools are listed", async () => {
      const { tools } = await client.listTools();
      const names = new Set(tools.map((tool) => tool.name));
      const missing = TOOL_NAMES.filter((tool) => !names.has(tool));
      if (missing.length > 0) fail(`missing: ${missing.join(", ")}`);
    });

    let described: ResourceTypeInfo[] = [];
    await check(`describeResourceTypes: announces protocol ${PROTOCOL_VERSION}`, async () => {
      const data = await calls.expectData("describeResourceTypes", {});
      if (data.protocol !== PROTOCOL_VERSION) fail(`protocol is ${summarize(data.protocol)}`);
      described = data.types;
      if (described.length === 0) fail("no resource types are described");
    });

    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const info of described) {
      await check(
        `describeResourceTypes: ${info.type} has properties and outputs schemas with valid examples`,
        async () => {
          checkSchemas(ajv, info);
        },
      );
    }

    let selected = described;
    if (options.types) {
      selected = described.filter((info) => options.types?.includes(info.type));
      // A type outside the default listing may be described on demand (a server with a thousand types).
      for (const type of options.types) {
        if (described.some((info) => info.type === type)) continue;
        const onDemand = await calls.call("describeResourceTypes", { types: [type] });
        const info = onDemand.data?.types.find((entry) => entry.type === type);
        if (info) {
          await check(
            `describeResourceTypes: ${type} (on demand) has valid schemas and examples`,
            async () => {
              checkSchemas(ajv, info);
            },
          );
          selected.push(info);
        } else {
          record({
            name: `${type}: described by the provider`,
            ok: false,
            message: "asked for, but describeResourceTypes neither lists it nor describes it on demand",
          });
        }
      }
    }

    const first = described[0];
    if (first) {
      await check("describeResourceTypes: { types: [name] } describes that type", async () => {
        const data = await calls.expectData("describeResourceTypes", { types: [first.type] });
        if (!data.types.some((info) => info.type === first.type))
          fail(`${first.type} is missing from the answer`);
      });
    }

    for (const info of selected) await lifecycle(calls, info, deploymentId, check, skip);

    await check("an unknown type gets a standard error code", async () => {
      const read = await calls.call("getResource", { type: UNKNOWN_TYPE, id: "x" });
      if (read.success) fail(`getResource of ${UNKNOWN_TYPE} succeeded`);
      const plan = await calls.call("planDeployment", {
        deploymentId,
        resources: [{ type: UNKNOWN_TYPE, name: "conformance-unknown", properties: {} }],
        current: [],
      });
      if (plan.success) fail(`planDeployment of ${UNKNOWN_TYPE} succeeded`);
      for (const code of [read.error?.code, plan.error?.code])
        if (!isErrorCode(code)) fail(`code ${summarize(code)}`);
      // Design §3: a type the server does not serve is UNSUPPORTED (or an error naming the type), never planned.
      if (plan.error?.code !== "UNSUPPORTED" && !plan.error?.message.includes(UNKNOWN_TYPE))
        fail(`planDeployment of ${UNKNOWN_TYPE} failed ${plan.error?.code} without naming the type`);
    });

    await check("every answer is a valid iac.mcp/v1 envelope", async () => {
      if (calls.violations.length > 0) fail(calls.violations.join("\n"));
      if (calls.answers() === 0) fail("no tool answered");
    });
  } finally {
    await client.close().catch(() => undefined);
  }
  return tally(results);
}
