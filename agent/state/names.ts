import { StateError } from "./errors.ts";

const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Deployment names become file names and keys: no separators, no "..", nothing hidden. */
export function assertDeploymentName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !DEPLOYMENT_NAME.test(name) || name.includes("..")) {
    throw new StateError(
      "STATE_NAME_INVALID",
      `deployment name ${JSON.stringify(name)} is not valid: use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (no "..")`,
      { exitCode: 2, hint: "rename the deployment in the spec (its `name` field)" },
    );
  }
}
