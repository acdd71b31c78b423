import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyDeployment, planOnly } from "../operations.ts";
import { deploymentFromObject } from "./spec.ts";
import { type EngineRig, engineRig } from "./test-gateway.ts";

let rig: EngineRig | undefined;
let server: Server | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const CANARY = "canary-Pw-7f3a91";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function spec(checkUrl?: string) {
  return deploymentFromObject(
    {
      name: "users",
      resources: [
        {
          type: "opnsense:security:user",
          name: "u1",
          properties: { username: "alice", groups: ["admins"], password: CANARY },
        },
        {
          type: "opnsense:service:dns:override",
          name: "whole",
          properties: { host: "a", domain: "lab.lan", ip: "10.0.0.1", description: "${u1.password}" },
        },
        {
          type: "opnsense:service:dns:override",
          name: "inside",
          properties: { host: "b", domain: "lab.lan", ip: "10.0.0.2", description: "pw is ${u1.password}!" },
        },
        {
          // A copy of a copy is still the secret.
          type: "opnsense:service:dns:override",
          name: "second-hand",
          properties: { host: "c", domain: "lab.lan", ip: "10.0.0.3", description: "${whole.description}" },
          ...(checkUrl
            ? { checks: [{ http: `${checkUrl}/?token=\${u1.password}`, expect: 200, retries: 0 }] }
            : {}),
        },
      ],
    },
    "test",
  );
}

describe("a secret copied by a reference", () => {
  it("is masked in the plan, whole, inside a string, and second-hand", async () => {
    rig = await engineRig();
    const workspace = { gateway: rig.gateway, state: rig.state, emit: rig.emit };
    const first = await planOnly(workspace, spec());
    expect(JSON.stringify(first)).not.toContain(CANARY);
    await applyDeployment(workspace, spec(), { approve: async () => true });
    // Now u1 exists, so its password is known at plan time: every copy must still be masked.
    const changed = spec();
    const inside = changed.resources.find((resource) => resource.name === "inside")!;
    inside.properties["description"] = "now: ${u1.password}";
    const { plan } = await planOnly(workspace, changed);
    expect(JSON.stringify(plan)).not.toContain(CANARY);
    expect(JSON.stringify(rig.events)).not.toContain(CANARY);
    const update = plan.changes.find((change) => change.name === "inside");
    expect(update?.action).toBe("update");
    expect(update?.after?.["description"]).toBe("(sensitive)");
    expect(update?.diff.find((entry) => entry.path === "description")?.after).toBe("(sensitive)");
  });

  it("is stored as a digest in state and history, and a failed check that reads it never shows it", async () => {
    server = createServer((_request, response) => {
      response.statusCode = 503;
      response.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    rig = await engineRig();
    const output = await applyDeployment(
      { gateway: rig.gateway, state: rig.state, emit: rig.emit },
      spec(`http://127.0.0.1:${port}`),
      { approve: async () => true, rollback: false },
    );
    expect(output.report?.results.find((result) => result.name === "second-hand")?.status).toBe("failed");
    expect(JSON.stringify(output)).not.toContain(CANARY);
    expect(JSON.stringify(rig.events)).not.toContain(CANARY);
    const state = await rig.state.read("users");
    for (const name of ["whole", "inside", "second-hand"]) {
      expect(state?.resources[name]?.properties["description"]).toMatchObject({
        $secret: expect.any(String),
      });
    }
    expect(state?.resources["whole"]?.properties["host"]).toBe("a");
    for (const file of filesUnder(join(rig.dir, ".mcp-iac"))) {
      expect(readFileSync(file, "utf8"), file).not.toContain(CANARY);
    }
  });
});
