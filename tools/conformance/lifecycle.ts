import { randomUUID } from "node:crypto";
import { deepEqual, type PropertyMap, type ResourceTypeInfo, type StateResource } from "../protocol/index.ts";
import type { EnvelopeCaller } from "./envelope-check.ts";
import { fail, summarize } from "./failure.ts";

/** The property to leave unknown: the first string-valued one (where a reference usually goes), else the first. */
function unknownTarget(example: PropertyMap): string | undefined {
  const keys = Object.keys(example);
  return keys.find((key) => typeof example[key] === "string") ?? keys[0];
}

/** How the suite runs one named check. */
export type Check = (name: string, work: () => Promise<void>) => Promise<boolean>;

/** What every step of one type's lifecycle shares. */
interface Run {
  caller: EnvelopeCaller;
  type: string;
  /** The resource's name in the deployment. */
  name: string;
  deploymentId: string;
  check: Check;
  skip: (name: string, reason: string) => void;
}

type Desired = { type: string; name: string; properties: PropertyMap };

/** The resource as it stands; the update replaces it, destroy clears it, cleanup reads it. */
interface Held {
  state?: StateResource | undefined;
}

async function checkUnknownPlan(run: Run, resource: Desired): Promise<void> {
  const { caller, type, name, deploymentId } = run;
  const first = resource.properties;
  const target = unknownTarget(first);
  if (target === undefined) {
    run.skip(
      `${type}: planDeployment tolerates an $unknown value`,
      "examples[0] has no property to leave unknown",
    );
    return;
  }
  await run.check(`${type}: planDeployment tolerates an $unknown value (in ${target})`, async () => {
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

/** Read back, listed, noop re-plan: the created resource is what the provider says it is. */
async function checkReadBack(run: Run, resource: Desired, created: StateResource): Promise<void> {
  const { caller, type, name, deploymentId, check } = run;
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
  await check(`${type}: a re-plan against the created state is noop (with and without refresh)`, async () => {
    await expectNoop(caller, deploymentId, resource, created);
  });
}

async function checkUpdate(
  run: Run,
  resource: Desired,
  second: PropertyMap,
  created: StateResource,
  held: Held,
): Promise<void> {
  const { caller, type, deploymentId } = run;
  await run.check(`${type}: an update to examples[1] round-trips`, async () => {
    const desired = { ...resource, properties: second };
    const updated = await applyOne(caller, deploymentId, desired, [created], ["update", "replace"]);
    held.state = updated;
    if (updated.id !== created.id) {
      const old = await caller.call("getResource", { type, id: created.id });
      if (old.success || old.error?.code !== "NOT_FOUND") fail(`the replaced ${created.id} still reads back`);
    }
    await caller.expectData("getResource", { type, id: updated.id });
    await expectNoop(caller, deploymentId, desired, updated);
  });
}

async function checkDestroy(run: Run, held: Held): Promise<void> {
  const { caller, type, name, deploymentId } = run;
  await run.check(`${type}: destroyDeployment removes it and getResource answers NOT_FOUND`, async () => {
    const current = held.state as StateResource;
    const destroyed = await caller.expectData("destroyDeployment", { deploymentId, resources: [current] });
    const result = destroyed.results.find((item) => item.name === name);
    if (result?.status !== "succeeded") fail(`destroy result ${summarize(result)}`);
    held.state = undefined;
    const gone = await caller.call("getResource", { type, id: current.id });
    if (gone.success) fail(`getResource still reads ${current.id} after destroy`);
    if (gone.error?.code !== "NOT_FOUND") fail(`getResource answers ${gone.error?.code}, expected NOT_FOUND`);
  });
}

/** Create, check, update and destroy; whatever is left after a failed check is destroyed. */
async function checkLifecycle(run: Run, resource: Desired, second: PropertyMap | undefined): Promise<void> {
  const { caller, type, deploymentId, check } = run;
  const held: Held = {};
  try {
    await check(`${type}: create through planDeployment and applyDeployment`, async () => {
      held.state = await applyOne(caller, deploymentId, resource, [], ["create"]);
    });
    const after = [
      "getResource reads it back",
      "listResources and getDeploymentState find it by name",
      "a re-plan against the created state is noop (with and without refresh)",
      ...(second ? ["an update to examples[1] round-trips"] : []),
      "destroyDeployment removes it and getResource answers NOT_FOUND",
    ];
    const created = held.state;
    if (!created) {
      for (const step of after) run.skip(`${type}: ${step}`, "the create failed");
      return;
    }
    await checkReadBack(run, resource, created);
    if (second) await checkUpdate(run, resource, second, created, held);
    await checkDestroy(run, held);
  } finally {
    // Leave nothing behind, even after a failed check.
    const leftover = held.state;
    if (leftover)
      await caller.call("destroyDeployment", { deploymentId, resources: [leftover] }).catch(() => undefined);
    await check(`${type}: getResource of a bogus id answers NOT_FOUND`, async () => {
      const bogus = await caller.call("getResource", { type, id: `conformance-bogus-${randomUUID()}` });
      if (bogus.success) fail(`getResource of a bogus id succeeded: ${summarize(bogus.data)}`);
      if (bogus.error?.code !== "NOT_FOUND") fail(`getResource of a bogus id answers ${bogus.error?.code}`);
    });
  }
}

/**
 * One type's lifecycle from its examples: validate, plan with an unknown, create, read, list, noop
 * re-plan, update, destroy, and a bogus id. Whatever it creates, it destroys.
 */
export async function lifecycle(
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
  const run: Run = { caller, type, name, deploymentId, check, skip };
  const resource = { type, name, properties: first };
  await check(`${type}: validateConfig accepts examples[0]`, async () => {
    const data = await caller.expectData("validateConfig", { resources: [resource] });
    const errors = data.issues.filter((issue) => issue.severity === "error");
    if (!data.valid || errors.length > 0) fail(`issues: ${summarize(data.issues)}`);
  });
  await checkUnknownPlan(run, resource);
  await checkLifecycle(run, resource, examples[1]);
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
