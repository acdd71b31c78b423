import { diffProperties } from "./provider-parts.ts";
import type { Change, DiffEntry, Resource, StateResource } from "./schemas.ts";
import type { ResourceTypeHandler } from "./type-handler.ts";

/**
 * The change for one desired resource: a create, or against what exists (the handler's own live
 * plan, a read when refreshing, else the recorded properties) a noop, update or replace.
 */
export async function planResource(
  handler: ResourceTypeHandler,
  canonical: (type: string) => string,
  request: { deploymentId: string; resource: Resource; current: StateResource | undefined; refresh: boolean },
): Promise<Change> {
  const { deploymentId, resource, current, refresh } = request;
  const cost = handler.estimateMonthlyCost?.(resource.properties);
  const extra = cost === undefined ? {} : { estimatedMonthlyCost: cost };
  const create: Change = {
    name: resource.name,
    type: resource.type,
    action: "create",
    after: resource.properties,
    diff: [],
    ...extra,
  };
  if (!current) return create;
  if (canonical(current.type) !== canonical(resource.type)) {
    return {
      ...create,
      action: "replace",
      id: current.id,
      before: current.properties,
      outputs: current.outputs,
      diff: [{ path: "type", before: current.type, after: resource.type, forcesReplacement: true }],
    };
  }
  let before = current.properties;
  let outputs = current.outputs;
  let diff: DiffEntry[];
  if (handler.plan) {
    const planned = await handler.plan(current.id, resource.properties, current, {
      deploymentId,
      name: resource.name,
    });
    if (planned === null) return create;
    ({ before, outputs, diff } = planned);
  } else {
    if (refresh) {
      const live = await handler.read(current.id);
      if (live === null) return create;
      before = live.properties;
      outputs = live.outputs;
    }
    diff = diffProperties(before, resource.properties, handler.replaceOnChange);
  }
  const action =
    diff.length === 0
      ? "noop"
      : diff.some((entry) => entry.forcesReplacement) || !handler.update
        ? "replace"
        : "update";
  if (action === "replace") for (const entry of diff) entry.forcesReplacement ||= !handler.update;
  return { ...create, action, id: current.id, before, outputs, diff };
}
