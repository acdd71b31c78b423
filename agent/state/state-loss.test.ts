import { appendFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { sampleRecord } from "./backend-suite.ts";
import { StateError } from "./errors.ts";
import { createFileBackend } from "./file-backend.ts";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A deployment "web" with two committed resources and one journalled after the commit. */
async function seeded() {
  const dir = mkdtempSync(join(tmpdir(), "mcp-iac-loss-"));
  temps.push(dir);
  const backend = createFileBackend(dir);
  const writer = await backend.open("web", { command: "apply" });
  await writer.putResource(sampleRecord("a"));
  await writer.putResource(sampleRecord("b"));
  await writer.commit();
  await writer.putResource(sampleRecord("c"));
  await writer.putResource(sampleRecord("d"));
  await writer.putResource(sampleRecord("e"));
  await backend.forceUnlock("web"); // as after kill -9: the journal is left as it is
  const document = join(dir, "state", "web.json");
  const journal = join(dir, "state", "web.journal");
  return { dir, backend, document, journal };
}

type Doc = { state: { resources: Record<string, unknown> } & Record<string, unknown> } & Record<
  string,
  unknown
>;

async function refusal(work: () => Promise<unknown>): Promise<StateError> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateError);
  return error as StateError;
}

describe("state loss is never silent", () => {
  it("refuses a missing document whose history held resources, saying how to restore it", async () => {
    const { backend, document, dir } = await seeded();
    unlinkSync(document);
    for (const error of [
      await refusal(() => backend.read("web")),
      await refusal(() => backend.open("web", { command: "apply" })),
    ]) {
      expect(error.code).toBe("STATE_MISSING");
      expect(error.message).toMatch(/"web".*missing/);
      expect(error.hint).toContain(`cp ${join(dir, "history", "web", "1.json")} ${document}`);
      expect(error.hint).toContain("agent refresh web");
    }
  });

  it("starts afresh where a deployment was destroyed (its last version is empty)", async () => {
    const { backend } = await seeded();
    const writer = await backend.open("web", { command: "destroy" });
    for (const name of ["a", "b", "c", "d", "e"]) await writer.removeResource(name);
    await writer.delete();
    expect(await backend.read("web")).toBeUndefined();
    await (await backend.open("web", { command: "apply" })).close();
  });

  it.each([
    ["null", "null", /holds null/],
    ["resources as a list", (doc: Doc) => ({ ...doc, state: { ...doc.state, resources: [] } }), /resources/],
    ["a missing key", (doc: Doc) => ({ ...doc, state: { ...doc.state, pending: undefined } }), /pending/],
    [
      "a record under another name",
      (doc: Doc) => ({
        ...doc,
        state: { ...doc.state, resources: { x: doc.state.resources.a } },
      }),
      /resources\.x\.name/,
    ],
  ])("refuses a document holding %s", async (_label, change, pattern) => {
    const { backend, document } = await seeded();
    const doc = JSON.parse(readFileSync(document, "utf8"));
    writeFileSync(document, typeof change === "string" ? change : JSON.stringify(change(doc)));
    const error = await refusal(() => backend.read("web"));
    expect(error.code).toBe("STATE_CORRUPT");
    expect(error.message).toMatch(pattern);
    expect(error.hint).toContain("agent refresh web");
    await refusal(() => backend.open("web", { command: "apply" }));
  });

  it("refuses a journal with a damaged middle line, but drops a torn last line", async () => {
    const { backend, journal } = await seeded();
    const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    writeFileSync(journal, `${lines[0]}\n{"seq": 2, "op": "pu\n${lines[2]}\n`);
    const error = await refusal(() => backend.read("web"));
    expect(error.message).toMatch(/damaged at line 2/);
    writeFileSync(journal, `${lines[0]}\n${lines[1]}\n{"seq": 3, "op": "pu`);
    expect(Object.keys((await backend.read("web"))?.resources ?? {}).sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("refuses a journal with a sequence gap", async () => {
    const { backend, journal } = await seeded();
    const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    writeFileSync(journal, `${lines[0]}\n${lines[2]}\n`);
    const error = await refusal(() => backend.read("web"));
    expect(error.message).toMatch(/skips from seq \d+/);
    await refusal(() => backend.open("web", { command: "apply" }));
  });

  it("reads any damaged document or journal as a state or a StateError, never anything else", async () => {
    const { backend, document, journal } = await seeded();
    const good = readFileSync(document, "utf8");
    const goodJournal = readFileSync(journal);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.string()),
        fc.nat(good.length),
        fc.uint8Array({ maxLength: 64 }),
        async (value, cutAt, noise) => {
          const choice = cutAt % 3;
          writeFileSync(
            document,
            choice === 0 ? JSON.stringify(value) : choice === 1 ? good.slice(0, cutAt) : good,
          );
          writeFileSync(journal, goodJournal);
          if (choice === 2)
            appendFileSync(
              journal,
              Buffer.concat([
                Buffer.from("\n"),
                Buffer.from(noise),
                Buffer.from(`\n${goodJournal.toString().split("\n")[0]}\n`),
              ]),
            );
          try {
            const state = await backend.read("web");
            expect(state === undefined || typeof state.resources === "object").toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(StateError);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
