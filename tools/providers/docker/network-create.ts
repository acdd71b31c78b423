import type { PropertyMap, ResourceTypeHandler } from "../../protocol/index.ts";
import type { Engine } from "./engine.ts";
import { type Labels, objectName } from "./labels.ts";
import { engineCall, inRecordedForm, readOrNull, specLabels } from "./named-object.ts";

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
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
  Labels?: Labels | null;
}

/** Properties of a network as the engine has it, in the spec's form where they agree. */
export function networkProperties(info: NetworkInfo): PropertyMap {
  const live: PropertyMap = {
    driver: info.Driver,
    internal: info.Internal === true,
    subnet: info.IPAM?.Config?.[0]?.Subnet,
  };
  return inRecordedForm(info.Labels, NETWORK_TYPE, live) ?? { ...live, name: info.Name };
}

export function networkOutputs(info: NetworkInfo): PropertyMap {
  const ipam = info.IPAM?.Config?.[0];
  return {
    id: info.Id,
    name: info.Name,
    ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
    ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
  };
}

export function networkType(engine: Engine): ResourceTypeHandler {
  return {
    type: NETWORK_TYPE,
    description:
      "A Docker network that containers join by its name or id. Networks cannot change: any change recreates it.",
    properties,
    outputs: {
      type: "object",
      properties: {
        id: { type: "string" },
        name: { type: "string" },
        subnet: { type: "string" },
        gateway: { type: "string" },
      },
    },
    replaceOnChange: ["driver", "internal", "subnet", "labels"],

    async create(props, context) {
      const name = objectName(context);
      const info = await engineCall(engine, `creating network ${name}`, async () => {
        const network = await engine.docker.createNetwork({
          Name: name,
          Driver: typeof props.driver === "string" ? props.driver : "bridge",
          Internal: props.internal === true,
          CheckDuplicate: true,
          Labels: specLabels(context, NETWORK_TYPE, props),
          ...(typeof props.subnet === "string"
            ? { IPAM: { Driver: "default", Config: [{ Subnet: props.subnet }] } }
            : {}),
        });
        return (await network.inspect()) as NetworkInfo;
      });
      return { id: info.Id, outputs: networkOutputs(info) };
    },

    async read(id) {
      const info = await readOrNull(
        engine,
        `reading network ${id}`,
        async () => (await engine.docker.getNetwork(id).inspect()) as NetworkInfo,
      );
      return info && { properties: networkProperties(info), outputs: networkOutputs(info) };
    },

    async delete(id) {
      await engineCall(engine, `removing network ${id}`, () => engine.docker.getNetwork(id).remove());
    },
  };
}
