import { createHash } from "node:crypto";
import { isObject, type Json, type JsonObject } from "./fields.ts";
import type { KindInfo } from "./kinds.ts";

/** The images of a workload's pod template. */
export function templateImages(object: JsonObject): string[] {
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const template = isObject(spec["template"]) ? spec["template"] : {};
  const podSpec = isObject(template["spec"]) ? template["spec"] : {};
  const containers = Array.isArray(podSpec["containers"]) ? podSpec["containers"] : [];
  return containers.flatMap((container) =>
    isObject(container) && typeof container["image"] === "string" ? [container["image"]] : [],
  );
}

function templateHash(object: JsonObject): string {
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  return createHash("sha256")
    .update(JSON.stringify(spec["template"] ?? {}))
    .digest("hex")
    .slice(0, 10);
}

const condition = (type: string, status: boolean, reason: string, message: string, now: string): Json => ({
  type,
  status: status ? "True" : "False",
  lastUpdateTime: now,
  lastTransitionTime: now,
  reason,
  message,
});

/**
 * The status the controllers would write for a workload: `settled` once its pods had time to start;
 * `stuck` keeps one replica unavailable for ever (an image that never becomes ready).
 */
export function workloadStatus(
  info: KindInfo,
  object: JsonObject,
  progress: { settled: boolean; stuck: boolean; now: string },
): JsonObject {
  const spec = isObject(object["spec"]) ? object["spec"] : {};
  const meta = isObject(object["metadata"]) ? object["metadata"] : {};
  const generation = typeof meta["generation"] === "number" ? meta["generation"] : 1;
  const replicas =
    info.kind === "DaemonSet" ? 1 : typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  const available = progress.settled ? Math.max(0, replicas - (progress.stuck ? 1 : 0)) : 0;
  const unavailable = replicas - available;
  const hash = templateHash(object);
  const name = String(meta["name"] ?? "");
  if (info.kind === "StatefulSet") {
    return {
      observedGeneration: generation,
      replicas,
      readyReplicas: available,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: available,
      currentRevision: `${name}-${hash}`,
      updateRevision: `${name}-${hash}`,
      collisionCount: 0,
    };
  }
  if (info.kind === "DaemonSet") {
    return {
      observedGeneration: generation,
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberMisscheduled: 0,
      numberReady: available,
      updatedNumberScheduled: 1,
      numberAvailable: available,
      ...(unavailable > 0 ? { numberUnavailable: unavailable } : {}),
    };
  }
  const done = unavailable === 0;
  return {
    observedGeneration: generation,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: available,
    availableReplicas: available,
    ...(unavailable > 0 ? { unavailableReplicas: unavailable } : {}),
    conditions: [
      done
        ? condition(
            "Available",
            true,
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
            progress.now,
          )
        : condition(
            "Available",
            false,
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
            progress.now,
          ),
      done
        ? condition(
            "Progressing",
            true,
            "NewReplicaSetAvailable",
            `ReplicaSet "${name}-${hash}" has successfully progressed.`,
            progress.now,
          )
        : condition(
            "Progressing",
            true,
            "ReplicaSetUpdated",
            `ReplicaSet "${name}-${hash}" is progressing.`,
            progress.now,
          ),
    ],
  };
}

export const isWorkload = (info: KindInfo) =>
  info.group === "apps" && ["Deployment", "StatefulSet", "DaemonSet"].includes(info.kind);
