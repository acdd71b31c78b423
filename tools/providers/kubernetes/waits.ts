import { ProviderError } from "../../protocol/index.ts";
import { describeRef, type KubeClient, type KubeObject, type ObjectRef } from "./kube-client.ts";

export interface WaitSettings {
  timeoutMs: number;
  /** First poll interval; it doubles up to 1 s. */
  pollMs: number;
  progress?: ((message: string) => void) | undefined;
}

type Verdict = { done: true } | { done: false; message: string; failed?: string };

const num = (value: unknown): number => (typeof value === "number" ? value : 0);
const rec = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function lastCondition(status: Record<string, unknown>): string {
  const conditions = (Array.isArray(status["conditions"]) ? status["conditions"] : []) as Condition[];
  const notTrue = conditions.find((item) => item.status !== "True") ?? conditions.at(-1);
  return notTrue
    ? `; ${notTrue.type}=${notTrue.status} ${notTrue.reason ?? ""}: ${notTrue.message ?? ""}`
    : "";
}

/** kubectl rollout status for a Deployment (polymorphichelpers/rollout_status.go). */
function deploymentVerdict(object: KubeObject): Verdict {
  const spec = rec(object["spec"]);
  const status = rec(object["status"]);
  const name = object.metadata.name;
  if (num(object.metadata["generation"]) > num(status["observedGeneration"]))
    return { done: false, message: `waiting for deployment "${name}" spec update to be observed` };
  const conditions = (Array.isArray(status["conditions"]) ? status["conditions"] : []) as Condition[];
  const progressing = conditions.find((item) => item.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded")
    return {
      done: false,
      message: "",
      failed: `deployment "${name}" exceeded its progress deadline${lastCondition(status)}`,
    };
  const replicas = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  const updated = num(status["updatedReplicas"]);
  const available = num(status["availableReplicas"]);
  const unavailable = num(status["unavailableReplicas"]);
  const detail = `${unavailable > 0 ? `, ${unavailable} unavailable` : ""}${lastCondition(status)}`;
  if (updated < replicas)
    return { done: false, message: `${updated} out of ${replicas} new replicas have been updated${detail}` };
  if (num(status["replicas"]) > updated)
    return {
      done: false,
      message: `${num(status["replicas"]) - updated} old replicas are pending termination${detail}`,
    };
  if (available < updated)
    return { done: false, message: `${available} of ${updated} updated replicas are available${detail}` };
  return { done: true };
}

function statefulSetVerdict(object: KubeObject): Verdict {
  const spec = rec(object["spec"]);
  const status = rec(object["status"]);
  if (rec(spec["updateStrategy"])["type"] === "OnDelete") return { done: true };
  if (
    num(status["observedGeneration"]) === 0 ||
    num(object.metadata["generation"]) > num(status["observedGeneration"])
  )
    return { done: false, message: "waiting for statefulset spec update to be observed" };
  const replicas = typeof spec["replicas"] === "number" ? spec["replicas"] : 1;
  const ready = num(status["readyReplicas"]);
  if (ready < replicas)
    return {
      done: false,
      message: `${ready} of ${replicas} pods are ready, ${replicas - ready} unavailable`,
    };
  if (status["updateRevision"] !== status["currentRevision"])
    return {
      done: false,
      message: `waiting for the rolling update to complete (revision ${String(status["updateRevision"])})`,
    };
  return { done: true };
}

function daemonSetVerdict(object: KubeObject): Verdict {
  const spec = rec(object["spec"]);
  const status = rec(object["status"]);
  if (rec(spec["updateStrategy"])["type"] === "OnDelete") return { done: true };
  if (num(object.metadata["generation"]) > num(status["observedGeneration"]))
    return { done: false, message: "waiting for daemon set spec update to be observed" };
  const desired = num(status["desiredNumberScheduled"]);
  if (num(status["updatedNumberScheduled"]) < desired)
    return {
      done: false,
      message: `${num(status["updatedNumberScheduled"])} out of ${desired} new pods have been updated`,
    };
  if (num(status["numberAvailable"]) < desired)
    return {
      done: false,
      message: `${num(status["numberAvailable"])} of ${desired} updated pods are available, ${desired - num(status["numberAvailable"])} unavailable`,
    };
  return { done: true };
}

const VERDICTS: Record<string, (object: KubeObject) => Verdict> = {
  Deployment: deploymentVerdict,
  StatefulSet: statefulSetVerdict,
  DaemonSet: daemonSetVerdict,
};

/** Whether applying this kind waits for its rollout. */
export const waitsForRollout = (apiVersion: string, kind: string) =>
  apiVersion === "apps/v1" && kind in VERDICTS;

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function poll(
  settings: WaitSettings,
  step: () => Promise<{ done: boolean; message: string; failed?: string }>,
  timeoutMessage: (last: string) => string,
): Promise<void> {
  const deadline = Date.now() + settings.timeoutMs;
  let interval = settings.pollMs;
  let reported = "";
  for (;;) {
    const state = await step();
    if (state.failed) throw new ProviderError("DEPENDENCY_FAILED", state.failed, { retryable: false });
    if (state.done) return;
    if (state.message !== reported) {
      settings.progress?.(state.message);
      reported = state.message;
    }
    if (Date.now() >= deadline)
      throw new ProviderError("TIMEOUT", timeoutMessage(state.message), {
        retryable: false,
        details: { waitedMs: settings.timeoutMs, last: state.message },
      });
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
    interval = Math.min(interval * 2, 1000);
  }
}

/** Waits until a workload's rollout is available, as `kubectl rollout status` judges it. */
export async function waitForRollout(
  client: KubeClient,
  ref: ObjectRef,
  settings: WaitSettings,
): Promise<void> {
  const verdict = VERDICTS[ref.kind];
  if (!verdict) return;
  await poll(
    settings,
    async () => {
      const live = await client.read(ref);
      if (!live)
        return { done: false, message: "", failed: `${describeRef(ref)} disappeared while rolling out` };
      const state = verdict(live);
      return state.done
        ? { done: true, message: "" }
        : { ...state, message: `${describeRef(ref)}: ${state.message}` };
    },
    (last) => `${describeRef(ref)} did not become ready within ${settings.timeoutMs / 1000}s: ${last}`,
  );
}

/** Waits until an object is gone, finalizers included (a namespace: its contents too). */
export async function waitUntilGone(
  client: KubeClient,
  ref: ObjectRef,
  settings: WaitSettings,
): Promise<void> {
  await poll(
    settings,
    async () => {
      const live = await client.read(ref);
      if (!live) return { done: true, message: "" };
      const finalizers = (live.metadata["finalizers"] as string[] | undefined) ?? [];
      const phase = rec(live["status"])["phase"];
      const why = [
        phase === "Terminating" ? "terminating" : "",
        finalizers.length > 0 ? `finalizers ${finalizers.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("; ");
      return {
        done: false,
        message: `waiting for ${describeRef(ref)} to be deleted${why ? ` (${why})` : ""}`,
      };
    },
    (last) => `${describeRef(ref)} was not deleted within ${settings.timeoutMs / 1000}s: ${last}`,
  );
}
