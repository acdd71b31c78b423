import { ProviderError, toErrorBody } from "./errors.ts";
import { deleteTolerant, diffProperties, mapLimit } from "./provider-parts.ts";
import type { Change, ListedResource, OperationResult, PropertyMap } from "./schemas.ts";
import type { ToolExtra } from "./server.ts";
import type { CreatedResource, HandlerContext, ResourceTypeHandler } from "./type-handler.ts";
import { containsUnknown } from "./unknown.ts";

/** What applying changes needs of the provider: its handlers and a way to find what it made. */
export interface ApplyPlatform {
  handlerFor(type: string): Promise<ResourceTypeHandler>;
  findManaged(deploymentId: string, type: string, name: string): Promise<ListedResource | undefined>;
}

export interface RunOptions {
  parallelism?: number | undefined;
  continueOnError?: boolean | undefined;
}

/**
 * Creates (and the create of a replace) made idempotent: a second send of the same operationId while
 * the first is in flight (an engine retry whose first answer was lost) joins it; a later resend finds
 * the first one's resource by name and adopts it.
 */
function idempotentCreates(platform: ApplyPlatform) {
  const inFlight = new Map<string, Promise<CreatedResource>>();

  function joinInFlight(key: string | undefined, work: () => Promise<CreatedResource>) {
    if (!key) return work();
    const running = inFlight.get(key);
    if (running) return running;
    const making = work().finally(() => inFlight.delete(key));
    inFlight.set(key, making);
    return making;
  }

  async function adoptOrCreate(
    handler: ResourceTypeHandler,
    properties: PropertyMap,
    context: HandlerContext,
    replacing: string | undefined,
  ): Promise<CreatedResource> {
    // A create cut off before its id reached the orchestrator may have happened: adopt it.
    const existing = await platform.findManaged(context.deploymentId, handler.type, context.name);
    if (existing && existing.id !== replacing) {
      const diff = diffProperties(existing.properties, properties, handler.replaceOnChange);
      if (diff.length === 0) return { id: existing.id, outputs: existing.outputs };
      if (handler.update && !diff.some((entry) => entry.forcesReplacement)) {
        const outputs = await handler.update(existing.id, properties, { ...context, diff });
        return { id: existing.id, outputs };
      }
      await handler.delete(existing.id, context);
    }
    return handler.create(properties, context);
  }

  return { joinInFlight, adoptOrCreate };
}

/** The work of one change; what it made, or undefined for a delete. */
async function perform(
  { joinInFlight, adoptOrCreate }: ReturnType<typeof idempotentCreates>,
  handler: ResourceTypeHandler,
  change: Change,
  context: HandlerContext,
): Promise<CreatedResource | undefined> {
  const after = change.after ?? {};
  switch (change.action) {
    case "noop":
      return change.id ? { id: change.id, outputs: change.outputs ?? {} } : undefined;
    case "create":
      // A create that carries an id is a create-before-destroy: that resource (same name) is the
      // one being replaced and stays until the engine deletes it, so it is never adopted.
      return joinInFlight(context.operationId, () => adoptOrCreate(handler, after, context, change.id));
    case "update": {
      if (!change.id) throw new ProviderError("VALIDATION_FAILED", `${change.name}: an update needs the id`);
      if (!handler.update)
        throw new ProviderError("UNSUPPORTED", `${change.type} cannot be updated in place`);
      return {
        id: change.id,
        outputs: await handler.update(change.id, after, { ...context, diff: change.diff }),
      };
    }
    case "replace":
      return joinInFlight(context.operationId, async () => {
        if (change.id) await deleteTolerant(handler, change.id, context);
        return adoptOrCreate(handler, after, context, change.id);
      });
    case "delete":
      if (change.id) await deleteTolerant(handler, change.id, context);
      return undefined;
  }
}

/** Applies changes through the handlers, side by side, each to a result (never a throw). */
export function changeRunner(platform: ApplyPlatform) {
  const creates = idempotentCreates(platform);

  async function applyChange(
    deploymentId: string,
    change: Change,
    extra: ToolExtra,
  ): Promise<OperationResult> {
    const keptId = change.id ? { id: change.id } : {};
    try {
      const handler = await platform.handlerFor(change.type);
      if (change.after && containsUnknown(change.after))
        throw new ProviderError(
          "VALIDATION_FAILED",
          `${change.name}: applyDeployment received a value still unknown`,
        );
      const context: HandlerContext = {
        deploymentId,
        name: change.name,
        ...(change.operationId ? { operationId: change.operationId } : {}),
        ...(extra.progress ? { progress: extra.progress } : {}),
      };
      const made = await perform(creates, handler, change, context);
      if (change.action === "delete") return { name: change.name, status: "succeeded", ...keptId };
      if (!made) return { name: change.name, status: "succeeded", outputs: change.outputs ?? {} };
      return { name: change.name, status: "succeeded", id: made.id, outputs: made.outputs };
    } catch (error) {
      return { name: change.name, status: "failed", ...keptId, error: toErrorBody(error) };
    }
  }

  /** Runs changes side by side; after a failure the rest are not attempted unless continueOnError. */
  function runChanges(
    deploymentId: string,
    changes: Change[],
    options: RunOptions,
    extra: ToolExtra,
  ): Promise<OperationResult[]> {
    let failed: string | undefined;
    return mapLimit(changes, options.parallelism ?? 10, async (change) => {
      if (failed && !options.continueOnError) {
        return {
          name: change.name,
          status: "failed" as const,
          error: {
            code: "DEPENDENCY_FAILED" as const,
            message: `not attempted: ${failed} failed first and continueOnError is off`,
            retryable: true,
          },
        };
      }
      const result = await applyChange(deploymentId, change, extra);
      if (result.status === "failed") failed ??= change.name;
      return result;
    });
  }

  return { runChanges };
}
