import { deepEqual, type HandlerContext, type PropertyMap } from "../../protocol/index.ts";
import { dockerError, isNotFound } from "./docker-errors.ts";
import type { Engine } from "./engine.ts";
import { isOurs, type Labels, ownLabels, recordedSpec } from "./labels.ts";

/** Runs one engine call; a failure becomes a provider error naming what was being done. */
export async function engineCall<T>(engine: Engine, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw dockerError(engine, error, doing);
  }
}

/** A read of an object that may be gone: gone reads as null, any other failure is an error. */
export async function readOrNull<T>(
  engine: Engine,
  doing: string,
  call: () => Promise<T>,
): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw dockerError(engine, error, doing);
  }
}

/** The user's labels plus ours, which win: discovery and reads depend on them. */
export function specLabels(context: HandlerContext, type: string, props: PropertyMap): Labels {
  return { ...((props.labels as Labels | undefined) ?? {}), ...ownLabels(context, type, props) };
}

/**
 * The live properties of an object we made, in the form its spec was written where they agree
 * (so a read of an unchanged object shows no drift); undefined for objects that are not ours.
 */
export function inRecordedForm(
  labels: Labels | null | undefined,
  type: string,
  live: PropertyMap,
): PropertyMap | undefined {
  const recorded = isOurs(labels, type) ? recordedSpec(labels) : undefined;
  if (!recorded) return undefined;
  const out: PropertyMap = {};
  for (const key of Object.keys(recorded)) {
    if (key === "labels") {
      const picked = Object.fromEntries(Object.keys(recorded.labels as Labels).map((k) => [k, labels?.[k]]));
      out.labels = deepEqual(picked, recorded.labels) ? recorded.labels : picked;
    } else {
      out[key] = deepEqual(live[key], recorded[key]) ? recorded[key] : (live[key] ?? null);
    }
  }
  return out;
}
