import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { WorldResource } from "./catalog-entry.ts";
import { tempWorldFile } from "./test-support.ts";
import { World } from "./world.ts";

function resource(id: string, extra: Partial<WorldResource> = {}): WorldResource {
  return {
    id,
    type: "opnsense:firewall:rule",
    name: id,
    deploymentId: "d1",
    properties: { action: "pass" },
    outputs: { id },
    labels: { "managed-by": "mcp-iac" },
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("World", () => {
  it("replays the journal of a process that never closed it (kill -9)", () => {
    const file = tempWorldFile();
    const crashed = new World({ file });
    crashed.put(resource("a"));
    crashed.put(resource("b"));
    crashed.remove("a");
    crashed.bumpAttempt("fault:x:b");
    crashed.saveSnapshot({ snapshotId: "s1", deploymentId: "d1", createdAt: "now", resources: [] });
    // No close: the world file was never written, only the journal.
    expect(existsSync(file)).toBe(false);

    const reopened = new World({ file });
    expect(reopened.list().map((entry) => entry.id)).toEqual(["b"]);
    expect(reopened.attempts("fault:x:b")).toBe(1);
    expect(reopened.snapshot("s1")?.deploymentId).toBe("d1");
    // Loading folds the journal into the world file.
    expect(JSON.parse(readFileSync(file, "utf8")).resources).toHaveLength(1);
    expect(readFileSync(reopened.journalFile, "utf8")).toBe("");
    reopened.close();
  });

  it("ignores a torn last journal line but refuses a corrupt one in the middle", () => {
    const file = tempWorldFile();
    const world = new World({ file });
    world.put(resource("a"));
    appendFileSync(world.journalFile, '{"op":"put","resource":{"id":"b","ty');
    expect(new World({ file }).list().map((entry) => entry.id)).toEqual(["a"]);

    writeFileSync(`${file}.journal`, '{"op":"del"\n{"op":"del","id":"a"}\n');
    expect(() => new World({ file })).toThrow(/corrupt line 1/);
    writeFileSync(file, "{ not json");
    expect(() => new World({ file })).toThrow(/is not valid JSON.*move it aside/);
  });

  it("compacts once the journal is as long as the world is big, atomically", () => {
    const file = tempWorldFile();
    const world = new World({ file, compactEvery: 10 });
    for (let index = 0; index < 25; index++) world.put(resource(`r${index}`));
    const onDisk = JSON.parse(readFileSync(file, "utf8")) as { resources: WorldResource[] };
    expect(onDisk.resources.length).toBeGreaterThanOrEqual(20);
    expect(readFileSync(world.journalFile, "utf8").trim().split("\n").length).toBeLessThan(25);
    world.close();
    expect(new World({ file }).size).toBe(25);
  });

  it("indexes by deployment, type and name, and tracks claims", () => {
    const world = new World({ file: tempWorldFile(), claimsOf: (entry) => [`unique:rule ${entry.name}`] });
    world.put(resource("a"));
    world.put(resource("b", { type: "aws:vpc:vpc" }));
    world.put(resource("c", { deploymentId: "d2" }));
    world.put(resource("u", { deploymentId: undefined }));
    expect(
      world
        .list({ deploymentId: "d1" })
        .map((entry) => entry.id)
        .sort(),
    ).toEqual(["a", "b"]);
    expect(world.list({ deploymentId: "d1", type: "aws:vpc:vpc" }).map((entry) => entry.id)).toEqual(["b"]);
    expect(
      world
        .list({ type: "opnsense:firewall:rule" })
        .map((entry) => entry.id)
        .sort(),
    ).toEqual(["a", "c", "u"]);
    expect(world.findManaged("d2", "opnsense:firewall:rule", "c")?.id).toBe("c");
    expect(world.findManaged("d1", "opnsense:firewall:rule", "u")).toBeUndefined();
    expect(world.isClaimed("unique:rule a")).toBe(true);
    expect(world.isClaimed("unique:rule a", "a")).toBe(false);
    world.remove("a");
    expect(world.isClaimed("unique:rule a")).toBe(false);
    expect(world.findManaged("d1", "opnsense:firewall:rule", "a")).toBeUndefined();
    expect(world.list({ deploymentId: "d1" }).map((entry) => entry.id)).toEqual(["b"]);
  });
});

describe("a world shared by two processes stays true", () => {
  it("each sees the other's writes, and neither's close overwrites them", () => {
    const file = tempWorldFile();
    const chat = new World({ file });
    const shell = new World({ file });
    chat.put(resource("a"));
    expect(shell.get("a")?.id).toBe("a");
    shell.remove("a");
    shell.put(resource("b"));
    expect(chat.list().map((entry) => entry.id)).toEqual(["b"]);
    shell.close();
    chat.put(resource("c"));
    chat.close();
    const reopened = new World({ file });
    expect(
      reopened
        .list()
        .map((entry) => entry.id)
        .sort(),
    ).toEqual(["b", "c"]);
  });

  it("breaks a lock left by a process that died holding it", () => {
    const file = tempWorldFile();
    // A pid that cannot be alive: beyond the kernel's pid_max.
    writeFileSync(`${file}.lock`, "4194305\n");
    const world = new World({ file });
    world.put(resource("a"));
    // Broken and taken: this process holds it now, until it is idle or closes.
    expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${process.pid}\n`);
    world.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
