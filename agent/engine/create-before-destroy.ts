import type { ResourceRecord, StateWriter } from "../state/index.ts";
import type { EventSink } from "./events.ts";
import type { ProviderGateway } from "./gateway.ts";

/** State's name for an old resource a create-before-destroy could not delete: the next apply deletes it. */
export const retiredName = (name: string) => `${name}~retired`;

/**
 * Deletes the old resources of create-before-destroy replacements once the run succeeded (their
 * users have moved to the new ones). One that cannot go now (or a failed run kept without
 * rollback) stays in state under a retired name, so state still equals what exists and the next
 * apply plans its delete. A failed run that rolls back puts them back instead (restoreRetired).
 */
export async function retireReplaced(
  retired: readonly ResourceRecord[],
  run: { failed: boolean; rollback: boolean },
  writer: StateWriter,
  gateway: ProviderGateway,
  options: { emit: EventSink },
): Promise<void> {
  if (run.failed && run.rollback) return;
  for (const old of retired) {
    let problem = run.failed ? "the run failed before its users had all moved" : undefined;
    if (!problem) {
      try {
        const envelope = await gateway.call(old.server, "destroyDeployment", {
          deploymentId: writer.state.name,
          resources: [
            {
              type: old.type,
              name: old.name,
              id: old.id,
              properties: old.properties,
              outputs: old.outputs,
              status: "created",
            },
          ],
        });
        const result = envelope.data?.results[0];
        if (!envelope.success || result?.status !== "succeeded")
          problem = (result?.error ?? envelope.error)?.message ?? "the provider did not say why";
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
    }
    if (!problem) {
      options.emit({
        type: "notice",
        level: "info",
        message: `${old.name}: the old one (${old.id}) is deleted`,
      });
      continue;
    }
    await writer.putResource({ ...old, name: retiredName(old.name), dependsOn: [] });
    options.emit({
      type: "notice",
      level: "warn",
      message: `${old.name}: the old one (${old.id}) is still there (${problem}); state keeps it as ${retiredName(old.name)} and the next apply deletes it`,
    });
  }
}

/** Undoing a create-before-destroy: the old resource, never deleted, is the deployment's again. */
export async function restoreRetired(writer: StateWriter, old: ResourceRecord): Promise<void> {
  await writer.putResource(old);
  if (writer.state.resources[retiredName(old.name)]) await writer.removeResource(retiredName(old.name));
}
