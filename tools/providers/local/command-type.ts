import { randomUUID } from "node:crypto";
import {
  type HandlerContext,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
} from "../../protocol/index.ts";
import { markRunning } from "./interrupted.ts";
import {
  environmentOf,
  environmentSchema,
  notManaged,
  tail,
  validateWorkingFolder,
  WORKING_FOLDER_SCHEMA,
  withSecretDigest,
  workingFolderOf,
} from "./property-parts.ts";
import type { ManagedRecord, RecordStore } from "./record-store.ts";
import { commandsStopping, runShell, type ShellResult } from "./run-shell.ts";

export const COMMAND_TYPE = "local:command:run";
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const ERROR_TAIL = 2_000;

type Hook = "create" | "update" | "delete";

/** The schema half of the handler: constant, so it lives outside the factory. */
const COMMAND_SCHEMA: Pick<
  ResourceTypeHandler,
  "type" | "description" | "properties" | "outputs" | "secretProperties"
> = {
  type: COMMAND_TYPE,
  description:
    "Shell commands run on this machine: `create` when the resource is created, `update` when its properties change (without it, a change replaces: delete then create), `delete` when it is destroyed.",
  properties: {
    type: "object",
    additionalProperties: false,
    properties: {
      create: { type: "string", description: "Run with the system shell on create." },
      update: { type: "string", description: "Run on update; without it every change is a replacement." },
      delete: { type: "string", description: "Run on delete." },
      environment: environmentSchema(
        "Extra environment variables; secret: never shown, and redacted from the output.",
      ),
      dir: WORKING_FOLDER_SCHEMA,
      timeoutMs: {
        type: "integer",
        minimum: 1,
        description: `Per command; default ${DEFAULT_COMMAND_TIMEOUT_MS}.`,
      },
    },
    examples: [
      {
        create: "echo created",
        update: "echo updated",
        delete: "true",
        environment: { GREETING: "hello" },
      },
      {
        create: "echo created",
        update: "echo updated again",
        delete: "true",
        environment: { GREETING: "bonjour" },
      },
    ],
  },
  outputs: {
    type: "object",
    properties: {
      id: { type: "string" },
      stdout: {
        type: "string",
        description: "Trimmed, capped to the last 16 KiB; environment values redacted.",
      },
      stderr: {
        type: "string",
        description: "Trimmed, capped to the last 16 KiB; environment values redacted.",
      },
      exitCode: { type: "integer" },
    },
  },
  secretProperties: ["environment"],
};

/** Runs one hook; a non-zero exit or a timeout becomes a failed change with the tail of stderr. */
async function runHook(
  cwd: string,
  hook: Hook,
  properties: PropertyMap,
  environment: Record<string, string>,
  previous?: PropertyMap,
): Promise<ShellResult | undefined> {
  const command = properties[hook];
  if (typeof command !== "string" || command.trim() === "") return undefined;
  const timeoutMs =
    typeof properties.timeoutMs === "number" ? properties.timeoutMs : DEFAULT_COMMAND_TIMEOUT_MS;
  const env: Record<string, string> = { ...environment };
  if (previous) {
    // As Pulumi does, later hooks can see what the create (or last update) printed.
    env.MCP_IAC_COMMAND_STDOUT = String(previous.stdout ?? "");
    env.MCP_IAC_COMMAND_STDERR = String(previous.stderr ?? "");
  }
  const result = await runShell(command, {
    cwd: await workingFolderOf(cwd, properties, {
      type: COMMAND_TYPE,
      key: "dir",
      hint: "; create it first or fix dir",
    }),
    env,
    timeoutMs,
    secrets: Object.values(environment),
  });
  if (result.timedOut) {
    throw new ProviderError(
      "TIMEOUT",
      `the ${hook} command did not finish within ${timeoutMs} ms and was stopped; raise timeoutMs if it needs longer` +
        (result.stderr ? `. stderr: ${tail(result.stderr, ERROR_TAIL)}` : ""),
      { details: { hook, timeoutMs } },
    );
  }
  if (result.spawnError) {
    throw new ProviderError("INTERNAL", `the ${hook} command could not start: ${result.spawnError}`, {
      details: { hook },
    });
  }
  if (result.exitCode !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    throw new ProviderError(
      "INTERNAL",
      `the ${hook} command ${how}` +
        (result.stderr ? `; stderr: ${tail(result.stderr, ERROR_TAIL)}` : " (no stderr)"),
      { details: { hook, exitCode: result.exitCode ?? null, stderr: tail(result.stderr, ERROR_TAIL) } },
    );
  }
  return result;
}

