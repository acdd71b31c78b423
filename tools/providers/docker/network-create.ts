import { deepEqual, type PropertyMap, type ResourceTypeHandler } from "../../protocol/index.ts";
import { dockerError, isNotFound } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { isOurs, type Labels, objectName, ownLabels, recordedSpec } from "./labels.ts";

export const NETWORK_TYPE = "docker:network:create";

const properties = {
  type: "object",
  additionalProperties: false,
  properties: {
    driver: { type: "string", minLength: 1, description: "Network driver (default bridge)." },
    internal: { type: "boolean", description: "No route to the outside." },
    subnet: {
      type: "string",
      pattern: "^[0-9a-fA-F:.]+/\\d{1,3}$",
      description: "CIDR of the network's addresses.",
    },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
  // An internal bridge on a loopback subnet: the example (run by the conformance kit) puts no
  // private-range address on the host and routes nowhere.
  examples: [{ driver: "bridge", internal: true, subnet: "127.78.0.0/24" }],
};

interface NetworkInfo {
  Id: string;
  Name: string;
  Driver: string;
  Internal?: boolean;
  IPAM?: { Config?: { Subnet?: string }[] | null };
  Labels?: Labels | null;
}

/** Properties of a network as the engine has it, in the spec's form where they agree. */
export function networkProperties(info: NetworkInfo): PropertyMap {
  const live: PropertyMap = {
    driver: info.Driver,
    internal: info.Internal === true,
    subnet: info.IPAM?.Config?.[0]?.Subnet,
  };
  const recorded = isOurs(info.Labels, NETWORK_TYPE) ? recordedSpec(info.Labels) : undefined;
  if (!recorded) return { ...live, name: info.Name };
  const out: PropertyMap = {};
  for (const key of Object.keys(recorded)) {
    if (key === "labels") {
      const picked = Object.fromEntries(
        Object.keys(recorded.labels as Labels).map((k) => [k, info.Labels?.[k]]),
      );
      out.labels = deepEqual(picked, recorded.labels) ? recorded.labels : picked;
    } else {
      out[key] = live[key] === recorded[key] ? recorded[key] : (live[key] ?? null);
    }
  }
  return out;
}

export function networkOutputs(info: NetworkInfo): PropertyMap {
  return { id: info.Id, name: info.Name };
}

export function networkType(engine: Engine): ResourceTypeHandler {
  return {
    type: NETWORK_TYPE,
    description:
      "A Docker network that containers join by its name or id. Networks cannot change: any change recreates it.",
    properties,
    outputs: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } } },
    replaceOnChange: ["driver", "internal", "subnet", "labels"],

    async create(props, context) {
      const name = objectName(context);
      try {
        const network = await engine.docker.createNetwork({
          Name: name,
          Driver: typeof props.driver === "string" ? props.driver : "bridge",
          Internal: props.internal === true,
          CheckDuplicate: true,
          Labels: {
            ...((props.labels as Labels | undefined) ?? {}),
            ...ownLabels(context, NETWORK_TYPE, props),
          },
          ...(typeof props.subnet === "string"
            ? { IPAM: { Driver: "default", Config: [{ Subnet: props.subnet }] } }
            : {}),
        });
        const info = (await network.inspect()) as NetworkInfo;
        return { id: info.Id, outputs: networkOutputs(info) };
      } catch (error) {
        throw dockerError(engine, error, `creating network ${name}`);
      }
    },

    async read(id) {
      try {
        const info = (await engine.docker.getNetwork(id).inspect()) as NetworkInfo;
        return { properties: networkProperties(info), outputs: networkOutputs(info) };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw dockerError(engine, error, `reading network ${id}`);
      }
    },

    async delete(id) {
      try {
        await engine.docker.getNetwork(id).remove();
      } catch (error) {
        throw dockerError(engine, error, `removing network ${id}`);
      }
    },
  };
}
