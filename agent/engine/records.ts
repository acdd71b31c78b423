import { isSecretDigest, type PropertyMap, type ResourceTypeInfo } from "../../tools/protocol/index.ts";
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
  /** Secret property keys beyond the type's own (a secret copied in by a reference). */
  secretKeys?: readonly string[];
  /** The record this one replaces: what it held as a digest stays a digest (a copied secret). */
  previous?: Record<string, unknown>;
}): ResourceRecord {
  return {
    name: input.name,
    type: input.type,
    server: input.server,
    id: input.id,
    properties: digestSecrets(input.properties, [
      ...(input.info?.secretProperties ?? []),
      ...(input.secretKeys ?? []),
      ...Object.keys(input.previous ?? {}).filter((key) => isSecretDigest(input.previous?.[key])),
    ]),
    outputs: digestSecrets(input.outputs, input.info?.secretOutputs ?? []),
    dependsOn: [...input.dependsOn],
    status: "created",
    updatedAt: new Date().toISOString(),
  };
}
