import { deepEqual, type PropertyMap, type ResourceTypeHandler } from "../../protocol/index.ts";
import { dockerError, isNotFound } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { isOurs, type Labels, objectName, ownLabels, recordedSpec } from "./labels.ts";

export const VOLUME_TYPE = "docker:volume:create";

const properties = {
  type: "object",
  additionalProperties: false,
  properties: {
    driver: { type: "string", minLength: 1, description: "Volume driver (default local)." },
    driverOpts: { type: "object", additionalProperties: { type: "string" } },
    labels: { type: "object", additionalProperties: { type: "string" } },
  },
  examples: [{ driver: "local" }],
};

interface VolumeInfo {
  Name: string;
  Driver: string;
  Options?: Record<string, string> | null;
  Labels?: Labels | null;
}

export function volumeProperties(info: VolumeInfo): PropertyMap {
  const live: PropertyMap = { driver: info.Driver, driverOpts: info.Options ?? {} };
  const recorded = isOurs(info.Labels, VOLUME_TYPE) ? recordedSpec(info.Labels) : undefined;
  if (!recorded) return live;
  const out: PropertyMap = {};
  for (const key of Object.keys(recorded)) {
    if (key === "labels") {
      const picked = Object.fromEntries(
        Object.keys(recorded.labels as Labels).map((k) => [k, info.Labels?.[k]]),
      );
      out.labels = deepEqual(picked, recorded.labels) ? recorded.labels : picked;
    } else {
      out[key] = deepEqual(live[key], recorded[key]) ? recorded[key] : live[key];
    }
  }
  return out;
}

export function volumeType(engine: Engine): ResourceTypeHandler {
  return {
    type: VOLUME_TYPE,
    description:
      "A named Docker volume; its id is its name, for a container's mounts. It holds data: replacing it loses that data.",
    properties,
    outputs: { type: "object", properties: { id: { type: "string", description: "The volume's name" } } },
    replaceOnChange: ["driver", "driverOpts", "labels"],
    stateful: true,

    async create(props, context) {
      const name = objectName(context);
      try {
        const volume = await engine.docker.createVolume({
          Name: name,
          Driver: typeof props.driver === "string" ? props.driver : "local",
          DriverOpts: (props.driverOpts as Record<string, string> | undefined) ?? {},
          Labels: {
            ...((props.labels as Labels | undefined) ?? {}),
            ...ownLabels(context, VOLUME_TYPE, props),
          },
        });
        return { id: volume.name, outputs: { id: volume.name } };
      } catch (error) {
        throw dockerError(engine, error, `creating volume ${name}`);
      }
    },

    async read(id) {
      try {
        const info = (await engine.docker.getVolume(id).inspect()) as unknown as VolumeInfo;
        return { properties: volumeProperties(info), outputs: { id: info.Name } };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw dockerError(engine, error, `reading volume ${id}`);
      }
    },

    async delete(id) {
      try {
        await engine.docker.getVolume(id).remove();
      } catch (error) {
        throw dockerError(engine, error, `removing volume ${id}`);
      }
    },
  };
}
