import type { PropertyMap, ResourceTypeHandler } from "../../protocol/index.ts";
import type { Engine } from "./engine.ts";
import { type Labels, objectName } from "./labels.ts";
import { engineCall, inRecordedForm, readOrNull, specLabels } from "./named-object.ts";

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
  Mountpoint?: string;
}

const volumeOutputs = (name: string, mountpoint?: string): PropertyMap => ({
  id: name,
  name,
  ...(mountpoint ? { mountpoint } : {}),
});

export function volumeProperties(info: VolumeInfo): PropertyMap {
  const live: PropertyMap = { driver: info.Driver, driverOpts: info.Options ?? {} };
  return inRecordedForm(info.Labels, VOLUME_TYPE, live) ?? live;
}

export function volumeType(engine: Engine): ResourceTypeHandler {
  return {
    type: VOLUME_TYPE,
    description:
      "A named Docker volume; its id is its name, for a container's mounts. It holds data: replacing it loses that data.",
    properties,
    outputs: {
      type: "object",
      properties: {
        id: { type: "string", description: "The volume's name" },
        name: { type: "string" },
        mountpoint: { type: "string" },
      },
    },
    replaceOnChange: ["driver", "driverOpts", "labels"],
    stateful: true,

    async create(props, context) {
      const name = objectName(context);
      const volume = await engineCall(engine, `creating volume ${name}`, () =>
        engine.docker.createVolume({
          Name: name,
          Driver: typeof props.driver === "string" ? props.driver : "local",
          DriverOpts: (props.driverOpts as Record<string, string> | undefined) ?? {},
          Labels: specLabels(context, VOLUME_TYPE, props),
        }),
      );
      const info = (await volume.inspect().catch(() => undefined)) as VolumeInfo | undefined;
      return { id: volume.name, outputs: volumeOutputs(volume.name, info?.Mountpoint) };
    },

    async read(id) {
      const info = await readOrNull(
        engine,
        `reading volume ${id}`,
        async () => (await engine.docker.getVolume(id).inspect()) as unknown as VolumeInfo,
      );
      return (
        info && { properties: volumeProperties(info), outputs: volumeOutputs(info.Name, info.Mountpoint) }
      );
    },

    async delete(id) {
      await engineCall(engine, `removing volume ${id}`, () => engine.docker.getVolume(id).remove());
    },
  };
}
