import { randomUUID } from "node:crypto";
import type { OperationResult, PropertyMap, ResourceTypeInfo } from "../protocol/index.ts";
import type { EnvelopeCaller } from "./envelope-check.ts";
import { fail, summarize } from "./failure.ts";
import type { Check } from "./lifecycle.ts";

/**
 * Design §3: a create sent twice with one operationId (an engine retry whose first answer was lost,
 * or a recovery after kill -9) makes one resource. Both sends go out at once, the harder case: the
 * second arrives while the first is still being made. Whatever it creates, it destroys.
 */
export async function createSentTwice(
  caller: EnvelopeCaller,
  info: ResourceTypeInfo,
  deploymentId: string,
  check: Check,
  skip: (name: string, reason: string) => void,
): Promise<void> {
  const type = info.type;
  const title = `${type}: a create sent twice with one operationId makes one resource`;
  const examples = Array.isArray(info.properties.examples) ? (info.properties.examples as PropertyMap[]) : [];
  const first = examples[0];
  if (!first || typeof first !== "object") {
    skip(title, "no examples[0] to work from");
    return;
  }
  const name = `conformance-twice-${type.replace(/[^A-Za-z0-9]+/g, "-")}`;
  const resource = { type, name, properties: first };
  const answered = new Set<string>();
  try {
    await check(title, async () => {
      const plan = await caller.expectData("planDeployment", {
        deploymentId,
        resources: [resource],
        current: [],
      });
      const change = plan.changes.find((entry) => entry.name === name);
      if (change?.action !== "create") fail(`planned ${summarize(change?.action)}, expected create`);
      const sent = { ...change, operationId: `conformance-${randomUUID()}` };
      const answers = await Promise.all(
        [0, 1].map(() => caller.expectData("applyDeployment", { deploymentId, changes: [sent] })),
      );
      const results = answers.map((answer) => answer.results.find((entry) => entry.name === name));
      for (const result of results) if (result?.id) answered.add(result.id);
      const mine = await listed(caller, type, deploymentId, name);
      if (mine.length !== 1)
        fail(`${mine.length} resources named ${name} exist after one create was sent twice`);
      const failed = results.filter((result) => result?.status !== "succeeded");
      if (failed.length > 0)
        fail(
          `a send failed: ${summarize(failed.map((result: OperationResult | undefined) => result?.error))}`,
        );
      const ids = new Set(results.map((result) => result?.id));
      if (ids.size !== 1 || !ids.has(mine[0]!.id))
        fail(`the two sends answered ids ${summarize([...ids])}; the one resource is ${mine[0]!.id}`);
    });
  } finally {
    // Leave nothing behind, however many were made, even when listing them fails.
    const leftovers = await listed(caller, type, deploymentId, name).catch(() => []);
    const ids = new Set([...answered, ...leftovers.map((entry) => entry.id)]);
    for (const id of ids) {
      await caller
        .call("destroyDeployment", {
          deploymentId,
          resources: [{ type, name, id, properties: first, outputs: {}, status: "created" }],
        })
        .catch(() => undefined);
    }
  }
}

async function listed(caller: EnvelopeCaller, type: string, deploymentId: string, name: string) {
  const data = await caller.expectData("listResources", { filter: { type, deploymentId } });
  return data.resources.filter((entry) => entry.name === name);
}