function outputsOf(id: string, result: ShellResult | undefined): PropertyMap {
  return {
    id,
    stdout: result?.stdout ?? "",
    stderr: result?.stderr ?? "",
    exitCode: result?.exitCode ?? 0,
  };
}

/** Record and secret access shared by create, update and delete. */
function commandRecords(cwd: string, records: RecordStore) {
  async function recordOf(id: string): Promise<ManagedRecord> {
    const record = await records.get(COMMAND_TYPE, id);
    if (!record) throw notManaged(COMMAND_TYPE, id);
    return record;
  }

  /** Keeps the properties (secrets only as digests) and, apart, the environment a delete hook needs. */
  async function saveRun(
    id: string,
    properties: PropertyMap,
    environment: Record<string, string>,
    context: HandlerContext,
    result: ShellResult | undefined,
  ): Promise<PropertyMap> {
    const outputs = outputsOf(id, result);
    const record = { type: COMMAND_TYPE, id, name: context.name, deploymentId: context.deploymentId };
    await records.put({ ...record, properties: withSecretDigest(properties, "environment"), outputs });
    await records.setSecrets(COMMAND_TYPE, id, environment);
    return outputs;
  }

  async function runDeleteHook(record: ManagedRecord): Promise<void> {
    const environment = await records.getSecrets(COMMAND_TYPE, record.id);
    await runHook(cwd, "delete", record.properties, environment, record.outputs);
  }

  return { recordOf, saveRun, runDeleteHook };
}

/** local:command:run — shell commands run on create, update and delete, like Pulumi's command provider. */
export function commandType(options: { cwd: string; records: RecordStore }): ResourceTypeHandler {
  const { cwd, records } = options;
  const { recordOf, saveRun, runDeleteHook } = commandRecords(cwd, records);

  return {
    ...COMMAND_SCHEMA,

    validate(properties) {
      return validateWorkingFolder(cwd, properties, "dir");
    },

    async create(properties, context) {
      const id = `cmd-${randomUUID()}`;
      const environment = environmentOf(properties, COMMAND_TYPE, "environment");
      const marker = await markRunning(records.dir, context, "create");
      let result: ShellResult | undefined;
      try {
        result = await runHook(cwd, "create", properties, environment);
      } finally {
        // Only a command that ended on its own clears its mark; one stopped by a shutdown stays recorded.
        if (!commandsStopping()) await marker.clear();
      }
      return { id, outputs: await saveRun(id, properties, environment, context, result) };
    },

    async read(id) {
      const record = await records.get(COMMAND_TYPE, id);
      return record ? { properties: record.properties, outputs: record.outputs } : null;
    },

    async update(id, properties, context) {
      const previous = await recordOf(id);
      const environment = environmentOf(properties, COMMAND_TYPE, "environment");
      let result: ShellResult | undefined;
      if (commandUpdatesInPlace(properties)) {
        result = await runHook(cwd, "update", properties, environment, previous.outputs);
      } else {
        // No update command: the change is a replacement, carried out under the same id.
        await runDeleteHook(previous);
        result = await runHook(cwd, "create", properties, environment);
      }
      return saveRun(id, properties, environment, context, result);
    },

    async delete(id) {
      const record = await recordOf(id);
      await runDeleteHook(record);
      await records.remove(COMMAND_TYPE, id);
    },
  };
}

/** Whether a change to a command resource can run in place: only when it names an update command. */
export function commandUpdatesInPlace(after: PropertyMap | undefined): boolean {
  return typeof after?.update === "string" && after.update.trim() !== "";
}
