import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LockHeldError, StateError } from "./errors.ts";
import type { ResourceRecord, StateBackend, StateWriter } from "./types.ts";

/** What a backend supplies to run the shared suite: a fresh, empty store per test. */
export interface StateBackendHarness {
  backend: StateBackend;
  /** Another client on the same storage, as a second process would see it (default: `backend`). */
  peer?: () => StateBackend | Promise<StateBackend>;
  cleanup?: () => Promise<void>;
}

export function sampleRecord(name: string, overrides: Partial<ResourceRecord> = {}): ResourceRecord {
  return {
    name,
    type: "mock:test:item",
    server: "mock",
    id: `${name}-id`,
    properties: { size: 1, tags: { "managed-by": "mcp-iac" } },
    outputs: { address: `${name}.internal` },
    dependsOn: [],
    status: "created",
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

const RUN = { runId: "run-1", type: "mock:test:item", server: "mock" } as const;

/**
 * The behaviour every state backend must show (design §5). A backend's test file calls this with an
 * initializer; nothing here knows how the state is stored.
 */
export function describeStateBackend(name: string, makeBackend: () => Promise<StateBackendHarness>): void {
  describe(`state backend conformance: ${name}`, () => {
    let harness: StateBackendHarness;
    const writers: StateWriter[] = [];
    // Groups read backend and peer when a case runs: both are fresh for every case.
    const suite = {
      open: async (on: StateBackend, deployment: string, waitMs?: number) => {
        const writer = await on.open(
          deployment,
          waitMs === undefined ? { command: "apply" } : { command: "apply", waitMs },
        );
        writers.push(writer);
        return writer;
      },
    } as Suite;

    beforeEach(async () => {
      harness = await makeBackend();
      suite.backend = harness.backend;
      suite.peer = (await harness.peer?.()) ?? harness.backend;
    });

    afterEach(async () => {
      for (const writer of writers.splice(0)) await writer.close().catch(() => {});
      await harness.cleanup?.();
    });

    describeDocuments(suite);
    describeJournal(suite);
    describeLocks(suite);
    describeHistory(suite);
    describeGuards(suite);
  });
}

/** What each group of cases works with. */
interface Suite {
  backend: StateBackend;
  /** Another client on the same storage (or `backend` itself). */
  peer: StateBackend;
  /** Opens a writer that the suite closes after the case. */
  open(on: StateBackend, deployment: string, waitMs?: number): Promise<StateWriter>;
}

/** Committed documents: what a write leaves, what a reader and the next writer see. */
function describeDocuments(suite: Suite): void {
  it("describes itself and starts empty", async () => {
    const { backend } = suite;
    expect(backend.describe()).toMatch(/\S/);
    expect(await backend.list()).toEqual([]);
    expect(await backend.read("web")).toBeUndefined();
    expect(await backend.history("web")).toEqual([]);
    expect(await backend.lockHolder("web")).toBeUndefined();
  });

  it("round-trips resources, snapshots and the last run through commit and read", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    expect(writer.state).toMatchObject({ name: "web", resources: {}, pending: {}, snapshots: [] });
    await writer.putResource(sampleRecord("app", { dependsOn: ["db"] }));
    await writer.putResource(sampleRecord("db"));
    await writer.addSnapshot({
      server: "mock",
      snapshotId: "snap-1",
      createdAt: "2025-01-01T00:00:00.000Z",
      runId: "run-1",
    });
    await writer.setLastRun({
      runId: "run-1",
      command: "apply",
      outcome: "succeeded",
      finishedAt: "2025-01-01T00:00:01.000Z",
    });
    const version = await writer.commit();
    expect(version).toBe(writer.state.version);
    expect(version).toBeGreaterThan(0);
    const read = await peer.read("web");
    expect(read).toEqual(writer.state);
    expect(Object.keys(read?.resources ?? {}).sort()).toEqual(["app", "db"]);
    expect(read?.resources["app"]?.dependsOn).toEqual(["db"]);
    expect(read?.snapshots).toHaveLength(1);
    expect(read?.lastRun?.outcome).toBe("succeeded");
  });

  it("keeps the writer's live view in step with every call", async () => {
    const { backend, open } = suite;
    const writer = await open(backend, "web");
    await writer.putResource(sampleRecord("a"));
    expect(writer.state.resources["a"]?.id).toBe("a-id");
    await writer.putResource(sampleRecord("a", { id: "a-2" }));
    expect(writer.state.resources["a"]?.id).toBe("a-2");
    await writer.removeResource("a");
    expect(writer.state.resources["a"]).toBeUndefined();
    await writer.removeResource("never-there");
    expect(writer.state.resources).toEqual({});
  });

  it("commits on close, and reopening continues from the committed state", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    await writer.putResource(sampleRecord("a"));
    await writer.close();
    await writer.close(); // idempotent
    await expect(writer.putResource(sampleRecord("b"))).rejects.toBeInstanceOf(StateError);
    const read = await peer.read("web");
    expect(read?.version).toBe(1);
    const again = await open(peer, "web");
    expect(again.state.version).toBe(1);
    expect(Object.keys(again.state.resources)).toEqual(["a"]);
    expect(await again.commit()).toBe(1); // nothing changed: no new version
  });
}

