import { existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { worldOf } from "../../agent/engine/test-gateway.ts";
import { StateError } from "../../agent/state/index.ts";
import { applyHosts, trialRig } from "./engine-trials.ts";
import { random, SEED, summary } from "./support.ts";

type Files = { document: string; journal: string; history: string };
type Doc = { state: Record<string, unknown> & { resources: Record<string, Record<string, unknown>> } };

const edit = (path: string, change: (doc: Doc) => unknown) =>
  writeFileSync(path, JSON.stringify(change(JSON.parse(readFileSync(path, "utf8")) as Doc)));

/** Each damage, given a random resource name to aim at; all must be refused with a message. */
const DAMAGE: Record<string, (files: Files, target: string) => void> = {
  "document holds null": ({ document }) => writeFileSync(document, "null"),
  "document is not JSON": ({ document }) => writeFileSync(document, '{"format": "mcp-iac.state/v1", "seq": '),
  "resources as a list": ({ document }) =>
    edit(document, (doc) => ({
      ...doc,
      state: { ...doc.state, resources: Object.values(doc.state.resources) },
    })),
  "a missing key": ({ document }) =>
    edit(document, (doc) => {
      delete doc.state["pending"];
      return doc;
    }),
  "a record of the wrong shape": ({ document }, target) =>
    edit(document, (doc) => {
      doc.state.resources[target]!["dependsOn"] = "host-0";
      return doc;
    }),
  "a record under another name": ({ document }, target) =>
    edit(document, (doc) => {
      doc.state.resources[target]!["name"] = `${target}-other`;
      return doc;
    }),
  "document lost, history kept": ({ document }) => unlinkSync(document),
  "journal broken in the middle": ({ journal }) => {
    const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    lines[0] = "{broken";
    writeFileSync(journal, `${lines.join("\n")}\n`);
  },
  "journal with a sequence gap": ({ journal }) => {
    const lines = readFileSync(journal, "utf8").split("\n").filter(Boolean);
    lines.splice(1, 1);
    writeFileSync(journal, `${lines.join("\n")}\n`);
  },
};

/**
 * A deployment applied, then its state damaged in one of many ways (aimed at a random resource,
 * in random order): the next apply is refused with a message saying what is wrong and how to
 * restore; nothing is created meanwhile.
 */
describe("trial: corrupted state", () => {
  it("refuses every corruption with a message, creating nothing", async () => {
    const next = random(SEED + 3);
    const kinds = Object.keys(DAMAGE).sort(() => next() - 0.5);
    const refused: string[] = [];
    let created = 0;
    for (const kind of kinds) {
      const { rig, workspace } = await trialRig();
      try {
        await applyHosts(workspace, 6);
        // Journal entries after the last commit, as a run cut off leaves them.
        const writer = await workspace.state.open("hosts", { command: "trial" });
        for (const record of Object.values(writer.state.resources).slice(0, 3))
          await writer.putResource({ ...record, updatedAt: new Date().toISOString() });
        await workspace.state.forceUnlock("hosts");
        const stateDir = join(rig.dir, ".mcp-iac", "state");
        const files = {
          document: join(stateDir, "hosts.json"),
          journal: join(stateDir, "hosts.journal"),
          history: join(rig.dir, ".mcp-iac", "history", "hosts"),
        };
        expect(existsSync(files.journal) && readdirSync(files.history).length > 0).toBe(true);
        DAMAGE[kind]!(files, `host-${Math.floor(next() * 6)}`);
        const before = worldOf(rig, "hosts").length;
        const error = await applyHosts(workspace, 8).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, kind).toBeInstanceOf(StateError);
        expect((error as StateError).message, kind).toMatch(/hosts/);
        expect((error as StateError).hint ?? "", kind).toMatch(/restore/);
        created += worldOf(rig, "hosts").length - before;
        expect(worldOf(rig, "hosts"), kind).toHaveLength(before);
        refused.push(kind);
      } finally {
        await rig.close();
        rmSync(rig.dir, { recursive: true, force: true });
      }
    }
    summary(
      `corrupted-state trials: ${refused.length}/${kinds.length} refused with a message, ${created} created meanwhile`,
    );
    expect(refused).toHaveLength(kinds.length);
  });
});
