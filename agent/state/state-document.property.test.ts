import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRecord } from "./backend-suite.ts";
import { checkDocument, DeploymentStateSchema } from "./document-schema.ts";
import { StateError } from "./errors.ts";
import { createFileBackend } from "./file-backend.ts";

/**
 * Arbitrary damage to a state document or its journal: each read (and each open for writing)
 * either gives a state of the right shape or refuses with a StateError; never a raw TypeError,
 * never a half-read deployment.
 */
const root = mkdtempSync(join(tmpdir(), "mcp-iac-state-fuzz-"));
const seed = join(root, "seed");
let documentText = "";
let journalText = "";

beforeAll(async () => {
  const backend = createFileBackend(seed);
  const writer = await backend.open("web", { command: "test" });
  for (const name of ["db", "app", "cache"])
    await writer.putResource(sampleRecord(name, { dependsOn: ["db"].filter((d) => d !== name) }));
  await writer.commit();
  // Left in the journal, not folded: a begin, a settle, a put and a remove.
  const op = await writer.beginOperation({
    runId: "r",
    name: "queue",
    type: "mock:test:item",
    server: "mock",
    action: "create",
  });
  await writer.settleOperation(op.opId, { put: sampleRecord("queue") });
  await writer.putResource(sampleRecord("app", { properties: { size: 2 } }));
  await writer.removeResource("cache");
  await writer.beginOperation({
    runId: "r",
    name: "late",
    type: "mock:test:item",
    server: "mock",
    action: "create",
  });
  // As after kill -9: the journal stays as it is (no close). Copy the files now.
  documentText = readFileSync(join(seed, "state", "web.json"), "utf8");
  journalText = readFileSync(join(seed, "state", "web.journal"), "utf8");
  expect(journalText.trim().split("\n")).toHaveLength(5);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Damage = (text: string) => string;

/** Every JSON path in a value, for picking one to change. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [at];
  const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  return [
    at,
    ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...at, key])),
  ];
}

function changeAt(value: unknown, path: (string | number)[], replacement: unknown, remove: boolean): unknown {
  if (path.length === 0) return replacement;
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], value);
  const last = path.at(-1)!;
  if (remove && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[last as string];
  else (parent as Record<string | number, unknown>)[last] = replacement;
  return value;
}

const jsonDamage: fc.Arbitrary<Damage> = fc
  .tuple(fc.nat(), fc.anything({ maxDepth: 2 }), fc.boolean())
  .map(([pick, replacement, remove]) => (text: string) => {
    const value = JSON.parse(text);
    const all = paths(value);
    return JSON.stringify(changeAt(value, all[pick % all.length]!, replacement, remove)) ?? "";
  });
const byteDamage: fc.Arbitrary<Damage> = fc.oneof(
  fc.nat().map((at) => (text: string) => text.slice(0, at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, bits]) => (text: string) => {
    const bytes = Buffer.from(text);
    const index = at % bytes.length;
    bytes[index] = bytes[index]! ^ bits;
    return bytes.toString("latin1");
  }),
);
/** Damage to one journal line, or to the order of lines. */
const journalDamage: fc.Arbitrary<Damage> = fc.oneof(
  byteDamage,
  fc.tuple(fc.nat(), jsonDamage).map(([pick, damage]) => (text: string) => {
    const lines = text.split("\n").filter(Boolean);
    const index = pick % lines.length;
    lines[index] = damage(lines[index]!);
    return `${lines.join("\n")}\n`;
  }),
  fc
    .tuple(fc.nat(), fc.constantFrom("drop", "duplicate", "swap", "garbage"))
    .map(([pick, how]) => (text: string) => {
      const lines = text.split("\n").filter(Boolean);
      const index = pick % lines.length;
      if (how === "drop") lines.splice(index, 1);
      if (how === "duplicate") lines.splice(index, 0, lines[index]!);
      if (how === "swap" && index + 1 < lines.length)
        [lines[index], lines[index + 1]] = [lines[index + 1]!, lines[index]!];
      if (how === "garbage") lines.splice(index, 0, "{not json");
      return `${lines.join("\n")}\n`;
    }),
);

let runs = 0;
/** A copy of the seeded folder with `document` and `journal` as given; read and open it. */
async function outcome(document: string, journal: string): Promise<"read" | "refused"> {
  const dir = join(root, `run-${runs++}`);
  cpSync(seed, dir, { recursive: true });
  rmSync(join(dir, "locks"), { recursive: true, force: true }); // the seeding writer's, still open
  writeFileSync(join(dir, "state", "web.json"), document);
  writeFileSync(join(dir, "state", "web.journal"), journal);
  const backend = createFileBackend(dir);
  try {
    const state = await backend.read("web");
    // Read: it has the shape of a deployment, all of it.
    expect(DeploymentStateSchema.safeParse(state).success).toBe(true);
    const writer = await backend.open("web", { command: "test" });
    expect(DeploymentStateSchema.safeParse(writer.state).success).toBe(true);
    await writer.close();
    return "read";
  } catch (error) {
    if (!(error instanceof StateError)) throw error;
    expect(error.message).toMatch(/web/);
    return "refused";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("state documents and journals, for any damage", () => {
  it("a value of any shape is a state document or a STATE_CORRUPT error", () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        try {
          checkDocument(value, "fuzz.json", "restore it");
        } catch (error) {
          if (!(error instanceof StateError)) throw error;
          expect(error.code).toBe("STATE_CORRUPT");
        }
      }),
      { numRuns: 200 },
    );
  });

  it("a damaged document reads whole or is refused", async () => {
    const seen = { read: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonDamage, byteDamage), async (damage) => {
        seen[await outcome(damage(documentText), journalText)]++;
      }),
      { numRuns: 100 },
    );
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("a damaged journal reads whole, up to a torn tail, or is refused", async () => {
    const seen = { read: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(journalDamage, async (damage) => {
        seen[await outcome(documentText, damage(journalText))]++;
      }),
      { numRuns: 100 },
    );
    expect(seen.read).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });
});
