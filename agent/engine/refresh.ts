import { diffProperties } from "../../tools/protocol/index.ts";
import type { DeploymentState, ResourceRecord, StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import type { EventSink } from "./events.ts";
import { callData, ProviderCallError, type ProviderGateway } from "./gateway.ts";
import { makeRecord } from "./records.ts";
import { keyedLike } from "./secrets.ts";

export interface Drift {
  name: string;
  type: string;
  kind: "changed" | "deleted";
  paths: string[];
}

/** What each provider reports for the records: fresh records, those gone, and the drift. */
async function compareWithReality(
  records: ResourceRecord[],
  gateway: ProviderGateway,
  emit: EventSink,
): Promise<{ drift: Drift[]; fresh: ResourceRecord[]; gone: string[] }> {
  const catalog = new TypeCatalog(gateway);
  await catalog.load(records.map((record) => record.type));
  const drift: Drift[] = [];
  const fresh: ResourceRecord[] = [];
  const gone: string[] = [];
  for (const record of records) {
    const info = (await catalog.entry(record.type))?.info;
    try {
      const live = await callData(gateway, record.server, "getResource", {
        type: record.type,
        id: record.id,
      });
      const now = makeRecord({
        ...record,
        properties: live.properties,
        outputs: live.outputs,
        info,
        previous: record.properties,
      });
      const changed = diffProperties(record.properties, keyedLike(record.properties, now.properties)).map(
        (entry) => entry.path,
      );
      if (changed.length > 0) {
        drift.push({ name: record.name, type: record.type, kind: "changed", paths: changed });
        emit({ type: "drift", name: record.name, kind: "changed", paths: changed });
      }
      fresh.push(now);
    } catch (error) {
      if (!(error instanceof ProviderCallError && error.body.code === "NOT_FOUND")) throw error;
      drift.push({ name: record.name, type: record.type, kind: "deleted", paths: [] });
      emit({ type: "drift", name: record.name, kind: "deleted", paths: [] });
      gone.push(record.name);
    }
  }
  return { drift, fresh, gone };
}

/**
 * Compares state with what each provider reports (`getResource`), reports drift, and brings state
 * in line with reality, as `terraform refresh` does.
 */
export async function refreshState(
  writer: StateWriter,
  gateway: ProviderGateway,
  emit: EventSink,
  options: { update?: boolean } = {},
): Promise<Drift[]> {
  const { drift, fresh, gone } = await compareWithReality(
    Object.values(writer.state.resources),
    gateway,
    emit,
  );
  if (options.update !== false) {
    for (const record of fresh) await writer.putResource(record);
    for (const name of gone) await writer.removeResource(name);
  }
  return drift;
}

/**
 * State as the providers report it now, without writing anything: what `plan --refresh` plans
 * against, so drift shows whatever a provider does with `options.refresh`.
 */
export async function liveState(
  state: DeploymentState,
  gateway: ProviderGateway,
  emit: EventSink,
): Promise<DeploymentState> {
  const { fresh } = await compareWithReality(Object.values(state.resources), gateway, emit);
  return { ...state, resources: Object.fromEntries(fresh.map((record) => [record.name, record])) };
}
