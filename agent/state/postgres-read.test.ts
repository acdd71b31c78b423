import { randomUUID } from "node:crypto";
import { Client } from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ensurePostgres } from "../../test/postgres/cluster.ts";
import { secretDigest } from "../../tools/protocol/index.ts";
import { sampleRecord } from "./backend-suite.ts";
import { StateError } from "./errors.ts";
import { createPostgresBackend, type PostgresStateBackend } from "./postgres-backend.ts";

const cluster = await ensurePostgres();
if ("skipped" in cluster) console.warn(`PostgreSQL read checks skipped: ${cluster.skipped}`);
const url = "url" in cluster ? cluster.url : "";
afterAll(async () => {
  if ("stop" in cluster) await cluster.stop();
});

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const RUN = { runId: "run-1", type: "mock:test:item", server: "mock" } as const;

describe.skipIf(!("url" in cluster))("postgres reads", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  /** A backend on a fresh schema holding one committed deployment "web" with one resource. */
  async function seeded(): Promise<{ schema: string; backend: PostgresStateBackend }> {
    const schema = `t_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
    cleanups.push(() => admin((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)));
    const backend = createPostgresBackend(url, { schema });
    cleanups.push(() => backend.close());
    const writer = await backend.open("web", { command: "test" });
    await writer.putResource(sampleRecord("db"));
    await writer.close();
    return { schema, backend };
  }

  const corruptions: [string, string][] = [
    ["resources as a list", `jsonb_set(document, '{resources}', '[]'::jsonb)`],
    ["a missing key", `document - 'pending'`],
    ["null", `'null'::jsonb`],
    ["a record without its type", `document #- '{resources,db,type}'`],
  ];

  for (const [what, expression] of corruptions) {
    it(`refuses a document with ${what}, as the file backend does, and opens nothing on it`, async () => {
      const { schema, backend } = await seeded();
      await admin((client) => client.query(`UPDATE "${schema}".deployments SET document = ${expression}`));
      const read = await backend.read("web").catch((error: unknown) => error);
      expect(read).toBeInstanceOf(StateError);
      expect((read as StateError).code).toBe("STATE_CORRUPT");
      expect((read as StateError).message).toMatch(
        /the state of deployment "web" in .* (is not a valid state document|holds null)/,
      );
      expect((read as StateError).hint).toMatch(/restore the newest kept version/);
      await expect(backend.open("web", { command: "apply" })).rejects.toMatchObject({
        code: "STATE_CORRUPT",
      });
    });
  }

  it("refuses a journal row of the wrong shape and a gap in the journal", async () => {
    const { schema, backend } = await seeded();
    const writer = await backend.open("web", { command: "test" });
    await writer.beginOperation({ ...RUN, name: "app", action: "create" });
    await writer.putResource(sampleRecord("app"));
    await writer.putResource(sampleRecord("cache"));
    await writer.abandon(); // as after kill -9: the rows stay, nothing is folded
    expect(Object.keys((await backend.read("web"))?.resources ?? {}).sort()).toEqual(["app", "cache", "db"]);
    const seqs = await admin(async (client) =>
      (await client.query<{ seq: string }>(`SELECT seq FROM "${schema}".journal ORDER BY seq`)).rows.map(
        (row) => Number(row.seq),
      ),
    );
    await admin((client) =>
      client.query(`UPDATE "${schema}".journal SET entry = '{"op":"put","record":[]}'::json WHERE seq = $1`, [
        seqs[1],
      ]),
    );
    await expect(backend.read("web")).rejects.toThrow(
      /journal row of deployment "web" .* is not a valid journal entry/,
    );
    await admin((client) => client.query(`DELETE FROM "${schema}".journal WHERE seq = $1`, [seqs[1]]));
    await expect(backend.read("web")).rejects.toThrow(/skips from seq \d+ to \d+/);
  });

  it("refuses a history version of the wrong shape", async () => {
    const { schema, backend } = await seeded();
    await admin((client) =>
      client.query(`UPDATE "${schema}".history SET document = '{"name":"web"}'::jsonb`),
    );
    await expect(backend.readVersion("web", 1)).rejects.toMatchObject({ code: "STATE_CORRUPT" });
  });

  it("keeps one secret key per schema and reads old bare digests keyed", async () => {
    const { schema, backend } = await seeded();
    const other = createPostgresBackend(url, { schema });
    cleanups.push(() => other.close());
    const [a, b] = await Promise.all([backend.secretKeyring(), other.secretKeyring()]);
    expect(a.id).toBe(b.id);
    await admin((client) =>
      client.query(
        `UPDATE "${schema}".deployments SET document = jsonb_set(document, '{resources,db,properties,password}', $1::jsonb)`,
        [JSON.stringify(secretDigest("pw-123456"))],
      ),
    );
    const read = await other.read("web");
    expect(read?.resources["db"]?.properties["password"]).toEqual(a.key("pw-123456"));
  });
});
