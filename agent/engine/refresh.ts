import { diffProperties } from "../../tools/protocol/index.ts";
import type { EventSink } from "../events.ts";
import type { StateWriter } from "../state/index.ts";
import { TypeCatalog } from "./catalog.ts";
import { callData, ProviderCallError, type ProviderGateway } from "./gateway.ts";
import { makeRecord } from "./records.ts";

export interface Drift {
  name: string;
  type: string;
  kind: "changed" | "deleted";
  paths: string[];
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
  const catalog = new TypeCatalog(gateway);
  const records = Object.values(writer.state.resources);
  await catalog.load(records.map((record) => record.type));
  const drift: Drift[] = [];
  for (const record of records) {
    const info = (await catalog.entry(record.type))?.info;
    try {
      const live = await callData(gateway, record.server, "getResource", {
        type: record.type,
        id: record.id,
      });
      const fresh = makeRecord({
        ...record,
        properties: live.properties,
        outputs: live.outputs,
        info,
        previous: record.properties,
      });
      const changed = diffProperties(record.properties, fresh.properties).map((entry) => entry.path);
      if (changed.length > 0) {
        drift.push({ name: record.name, type: record.type, kind: "changed", paths: changed });
        emit({ type: "drift", name: record.name, kind: "changed", paths: changed });
      }
      if (options.update !== false) await writer.putResource(fresh);
    } catch (error) {
      if (!(error instanceof ProviderCallError && error.body.code === "NOT_FOUND")) throw error;
      drift.push({ name: record.name, type: record.type, kind: "deleted", paths: [] });
      emit({ type: "drift", name: record.name, kind: "deleted", paths: [] });
      if (options.update !== false) await writer.removeResource(record.name);
    }
  }
  return drift;
}
