import { createHash } from "node:crypto";
import { readFile, rm, stat } from "node:fs/promises";
import { writeFileAtomic } from "../../../core/atomic-write.ts";
import {
  isUnknown,
  type PropertyMap,
  ProviderError,
  type ResourceTypeHandler,
} from "../../protocol/index.ts";
import { resolveInside } from "./paths.ts";
import { notManaged } from "./property-parts.ts";
import type { RecordStore } from "./record-store.ts";

export const FILE_TYPE = "local:file:file";

const MODE_PATTERN = "^0?[0-7]{3}$";

function sha256(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}

function parseMode(mode: unknown): number | undefined {
  return typeof mode === "string" ? Number.parseInt(mode, 8) : undefined;
}

function fileOutputs(path: string, content: string): PropertyMap {
  const digest = sha256(content);
  return { id: path, sha256: digest, hash: `sha256:${digest}`, size: Buffer.byteLength(content) };
}

async function writeFile(path: string, content: string, mode: number | undefined): Promise<void> {
  // open() applies the umask; an asked-for mode is set exactly.
  await writeFileAtomic(path, content, {
    createDir: true,
    mode: mode ?? 0o644,
    exactMode: mode !== undefined,
  });
}

/** The schema half of the handler: constant, so it lives outside the factory. */
const FILE_SCHEMA: Pick<
  ResourceTypeHandler,
  "type" | "description" | "properties" | "outputs" | "replaceOnChange"
> = {
  type: FILE_TYPE,
  description:
    "A file on this machine with the given content and mode. Relative paths resolve against the provider's working folder and must stay inside it.",
  properties: {
    type: "object",
    required: ["path", "content"],
    additionalProperties: false,
    properties: {
      path: {
        type: "string",
        minLength: 1,
        description: "Absolute, or relative to the working folder (inside it).",
      },
      content: { type: "string", description: "The whole content, UTF-8." },
      mode: { type: "string", pattern: MODE_PATTERN, description: 'Octal permissions, e.g. "0644".' },
    },
    examples: [
      { path: "conformance-example.txt", content: "hello\n", mode: "0644" },
      { path: "conformance-example.txt", content: "hello again\n", mode: "0600" },
    ],
  },
  outputs: {
    type: "object",
    properties: {
      id: { type: "string", description: "The absolute path." },
      sha256: { type: "string", description: "SHA-256 of the content, hex." },
      hash: { type: "string", description: "The same digest as sha256:<hex>." },
      size: { type: "integer", description: "Bytes." },
    },
  },
  replaceOnChange: ["path"],
};

function absolutePath(cwd: string, properties: PropertyMap): string {
  const resolved = resolveInside(cwd, String(properties.path));
  if ("error" in resolved)
    throw new ProviderError("VALIDATION_FAILED", `local:file:file path: ${resolved.error}`);
  return resolved.path;
}

/** Writes the file and records it as this resource's. */
async function write(
  records: RecordStore,
  id: string,
  properties: PropertyMap,
  context: { deploymentId: string; name: string },
) {
  const content = String(properties.content ?? "");
  await writeFile(id, content, parseMode(properties.mode));
  const outputs = fileOutputs(id, content);
  await records.put({
    type: FILE_TYPE,
    id,
    name: context.name,
    deploymentId: context.deploymentId,
    properties,
    outputs,
  });
  return outputs;
}

/** local:file:file — a file with the given content and mode. */
export function fileType(options: { cwd: string; records: RecordStore }): ResourceTypeHandler {
  const { cwd, records } = options;

  return {
    ...FILE_SCHEMA,

    validate(properties) {
      if (typeof properties.path !== "string" || isUnknown(properties.path)) return [];
      const resolved = resolveInside(cwd, properties.path);
      return "error" in resolved
        ? [{ path: "properties.path", message: resolved.error, severity: "error" }]
        : [];
    },

    async create(properties, context) {
      const id = absolutePath(cwd, properties);
      const owner = await records.get(FILE_TYPE, id);
      if (owner && (owner.deploymentId !== context.deploymentId || owner.name !== context.name)) {
        throw new ProviderError(
          "ALREADY_EXISTS",
          `${id} is already managed as ${owner.name} in deployment ${owner.deploymentId}; give this file another path or destroy that resource first`,
        );
      }
      return { id, outputs: await write(records, id, properties, context) };
    },

    async read(id) {
      const record = await records.get(FILE_TYPE, id);
      if (!record) return null;
      let content: string;
      let actualMode: number;
      try {
        content = await readFile(id, "utf8");
        actualMode = (await stat(id)).mode & 0o777;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
      const properties: PropertyMap = { ...record.properties, content };
      if (record.properties.mode !== undefined) {
        // Keep the notation the user wrote when the value is the same, so reading back is not drift.
        properties.mode =
          parseMode(record.properties.mode) === actualMode
            ? record.properties.mode
            : `0${actualMode.toString(8)}`;
      }
      return { properties, outputs: fileOutputs(id, content) };
    },

    async update(id, properties, context) {
      return write(records, id, properties, context);
    },

    async delete(id) {
      const record = await records.get(FILE_TYPE, id);
      if (!record) throw notManaged(FILE_TYPE, id);
      await rm(id, { force: true });
      await records.remove(FILE_TYPE, id);
    },
  };
}
