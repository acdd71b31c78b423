import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { secretDigest } from "../../tools/protocol/index.ts";
import { deploymentFromObject } from "../engine/spec.ts";
import { engineRig } from "../engine/test-gateway.ts";
import { applyDeployment, planOnly, refreshDeployment, type Workspace } from "../operations.ts";
import { StateError } from "./errors.ts";
import { createFileBackend } from "./file-backend.ts";
import { fileSecretKey, SecretKeyring } from "./secret-key.ts";

const PASSWORD = "canary-hmac-Pw-51c2";

function users(password: string) {
  return deploymentFromObject(
    {
      name: "users",
      resources: [
        {
          type: "opnsense:security:user",
          name: "u1",
          properties: { username: "alice", groups: ["admins"], password },
        },
      ],
    },
    "test",
  );
}

async function applied(dir?: string) {
  const rig = await engineRig(dir ? { dir } : {});
  const workspace: Workspace = { gateway: rig.gateway, state: rig.state, emit: rig.emit };
  await applyDeployment(workspace, users(PASSWORD), { approve: async () => true });
  return { rig, workspace };
}

const storedPassword = async (workspace: Workspace) =>
  (await workspace.state.read("users"))?.resources["u1"]?.properties["password"] as { $secret: string };

describe("the workspace secret key", () => {
  it("is made once, 0600, and every later use reads the same key", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-key-"));
    const first = fileSecretKey(join(dir, "state"));
    const path = join(dir, "state", ".secret-key");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(fileSecretKey(join(dir, "state")).id).toBe(first.id);
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("refuses a damaged key file with what to do", () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-key-"));
    fileSecretKey(dir);
    writeFileSync(join(dir, ".secret-key"), "not a key\n");
    expect(() => fileSecretKey(dir)).toThrow(StateError);
    expect(() => fileSecretKey(dir)).toThrow(/damaged/);
  });

  it("keys a clear value and its provider-made bare digest alike", () => {
    const keyring = SecretKeyring.of(Buffer.alloc(32, 7));
    const keyed = keyring.key("hunter22");
    expect(keyed.$secret).toMatch(/^hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/);
    expect(keyring.key(secretDigest("hunter22"))).toEqual(keyed);
    expect(keyring.key(keyed)).toEqual(keyed);
    expect(keyring.matches(keyed, "hunter22")).toBe(true);
    expect(keyring.matches(keyed, "hunter23")).toBe(false);
  });
});

describe("secret digests in state", () => {
  it("are keyed per workspace: the same secret in two workspaces gives different digests", async () => {
    const one = await applied();
    const two = await applied();
    try {
      const a = await storedPassword(one.workspace);
      const b = await storedPassword(two.workspace);
      expect(a.$secret).toMatch(/^hmac-sha256:/);
      expect(b.$secret).toMatch(/^hmac-sha256:/);
      expect(a.$secret).not.toBe(b.$secret);
      // Nobody holding only the state can test a guess against it.
      expect(a.$secret).not.toContain(secretDigest(PASSWORD).$secret.slice("sha256:".length));
      const files = [join(one.rig.dir, ".mcp-iac", "state", "users.json")];
      for (const file of files)
        expect(readFileSync(file, "utf8")).not.toContain(secretDigest(PASSWORD).$secret);
    } finally {
      await one.rig.close();
      await two.rig.close();
    }
  });

  it("still plan as unchanged for the same secret, and as an update for a new one", async () => {
    const { rig, workspace } = await applied();
    try {
      const same = await planOnly(workspace, users(PASSWORD), { refresh: false });
      expect(same.plan.changes.map((change) => change.action)).toEqual(["noop"]);
      const changed = await planOnly(workspace, users(`${PASSWORD}-rotated`), { refresh: false });
      expect(changed.plan.changes[0]?.action).toBe("update");
      expect(changed.plan.changes[0]?.diff.map((entry) => entry.path)).toEqual(["password"]);
      const output = await applyDeployment(workspace, users(`${PASSWORD}-rotated`), {
        approve: async () => true,
      });
      expect(output.report?.outcome).toBe("succeeded");
      const after = await planOnly(workspace, users(`${PASSWORD}-rotated`), { refresh: false });
      expect(after.plan.changes.map((change) => change.action)).toEqual(["noop"]);
    } finally {
      await rig.close();
    }
  });

  it("show drift when the secret changed outside, and none when it did not", async () => {
    const { rig, workspace } = await applied();
    try {
      expect([...(await refreshDeployment(workspace, "users"))]).toEqual([]);
      const world = rig.providers.get("opnsense")!.world;
      const live = world.list({ deploymentId: "users" })[0]!;
      world.put({ ...live, properties: { ...live.properties, password: secretDigest("changed-outside") } });
      const drift = await refreshDeployment(workspace, "users");
      expect(drift.map((entry) => [entry.name, entry.kind, entry.paths])).toEqual([
        ["u1", "changed", ["password"]],
      ]);
      // Refresh took the new digest in, keyed: the next refresh finds nothing.
      expect((await storedPassword(workspace)).$secret).toMatch(/^hmac-sha256:/);
      expect([...(await refreshDeployment(workspace, "users"))]).toEqual([]);
    } finally {
      await rig.close();
    }
  });

  it("an older document's bare digests read keyed, plan unchanged, and are rewritten keyed", async () => {
    const { rig, workspace } = await applied();
    try {
      const file = join(rig.dir, ".mcp-iac", "state", "users.json");
      const document = JSON.parse(readFileSync(file, "utf8"));
      // As an older version wrote it: a bare SHA-256 digest.
      document.state.resources.u1.properties.password = secretDigest(PASSWORD);
      writeFileSync(file, JSON.stringify(document));
      const fresh = createFileBackend(join(rig.dir, ".mcp-iac"));
      const read = await fresh.read("users");
      const keyring = await fresh.secretKeyring();
      expect(read?.resources["u1"]?.properties["password"]).toEqual(keyring.key(PASSWORD));
      const plan = await planOnly(workspace, users(PASSWORD), { refresh: false });
      expect(plan.plan.changes.map((change) => change.action)).toEqual(["noop"]);
      expect([...(await refreshDeployment(workspace, "users"))]).toEqual([]);
      expect(readFileSync(file, "utf8")).not.toContain(secretDigest(PASSWORD).$secret);
      expect(JSON.parse(readFileSync(file, "utf8")).state.resources.u1.properties.password).toEqual(
        keyring.key(PASSWORD),
      );
    } finally {
      await rig.close();
    }
  });
});
