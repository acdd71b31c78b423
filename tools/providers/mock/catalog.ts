import { AWS_ENTRIES } from "./catalog-aws.ts";
import { DOCKER_ENTRIES } from "./catalog-docker.ts";
import type { CatalogEntry } from "./catalog-entry.ts";
import { KUBERNETES_ENTRIES } from "./catalog-kubernetes.ts";
import { OPNSENSE_ENTRIES } from "./catalog-opnsense.ts";
import { randomHex } from "./net.ts";

export type { CatalogEntry } from "./catalog-entry.ts";

/** Every type of the catalog (design §4), in the order the design lists them. */
export const CATALOG: readonly CatalogEntry[] = [
  ...OPNSENSE_ENTRIES,
  ...AWS_ENTRIES,
  ...KUBERNETES_ENTRIES,
  ...DOCKER_ENTRIES,
];

export const PLATFORMS = ["opnsense", "aws", "kubernetes", "docker"] as const;

const MOUNT_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** `<mount>:generic:resource`: free-form properties, for mounts that are none of the platforms. */
export function genericEntry(mountName: string): CatalogEntry {
  return {
    type: `${mountName}:generic:resource`,
    description:
      `A free-form resource of the '${mountName}' sandbox mount: any properties are accepted and kept; ` +
      "the only output is `id`. It exists so that any server name can be mocked.",
    properties: {
      type: "object",
      additionalProperties: true,
      examples: [
        { size: "small", owner: "team-a" },
        { size: "medium", owner: "team-a" },
      ],
    },
    outputs: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    newId: () => `${mountName}-${randomHex(16)}`,
    makeOutputs: ({ id }) => ({ id }),
  };
}

/**
 * The types a mount serves: a platform's own when mounted as that platform (the client routes by
 * prefix, so the others would only be noise), otherwise the whole catalog plus the generic type.
 */
export function catalogFor(
  mountName: string | undefined,
  options: { allTypes?: boolean } = {},
): CatalogEntry[] {
  const platform = PLATFORMS.find((name) => name === mountName);
  if (platform && !options.allTypes) return CATALOG.filter((entry) => entry.type.startsWith(`${platform}:`));
  const name = mountName ?? "mock";
  if (platform || !MOUNT_NAME.test(name)) return [...CATALOG];
  return [...CATALOG, genericEntry(name)];
}
