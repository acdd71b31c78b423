import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createMockProvider } from "../../tools/providers/mock/provider.ts";
import type { RunEvent } from "../events.ts";
import { createFileBackend } from "../state/index.ts";
import { applyPlan } from "./apply.ts";
import { inProcessGateway } from "./in-process-gateway.ts";
import { planDeployment } from "./plan.ts";
import type { Deployment } from "./spec.ts";

const spec = (dockerfile: string): Deployment => ({
  name: "shop",
  resources: [
    { type: "docker:image:build", name: "app-image", properties: { context: "./app", dockerfile } },
    ...["web-1", "web-2"].map((name) => ({
      type: "docker:container:run",
      name,
      properties: { image: "${app-image.id}" },
      dependsOn: ["app-image"],
    })),
  ],
});

describe("replacing what others use: create before destroy", () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it("builds the new image first, moves the containers to it, then deletes the old one; the plan says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-iac-cbd-"));
    folders.push(dir);
    const docker = createMockProvider({ env: {}, mountName: "docker", worldFile: join(dir, "docker.json") });
    const gateway = inProcessGateway(new Map([["docker", docker]]));
    const state = createFileBackend(join(dir, ".mcp-iac"));
    const events: RunEvent[] = [];
    const apply = async (deployment: Deployment) => {
      const writer = await state.open("shop", { command: "test" });
      try {
        const planned = await planDeployment(deployment, writer.state, gateway, { refresh: true });
        const report = await applyPlan(planned, writer, gateway, { runId: "r", emit: (e) => events.push(e) });
        return { plan: planned.plan, report };
      } finally {
        await writer.close();
      }
    };
    try {
      await apply(spec("Dockerfile"));
      const oldImage = docker.world.list({ type: "docker:image:build" })[0]!.id;
      events.length = 0;

      const { plan, report } = await apply(spec("Dockerfile.v2"));
      const image = plan.changes.find((change) => change.name === "app-image")!;
      expect(image.action).toBe("replace");
      expect(image.createBeforeDestroy).toBe(true);
      expect(plan.changes.find((change) => change.name === "web-1")?.createBeforeDestroy).toBeUndefined();
      expect(report.outcome).toBe("succeeded");

      // The order the platform needs: new image, then containers, then the old image deleted.
      const order = events.flatMap((event) =>
        event.type === "change.succeeded" ? [event.name] : event.type === "notice" ? [event.message] : [],
      );
      expect(order[0]).toBe("app-image");
      expect(order.slice(1, 3).sort()).toEqual(["web-1", "web-2"]);
      expect(order[3]).toMatch(/^app-image: the old one \(sha256:\w+\) is deleted/);

      const images = docker.world.list({ type: "docker:image:build" });
      expect(images.map((entry) => entry.id)).not.toContain(oldImage);
      expect(images).toHaveLength(1);
      const containers = docker.world.list({ type: "docker:container:run" });
      expect(containers.map((entry) => entry.properties["image"])).toEqual([images[0]!.id, images[0]!.id]);
      const recorded = await state.read("shop");
      expect(recorded?.resources["app-image"]?.id).toBe(images[0]!.id);
      expect(Object.keys(recorded?.resources ?? {}).sort()).toEqual(["app-image", "web-1", "web-2"]);
    } finally {
      docker.close();
    }
  });
});
