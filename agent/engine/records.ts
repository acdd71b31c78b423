import type { PropertyMap, ResourceTypeInfo } from "../../tools/protocol/index.ts";
import type { ResourceRecord } from "../state/index.ts";
import { digestSecrets } from "./secrets.ts";

/** A state record, with secret properties and outputs stored as digests only. */
export function makeRecord(input: {
  name: string;
  type: string;
  server: string;
  id: string;
  properties: PropertyMap;
  outputs: PropertyMap;
  dependsOn: readonly string[];
  info: ResourceTypeInfo | undefined;
}): ResourceRecord {
  return {
    name: input.name,
    type: input.type,
    server: input.server,
    id: input.id,
    properties: digestSecrets(input.properties, input.info?.secretProperties ?? []),
    outputs: digestSecrets(input.outputs, input.info?.secretOutputs ?? []),
    dependsOn: [...input.dependsOn],
    status: "created",
    updatedAt: new Date().toISOString(),
  };
}
