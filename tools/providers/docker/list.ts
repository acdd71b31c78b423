import type { ListedResource, ResourceTypeHandler } from "../../protocol/index.ts";
import { CONTAINER_TYPE, describeContainer } from "./container-spec.ts";
import { dockerError, isNotFound } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { IMAGE_TYPE } from "./image-build.ts";
import { type Labels, labelFilters, managedIdentity } from "./labels.ts";
import { NETWORK_TYPE } from "./network-create.ts";
import { VOLUME_TYPE } from "./volume-create.ts";

interface Summary {
  id: string;
  labels: Labels | null | undefined;
}

async function ourObjects(engine: Engine, type: string, deploymentId?: string): Promise<Summary[]> {
  const filters = labelFilters(type, deploymentId);
  switch (type) {
    case IMAGE_TYPE:
      return (await engine.docker.listImages({ filters })).map((image) => ({
        id: image.Id,
        labels: image.Labels,
      }));
    case NETWORK_TYPE:
      return (await engine.docker.listNetworks({ filters })).map((network) => ({
        id: network.Id,
        labels: network.Labels,
      }));
    case VOLUME_TYPE:
      return ((await engine.docker.listVolumes({ filters })).Volumes ?? []).map((volume) => ({
        id: volume.Name,
        labels: volume.Labels,
      }));
    default:
      return [];
  }
}

async function containers(engine: Engine, deploymentId?: string): Promise<ListedResource[]> {
  // Without a deployment, every container is listed, ours or not, so that others can be imported.
  const filters = deploymentId ? labelFilters(CONTAINER_TYPE, deploymentId) : undefined;
  const summaries = await engine.docker.listContainers({ all: true, ...(filters ? { filters } : {}) });
  const listed: ListedResource[] = [];
  for (const summary of summaries) {
    try {
      const described = describeContainer(await engine.docker.getContainer(summary.Id).inspect());
      const { properties, outputs, managed, ...identity } = described;
      listed.push({ id: summary.Id, type: CONTAINER_TYPE, ...identity, properties, outputs, managed });
    } catch (error) {
      if (!isNotFound(error)) throw error; // removed between the listing and the inspect
    }
  }
  return listed;
}

/** The provider's `list`: our objects by label filters, plus unmanaged containers when no deployment is asked. */
export function lister(engine: Engine, handlers: readonly ResourceTypeHandler[]) {
  return async (filter: { type?: string; deploymentId?: string }): Promise<ListedResource[]> => {
    const types = handlers
      .map((handler) => handler.type)
      .filter((type) => !filter.type || filter.type === type);
    const listed: ListedResource[] = [];
    try {
      for (const type of types) {
        if (type === CONTAINER_TYPE) {
          listed.push(...(await containers(engine, filter.deploymentId)));
          continue;
        }
        const handler = handlers.find((candidate) => candidate.type === type)!;
        for (const summary of await ourObjects(engine, type, filter.deploymentId)) {
          const found = await handler.read(summary.id);
          if (!found) continue;
          listed.push({ id: summary.id, type, ...managedIdentity(summary.labels), ...found, managed: true });
        }
      }
    } catch (error) {
      throw dockerError(engine, error, "listing resources");
    }
    return listed;
  };
}
