import { randomUUID } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Ajv } from "ajv";
import { isErrorCode, PROTOCOL_VERSION, type ResourceTypeInfo, TOOL_NAMES } from "../protocol/index.ts";
import { createEnvelopeCaller, type EnvelopeCaller } from "./envelope-check.ts";
import { ConformanceFailure, fail, summarize } from "./failure.ts";
import { createSentTwice } from "./idempotency.ts";
import { type Check, lifecycle } from "./lifecycle.ts";
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

/** Records each check's result as it completes; a check fails on a thrown failure or a flawed envelope. */
function createRecorder(log: (line: string) => void) {
  const results: ConformanceResult[] = [];
  let caller: EnvelopeCaller | undefined;
  function record(result: ConformanceResult) {
    results.push(result);
    log(formatResult(result));
  }
  const check: Check = async (name, work) => {
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
  };
  const skip = (name: string, reason: string) => record({ name, ok: true, skipped: true, message: reason });
  const watch = (calls: EnvelopeCaller) => {
    caller = calls;
  };
  return { results, record, check, skip, watch };
}

type Recorder = ReturnType<typeof createRecorder>;

/** The described types, each with its schemas checked. */
async function describedTypes(
  calls: EnvelopeCaller,
  { check }: Recorder,
  ajv: Ajv,
): Promise<ResourceTypeInfo[]> {
  let described: ResourceTypeInfo[] = [];
  await check(`describeResourceTypes: announces protocol ${PROTOCOL_VERSION}`, async () => {
    const data = await calls.expectData("describeResourceTypes", {});
    if (data.protocol !== PROTOCOL_VERSION) fail(`protocol is ${summarize(data.protocol)}`);
    described = data.types;
    if (described.length === 0) fail("no resource types are described");
  });
  for (const info of described) {
    await check(
      `describeResourceTypes: ${info.type} has properties and outputs schemas with valid examples`,
      async () => {
        checkSchemas(ajv, info);
      },
    );
  }
  return described;
}

/** The types the lifecycle runs on: all described, or those asked for (described on demand if need be). */
async function selectTypes(
  calls: EnvelopeCaller,
  recorder: Recorder,
  ajv: Ajv,
  described: ResourceTypeInfo[],
  types: string[] | undefined,
): Promise<ResourceTypeInfo[]> {
  if (!types) return described;
  const selected = described.filter((info) => types.includes(info.type));
  // A type outside the default listing may be described on demand (a server with a thousand types).
  for (const type of types) {
    if (described.some((info) => info.type === type)) continue;
    const onDemand = await calls.call("describeResourceTypes", { types: [type] });
    const info = onDemand.data?.types.find((entry) => entry.type === type);
    if (info) {
      await recorder.check(
        `describeResourceTypes: ${type} (on demand) has valid schemas and examples`,
        async () => {
          checkSchemas(ajv, info);
        },
      );
      selected.push(info);
    } else {
      recorder.record({
        name: `${type}: described by the provider`,
        ok: false,
        message: "asked for, but describeResourceTypes neither lists it nor describes it on demand",
      });
    }
  }
  return selected;
}

async function checkUnknownType(calls: EnvelopeCaller, deploymentId: string, check: Check): Promise<void> {
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
}

/** Every check over one connected client, in the suite's order. */
async function runChecks(
  client: Client,
  calls: EnvelopeCaller,
  recorder: Recorder,
  deploymentId: string,
  options: ConformanceOptions,
): Promise<void> {
  const { check, skip } = recorder;
  await check("tools: the ten iac.mcp/v1 tools are listed", async () => {
    const { tools } = await client.listTools();
    const names = new Set(tools.map((tool) => tool.name));
    const missing = TOOL_NAMES.filter((tool) => !names.has(tool));
    if (missing.length > 0) fail(`missing: ${missing.join(", ")}`);
  });
  const ajv = new Ajv({ allErrors: true, strict: false });
  const described = await describedTypes(calls, recorder, ajv);
  const selected = await selectTypes(calls, recorder, ajv, described, options.types);
  const first = described[0];
  if (first) {
    await check("describeResourceTypes: { types: [name] } describes that type", async () => {
      const data = await calls.expectData("describeResourceTypes", { types: [first.type] });
      if (!data.types.some((info) => info.type === first.type))
        fail(`${first.type} is missing from the answer`);
    });
  }
  for (const info of selected) await lifecycle(calls, info, deploymentId, check, skip);
  // Once per server: the first type with an example shows whether operationId is honoured.
  const sample = selected.find((info) => Array.isArray(info.properties.examples));
  if (sample) await createSentTwice(calls, sample, deploymentId, check, skip);
  await checkUnknownType(calls, deploymentId, check);
  await check("every answer is a valid iac.mcp/v1 envelope", async () => {
    if (calls.violations.length > 0) fail(calls.violations.join("\n"));
    if (calls.answers() === 0) fail("no tool answered");
  });
}

/**
 * Runs the iac.mcp/v1 conformance suite against a provider: the tools, the envelope of every answer,
 * the schemas, and a full create → read → noop → update → destroy lifecycle per resource type from its
 * schema's examples. Whatever it creates, it destroys, even when a check fails.
 */
export async function runConformance(
  connect: () => Promise<Client>,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const log = options.log ?? (() => {});
  const recorder = createRecorder(log);
  const deploymentId =
    options.deploymentId ?? `conformance-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  log(`iac.mcp/v1 conformance, deployment ${deploymentId}`);
  let client: Client;
  try {
    client = await connect();
  } catch (error) {
    recorder.record({
      name: "connect to the provider",
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    });
    return tally(recorder.results);
  }
  const calls = createEnvelopeCaller(client, { timeoutMs: options.timeoutMs ?? 120_000 });
  recorder.watch(calls);
  try {
    await runChecks(client, calls, recorder, deploymentId, options);
  } finally {
    await client.close().catch(() => undefined);
  }
  return tally(recorder.results);
}
