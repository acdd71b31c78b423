import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { WorldResource } from "./catalog-entry.ts";
import { tempWorldFile } from "./test-support.ts";
import { World } from "./world.ts";
import { WorldLease } from "./world-lock.ts";

const WORLD_MODULE = fileURLToPath(new URL("./world.ts", import.meta.url));

function resource(id: string): WorldResource {
  return {
    id,
    type: "opnsense:firewall:rule",
    name: id,
    deploymentId: "d1",
    properties: {},
    outputs: {},
    labels: {},
    createdAt: "2025-01-01T00:00:00.000Z",
    updatedAt: "2025-01-01T00:00:00.000Z",
  };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits (yielding to the event loop) until `done` holds or `ms` pass; true when it held. */
async function until(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** Another process that opens the same world, writes one resource and exits. */
function otherProcessPuts(file: string, id: string) {
  const script = `
    const { World } = await import(${JSON.stringify(WORLD_MODULE)});
    const world = new World({ file: ${JSON.stringify(file)} });
    world.put(${JSON.stringify(resource(id))});
    world.close();`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "inherit" });
  return new Promise<number | null>((resolve) => child.on("exit", resolve));
}

describe("the world's lock is a lease", () => {
  it("is kept across writes and given back once the world is idle", async () => {
    const file = tempWorldFile();
    const world = new World({ file });
    world.put(resource("a"));
    world.put(resource("b"));
    expect(readFileSync(`${file}.lock`, "utf8")).toBe(`${process.pid}\n`);
    expect(await until(() => !existsSync(`${file}.lock`), 5_000)).toBe(true);
    world.close();
  });

  it("goes to another process that waits for it, even while this one stays busy", async () => {
    const file = tempWorldFile();
    const world = new World({ file });
    world.put(resource("mine-0"));
    const exited = otherProcessPuts(file, "theirs");
    let exitCode: number | null | undefined;
    void exited.then((code) => {
      exitCode = code;
    });
    // Busy: a write every turn of the event loop, so the lease is never idle.
    let writes = 0;
    const deadline = Date.now() + 20_000;
    while (exitCode === undefined && Date.now() < deadline) {
      world.put(resource(`mine-${++writes}`));
      await turn();
    }
    expect(exitCode).toBe(0);
    // The other's write and ours are all there, in either process's view.
    expect(world.get("theirs")?.id).toBe("theirs");
    world.put(resource("last"));
    world.close();
    const reopened = new World({ file });
    expect(reopened.size).toBe(writes + 3);
    reopened.close();
  });

  it("is given up at once, while busy, when another process marks that it waits", async () => {
    const file = tempWorldFile();
    let releases = 0;
    const lease = new WorldLease(`${file}.lock`, file, () => releases++);
    expect(lease.take()).toBe(true);
    writeFileSync(`${file}.lock.waiting`, `${process.ppid}\n`); // a live process
    // Busy: used every turn, never idle for long, so only the waiter's mark frees it.
    const freed = await until(() => {
      lease.take();
      return releases > 0;
    }, 10_000);
    expect(freed).toBe(true);
    lease.release();
  });

  it("clears the waiting mark of a process that died waiting, and keeps the lease", async () => {
    const file = tempWorldFile();
    const lease = new WorldLease(`${file}.lock`, file, () => {});
    lease.take();
    // A pid that cannot be alive: beyond the kernel's pid_max.
    writeFileSync(`${file}.lock.waiting`, "4194305\n");
    const cleared = await until(() => {
      lease.take();
      return !existsSync(`${file}.lock.waiting`);
    }, 10_000);
    expect(cleared).toBe(true);
    lease.release();
  });

  it("passes between two worlds of one process without waiting", () => {
    const file = tempWorldFile();
    const first = new World({ file });
    const second = new World({ file });
    first.put(resource("a"));
    second.put(resource("b"));
    first.put(resource("c"));
    expect(second.list().map((entry) => entry.id)).toEqual(["a", "b", "c"]);
    first.close();
    second.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
});