/** Pending operations and the journal: visible before settling, kept across a lost writer, in order. */
function describeJournal(suite: Suite): void {
  it("shows a pending operation to a reader before it is settled, then moves it into resources", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    const op = await writer.beginOperation({ ...RUN, name: "app", action: "create" });
    expect(op.opId).toMatch(/\S/);
    expect(Number.isNaN(Date.parse(op.startedAt))).toBe(false);
    const during = await peer.read("web");
    expect(during?.pending[op.opId]).toEqual(op);
    expect(during?.resources).toEqual({});

    await writer.settleOperation(op.opId, { put: sampleRecord("app", { id: "i-123" }) });
    const after = await peer.read("web");
    expect(after?.pending).toEqual({});
    expect(after?.resources["app"]?.id).toBe("i-123");
    expect(writer.state.pending).toEqual({});
  });

  it("settles deletes, failed creates and rejects unknown operations", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    await writer.putResource(sampleRecord("old"));
    const del = await writer.beginOperation({ ...RUN, name: "old", action: "delete", id: "old-id" });
    expect((await peer.read("web"))?.pending[del.opId]?.id).toBe("old-id");
    await writer.settleOperation(del.opId, { remove: "old" });
    const failed = await writer.beginOperation({ ...RUN, name: "new", action: "create" });
    await writer.settleOperation(failed.opId, {});
    const read = await peer.read("web");
    expect(read?.resources).toEqual({});
    expect(read?.pending).toEqual({});
    await expect(writer.settleOperation(failed.opId, {})).rejects.toThrow(/no pending operation/);
  });

  it("keeps a pending operation across a lost writer, for the next run to reconcile", async () => {
    const { backend, peer, open } = suite;
    const first = await open(backend, "web");
    await first.putResource(sampleRecord("db"));
    const op = await first.beginOperation({
      ...RUN,
      name: "app",
      action: "create",
      operationId: "op-app-1",
    });
    // The first run never settles nor closes (as after kill -9); the user breaks its lock.
    await peer.forceUnlock("web");
    const next = await open(peer, "web");
    expect(next.state.pending[op.opId]).toEqual(op);
    // The idempotency key survives, so recovery can send the same create again safely.
    expect(next.state.pending[op.opId]?.operationId).toBe("op-app-1");
    expect(Object.keys(next.state.resources)).toEqual(["db"]);
    await next.settleOperation(op.opId, { put: sampleRecord("app") });
    await next.close();
    const read = await backend.read("web");
    expect(read?.pending).toEqual({});
    expect(Object.keys(read?.resources ?? {}).sort()).toEqual(["app", "db"]);
  });

  it("applies overlapping calls in call order, a commit among them included", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      calls.push(writer.putResource(sampleRecord(`r-${i}`)));
      if (i === 15) calls.push(writer.commit());
    }
    calls.push(writer.removeResource("r-3"));
    const ops = await Promise.all(
      ["x", "y", "z"].map((name) => writer.beginOperation({ ...RUN, name, action: "create" })),
    );
    await Promise.all(calls);
    expect(Object.keys(writer.state.resources)).toHaveLength(29);
    expect(Object.keys(writer.state.pending).sort()).toEqual(ops.map((op) => op.opId).sort());
    expect(await peer.read("web")).toEqual(writer.state);
    await writer.close();
    expect(await peer.read("web")).toEqual({ ...writer.state });
  });
}

