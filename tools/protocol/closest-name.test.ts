import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createMockProvider } from "../providers/mock/provider.ts";
import { closestName } from "./closest-name.ts";

describe("closestName", () => {
  it("finds a contained name, a typo, or nothing", () => {
    expect(closestName("restartPolicy", ["image", "restart", "ports"])).toBe("restart");
    expect(closestName("imgae", ["image", "restart"])).toBe("image");
    expect(closestName("Ports", ["image", "ports"])).toBe("ports");
    expect(closestName("zzzzzz", ["image", "restart"])).toBeUndefined();
  });
});

describe("validateConfig names the closest property for an unknown one", () => {
  it("says restart for restartPolicy, and lists the known names", async () => {
    const folder = mkdtempSync(join(tmpdir(), "mcp-iac-hint-"));
    const provider = createMockProvider({ env: {}, mountName: "docker", worldFile: join(folder, "w.json") });
    try {
      const result = (await provider.tools.validateConfig({
        resources: [
          { type: "docker:container:run", name: "web", properties: { image: "nginx", restartPolicy: "no" } },
        ],
      })) as { valid: boolean; issues: { path: string; message: string }[] };
      expect(result.valid).toBe(false);
      expect(result.issues).toHaveLength(1);
      expect(result.issues[0]!.path).toBe("properties.restartPolicy");
      expect(result.issues[0]!.message).toMatch(/unknown property "restartPolicy"; did you mean "restart"\?/);
      expect(result.issues[0]!.message).toContain("known: image");
    } finally {
      provider.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
