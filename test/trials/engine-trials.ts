import { deploymentFromObject } from "../../agent/engine/spec.ts";
import { type EngineRig, engineRig, worldOf } from "../../agent/engine/test-gateway.ts";
import { applyDeployment, type Workspace } from "../../agent/operations.ts";
import { chainSpec } from "./support.ts";

/** The engine over in-process mock providers, for trials that need no separate process. */
export async function trialRig(
  env: Record<string, string> = {},
  dir?: string,
): Promise<{ rig: EngineRig; workspace: Workspace }> {
  const rig = await engineRig({ env: { opnsense: env }, ...(dir ? { dir } : {}) });
  return { rig, workspace: { gateway: rig.gateway, state: rig.state, emit: rig.emit } };
}

export const hosts = (count: number) => deploymentFromObject(chainSpec("hosts", count), "trial");

export function applyHosts(
  workspace: Workspace,
  count: number,
  options: { lockWaitMs?: number; rollback?: boolean } = {},
) {
  return applyDeployment(workspace, hosts(count), {
    approve: async () => true,
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
    ...options,
  });
}

/** State equals the world: the same names with the same ids, nothing pending, nothing twice. */
export async function stateMatchesWorld(rig: EngineRig, workspace: Workspace, name: string) {
  const state = await workspace.state.read(name);
  const world = worldOf(rig, name);
  const names = world.map((entry) => entry.name!);
  const ids = Object.fromEntries(
    Object.values(state?.resources ?? {}).map((record) => [record.name, record.id]),
  );
  return {
    duplicates: names.length - new Set(names).size,
    pending: Object.keys(state?.pending ?? {}).length,
    equal: names.length === Object.keys(ids).length && world.every((entry) => ids[entry.name!] === entry.id),
    world: names.length,
  };
}
