// A complete iac.mcp/v1 provider in one file: key-value entries kept in a JSON file.
// Run it with `node kv-provider.ts` (Node 22.18+) or compile it with tsc; check it with
// `npx agent provider test -- node kv-provider.ts`.
import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";
import { createResourceProvider, type PropertyMap, ProviderError, serveStdio } from "mcp-iac/provider";

interface Entry {
  id: string;
  deploymentId: string;
  name: string;
  properties: PropertyMap;
}

// Where the entries live; a real provider gets its endpoint and credentials from its environment.
const FILE = process.env.KV_PROVIDER_FILE ?? "kv-store.json";

async function load(): Promise<Record<string, Entry>> {
  try {
    return JSON.parse(await readFile(FILE, "utf8")) as Record<string, Entry>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ProviderError("INTERNAL", `cannot read ${FILE}: ${(error as Error).message}`);
  }
}

async function save(entries: Record<string, Entry>): Promise<void> {
  // Write-then-rename, so a crash never leaves half a file.
  await writeFile(`${FILE}.tmp`, JSON.stringify(entries, null, 2));
  await rename(`${FILE}.tmp`, FILE);
}

const provider = createResourceProvider({
  name: "kv",
  version: "1.0.0",
  types: [
    {
      type: "kv:store:entry",
      description: "A key and its value in the store.",
      properties: {
        type: "object",
        required: ["key", "value"],
        properties: { key: { type: "string", minLength: 1 }, value: { type: "string" } },
        additionalProperties: false,
        examples: [{ key: "greeting", value: "hello" }],
      },
      outputs: { type: "object", properties: { key: { type: "string" } } },
      // A new key is a new entry: changing it replaces the resource, changing the value updates it.
      replaceOnChange: ["key"],
      async create(properties, context) {
        const entries = await load();
        const id = `kv-${randomUUID()}`;
        entries[id] = { id, deploymentId: context.deploymentId, name: context.name, properties };
        await save(entries);
        return { id, outputs: { key: properties.key } };
      },
      async read(id) {
        const entry = (await load())[id];
        return entry ? { properties: entry.properties, outputs: { key: entry.properties.key } } : null;
      },
      async update(id, properties) {
        const entries = await load();
        const entry = entries[id];
        if (!entry) throw new ProviderError("NOT_FOUND", `no kv entry ${id}`);
        entry.properties = properties;
        await save(entries);
        return { key: properties.key };
      },
      async delete(id) {
        const entries = await load();
        delete entries[id];
        await save(entries);
      },
    },
  ],
  // Everything the store holds, with the deployment and name each entry was created for.
  async list(filter) {
    return Object.values(await load())
      .filter((entry) => !filter.deploymentId || entry.deploymentId === filter.deploymentId)
      .filter(() => !filter.type || filter.type === "kv:store:entry")
      .map((entry) => ({
        id: entry.id,
        type: "kv:store:entry",
        name: entry.name,
        deploymentId: entry.deploymentId,
        properties: entry.properties,
        outputs: { key: entry.properties.key },
        managed: true,
      }));
  },
});

await serveStdio(provider.server());
