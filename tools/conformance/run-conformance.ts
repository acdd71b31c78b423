import { randomUUID } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Ajv } from "ajv";
import {
  deepEqual,
  isErrorCode,
  PROTOCOL_VERSION,
  type PropertyMap,
  type ResourceTypeInfo,
  type StateResource,
  TOOL_NAMES,
} from "../protocol/index.ts";
import { ConformanceFailure, createEnvelopeCaller, type EnvelopeCaller } from "./envelope-check.ts";
import { type ConformanceReport, type ConformanceResult, formatResult, tally } from "./report.ts";

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

function fail(message: string): never {
  throw new ConformanceFailure(message);
}

function summarize(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The property to leave unknown: the first string-valued one (where a reference usually goes), else the first. */
function unknownTarget(example: PropertyMap): string | undefined {
  const keys = Object.keys(example);
  return keys.find((key) => typeof example[key] === "string") ?? keys[0];
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
      for (const type of options.types) {
        if (!described.some((info) => info.type === type)) {
          record({
            name: `${type}: described by the provider`,
            ok: false,
            message: "asked for, but not in describeResourceTypes",
          });
        }
      }
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

function checkSchemas(ajv: Ajv, info: ResourceTypeInfo): void {
  for (const part of ["properties", "outputs"] as const) {
    const schema = info[part];
    if (schema.type !== "object" && typeof schema.properties !== "object") {
      fail(`${part} is not an object schema: ${summarize(schema)}`);
    }
  }
  let validate: ReturnType<Ajv["compile"]>;
  try {
    validate = ajv.compile(info.properties);
    ajv.compile(info.outputs);
  } catch (error) {
    fail(`a schema does not compile: ${(error as Error).message}`);
  }
  const examples = info.properties.examples;
  if (!Array.isArray(examples) || examples.length === 0) fail("properties has no examples");
  examples.forEach((example, index) => {
    if (!example || typeof example !== "object" || Array.isArray(example))
      fail(`examples[${index}] is not an object`);
    if (!validate(example))
      fail(`examples[${index}] does not match the schema: ${ajv.errorsText(validate.errors)}`);
  });
}

type Check = (name: string, work: () => Promise<void>) => Promise<boolean>;

async function lifecycle(
  caller: EnvelopeCaller,
  info: ResourceTypeInfo,
  deploymentId: string,
  check: Check,
  skip: (name: string, reason: string) => void,
): Promise<void> {
  const type = info.type;
  const examples = Array.isArray(info.properties.examples) ? (info.properties.examples as PropertyMap[]) : [];
  const first = examples[0];
  const name = `conformance-${type.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const later = [
    "validateConfig accepts examples[0]",
    "planDeployment tolerates an $unknown value",
    "create through planDeployment and applyDeployment",
  ];
  if (!first || typeof first !== "object") {
    for (const step of later) skip(`${type}: ${step}`, "no examples[0] to work from");
    return;
  }
  const resource = { type, name, properties: first };

  await check(`${type}: validateConfig accepts examples[0]`, async () => {
    const data = await caller.expectData("validateConfig", { resources: [resource] });
    const errors = data.issues.filter((issue) => issue.severity === "error");
    if (!data.valid || errors.length > 0) fail(`issues: ${summarize(data.issues)}`);
  });

  const target = unknownTarget(first);
  if (target === undefined) {
    skip(
      `${type}: planDeployment tolerates an $unknown value`,
      "examples[0] has no property to leave unknown",
    );
  } else {
    await check(`${type}: planDeployment tolerates an $unknown value (in ${target})`, async () => {
      // The reference text as the orchestrator passes it, literally.
      const unknown = { $unknown: ["${", "conformance-upstream.id}"].join("") };
      const withUnknown = { ...resource, properties: { ...first, [target]: unknown } };
      const validated = await caller.expectData("validateConfig", { resources: [withUnknown] });
      const errors = validated.issues.filter((issue) => issue.severity === "error");
      if (errors.length > 0) fail(`validateConfig reports ${summarize(errors)}`);
      const plan = await caller.expectData("planDeployment", {
        deploymentId,
        resources: [withUnknown],
        current: [],
      });
      const change = plan.changes.find((entry) => entry.name === name);
      if (!change) fail("no change for the resource");
      if (change.action !== "create") fail(`action ${change.action}, expected create`);
      if (!deepEqual(change.after?.[target], unknown))
        fail(`the change shows ${target} as ${summarize(change.after?.[target])}`);
    });
  }

  let state: StateResource | undefined;
  try {
    await check(`${type}: create through planDeployment and applyDeployment`, async () => {
      state = await applyOne(caller, deploymentId, resource, [], ["create"]);
    });
    const after = [
      "getResource reads it back",
      "listResources and getDeploymentState find it by name",
      "a re-plan against the created state is noop (with and without refresh)",
      ...(examples[1] ? ["an update to examples[1] round-trips"] : []),
      "destroyDeployment removes it and getResource answers NOT_FOUND",
    ];
    if (!state) {
      for (const step of after) skip(`${type}: ${step}`, "the create failed");
      return;
    }
    const created: StateResource = state;

    await check(`${type}: getResource reads it back`, async () => {
      const read = await caller.expectData("getResource", { type, id: created.id });
      if (read.id !== created.id || read.type !== type)
        fail(`read ${read.type} ${read.id}, expected ${type} ${created.id}`);
    });

    await check(`${type}: listResources and getDeploymentState find it by name`, async () => {
      const listed = await caller.expectData("listResources", { filter: { type, deploymentId } });
      const entry = listed.resources.find((item) => item.id === created.id);
      if (!entry) fail(`listResources({ type, deploymentId }) does not list ${created.id}`);
      if (entry.name !== name)
        fail(`listResources names it ${summarize(entry.name)}, expected ${name} (crash recovery needs it)`);
      const own = await caller.expectData("getDeploymentState", { deploymentId });
      if (!own.resources.some((item) => item.id === created.id))
        fail(`getDeploymentState does not list ${created.id}`);
    });

    await check(
      `${type}: a re-plan against the created state is noop (with and without refresh)`,
      async () => {
        await expectNoop(caller, deploymentId, resource, created);
      },
    );

    const second = examples[1];
    if (second) {
      await check(`${type}: an update to examples[1] round-trips`, async () => {
        const desired = { ...resource, properties: second };
        const updated = await applyOne(caller, deploymentId, desired, [created], ["update", "replace"]);
        state = updated;
        if (updated.id !== created.id) {
          const old = await caller.call("getResource", { type, id: created.id });
          if (old.success || old.error?.code !== "NOT_FOUND")
            fail(`the replaced ${created.id} still reads back`);
        }
        await caller.expectData("getResource", { type, id: updated.id });
        await expectNoop(caller, deploymentId, desired, updated);
      });
    }

    await check(`${type}: destroyDeployment removes it and getResource answers NOT_FOUND`, async () => {
      const current = state as StateResource;
      const destroyed = await caller.expectData("destroyDeployment", { deploymentId, resources: [current] });
      const result = destroyed.results.find((item) => item.name === name);
      if (result?.status !== "succeeded") fail(`destroy result ${summarize(result)}`);
      state = undefined;
      const gone = await caller.call("getResource", { type, id: current.id });
      if (gone.success) fail(`getResource still reads ${current.id} after destroy`);
      if (gone.error?.code !== "NOT_FOUND")
        fail(`getResource answers ${gone.error?.code}, expected NOT_FOUND`);
    });
  } finally {
    // Leave nothing behind, even after a failed check.
    const leftover = state as StateResource | undefined;
    if (leftover)
      await caller.call("destroyDeployment", { deploymentId, resources: [leftover] }).catch(() => undefined);
    await check(`${type}: getResource of a bogus id answers NOT_FOUND`, async () => {
      const bogus = await caller.call("getResource", { type, id: `conformance-bogus-${randomUUID()}` });
      if (bogus.success) fail(`getResource of a bogus id succeeded: ${summarize(bogus.data)}`);
      if (bogus.error?.code !== "NOT_FOUND") fail(`getResource of a bogus id answers ${bogus.error?.code}`);
    });
  }
}

async function applyOne(
  caller: EnvelopeCaller,
  deploymentId: string,
  resource: { type: string; name: string; properties: PropertyMap },
  current: StateResource[],
  actions: string[],
): Promise<StateResource> {
  const plan = await caller.expectData("planDeployment", { deploymentId, resources: [resource], current });
  const change = plan.changes.find((entry) => entry.name === resource.name);
  if (!change) fail("planDeployment returned no change for the resource");
  if (!actions.includes(change.action)) fail(`planned ${change.action}, expected ${actions.join(" or ")}`);
  const applied = await caller.expectData("applyDeployment", { deploymentId, changes: [change] });
  const result = applied.results.find((entry) => entry.name === resource.name);
  if (!result) fail("applyDeployment returned no result for the change");
  if (result.status !== "succeeded")
    fail(`apply failed: ${result.error?.code} ${result.error?.message ?? ""}`);
  if (!result.id) fail("the succeeded result carries no id");
  return { ...resource, id: result.id, outputs: result.outputs ?? {}, status: "created" };
}

async function expectNoop(
  caller: EnvelopeCaller,
  deploymentId: string,
  resource: { type: string; name: string; properties: PropertyMap },
  current: StateResource,
): Promise<void> {
  for (const refresh of [false, true]) {
    const plan = await caller.expectData("planDeployment", {
      deploymentId,
      resources: [resource],
      current: [current],
      options: { refresh },
    });
    const change = plan.changes.find((entry) => entry.name === resource.name);
    if (change?.action !== "noop") {
      fail(
        `${refresh ? "with" : "without"} refresh the plan says ${change?.action}: ${summarize(change?.diff)}`,
      );
    }
  }
}