/** One writer per deployment: who holds it, waiting for it, breaking it. */
function describeLocks(suite: Suite): void {
  it("fails a second writer at once, naming pid, host, since and command", async () => {
    const { backend, peer, open } = suite;
    await open(backend, "web");
    const holder = await peer.lockHolder("web");
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: "apply" });
    expect(Number.isNaN(Date.parse(holder?.since ?? ""))).toBe(false);
    const error = await peer.open("web", { command: "destroy" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LockHeldError);
    const locked = error as LockHeldError;
    expect(locked.deployment).toBe("web");
    expect(locked.holder).toEqual(holder);
    expect(locked.message).toContain(`pid ${process.pid}`);
    expect(locked.message).toContain(hostname());
    expect(locked.message).toContain(holder?.since ?? "?");
    expect(locked.message).toContain("--force-unlock");
    expect(LockHeldError.isInstance(locked)).toBe(true);
  });

  it("locks per deployment: another deployment opens freely", async () => {
    const { backend, peer, open } = suite;
    await open(backend, "web");
    const other = await open(peer, "db");
    await other.putResource(sampleRecord("x"));
    await other.close();
    expect((await backend.read("db"))?.resources["x"]).toBeDefined();
  });

  it("acquires with waitMs once the holder releases, and gives up after waitMs otherwise", async () => {
    const { backend, peer, open } = suite;
    const first = await open(backend, "web");
    await first.putResource(sampleRecord("a"));
    await expect(peer.open("web", { command: "apply", waitMs: 150 })).rejects.toBeInstanceOf(LockHeldError);
    const waiting = open(peer, "web", 10_000);
    await sleep(100);
    await first.close();
    const second = await waiting;
    expect(Object.keys(second.state.resources)).toEqual(["a"]);
    expect((await backend.lockHolder("web"))?.command).toBe("apply");
  });

  it("breaks a lock with forceUnlock, and the old writer can neither commit nor free the new lock", async () => {
    const { backend, peer, open } = suite;
    const first = await open(backend, "web");
    await first.putResource(sampleRecord("a"));
    const removed = await peer.forceUnlock("web");
    expect(removed?.pid).toBe(process.pid);
    expect(await peer.lockHolder("web")).toBeUndefined();
    expect(await peer.forceUnlock("web")).toBeUndefined();
    const second = await open(peer, "web");
    const holder = await backend.lockHolder("web");
    await expect(first.commit()).rejects.toThrow();
    await first.close().catch(() => {});
    expect(await backend.lockHolder("web")).toEqual(holder);
    expect(Object.keys(second.state.resources)).toEqual(["a"]);
  });
}

/** Committed versions, the list of deployments, and deleting one. */
function describeHistory(suite: Suite): void {
  it("keeps version history readable by version", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    const versions: number[] = [];
    for (const name of ["a", "b", "c"]) {
      await writer.putResource(sampleRecord(name));
      versions.push(await writer.commit());
    }
    expect(versions[1]).toBe((versions[0] ?? 0) + 1);
    expect(versions[2]).toBe((versions[0] ?? 0) + 2);
    const history = await peer.history("web");
    expect(history.map((entry) => entry.version)).toEqual(versions);
    expect(history.map((entry) => entry.resources)).toEqual([1, 2, 3]);
    const second = await peer.readVersion("web", versions[1] ?? 0);
    expect(Object.keys(second?.resources ?? {}).sort()).toEqual(["a", "b"]);
    expect(second?.version).toBe(versions[1]);
    expect(await peer.readVersion("web", 999)).toBeUndefined();
  });

  it("lists deployments with their counts", async () => {
    const { backend, peer, open } = suite;
    const web = await open(backend, "web");
    await web.putResource(sampleRecord("a"));
    await web.putResource(sampleRecord("b"));
    await web.commit();
    await web.beginOperation({ ...RUN, name: "c", action: "create" });
    const db = await open(backend, "db");
    await db.putResource(sampleRecord("pg"));
    await db.close();
    const list = await peer.list();
    expect(list.map((entry) => entry.name)).toEqual(["db", "web"]);
    expect(list[1]).toMatchObject({ name: "web", version: 1, resources: 2, pending: 1 });
    expect(list[0]).toMatchObject({ name: "db", version: 1, resources: 1, pending: 0 });
    expect(Number.isNaN(Date.parse(list[1]?.updatedAt ?? ""))).toBe(false);
  });

  it("deletes a deployment's state but keeps its history, and a new one continues the versions", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    await writer.putResource(sampleRecord("a"));
    await writer.commit();
    await writer.removeResource("a");
    await writer.delete();
    await writer.close();
    expect(await peer.read("web")).toBeUndefined();
    expect(await peer.list()).toEqual([]);
    expect(await peer.lockHolder("web")).toBeUndefined();
    const history = await peer.history("web");
    expect(history.map((entry) => entry.resources)).toEqual([1, 0]);
    const again = await open(peer, "web");
    expect(again.state.resources).toEqual({});
    await again.putResource(sampleRecord("b"));
    expect(await again.commit()).toBe((history.at(-1)?.version ?? 0) + 1);
  });
}

/** Bad names and malformed input are refused before anything is stored. */
function describeGuards(suite: Suite): void {
  it("rejects unsafe deployment names with a clear error", async () => {
    const { backend } = suite;
    for (const bad of ["../etc", "a/b", "", ".hidden", "x".repeat(200)]) {
      await expect(backend.read(bad)).rejects.toThrow(/deployment name .* is not valid/);
      await expect(backend.open(bad, { command: "apply" })).rejects.toBeInstanceOf(StateError);
    }
  });

  it("rejects malformed records and operations without persisting them", async () => {
    const { backend, peer, open } = suite;
    const writer = await open(backend, "web");
    await expect(
      writer.putResource({ ...sampleRecord("a"), status: "gone" } as unknown as ResourceRecord),
    ).rejects.toThrow(/status/);
    await expect(
      writer.beginOperation({ ...RUN, name: "a", action: "upsert" } as unknown as Parameters<
        StateWriter["beginOperation"]
      >[0]),
    ).rejects.toThrow(/action/);
    await writer.close();
    expect(await peer.read("web")).toBeUndefined();
  });
}
