import { defineConfig } from "vitest/config";
import { scaled } from "./test/timeouts.ts";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".mcp-iac/**"],
    // Scaled to the machine's load when the run starts: a loaded machine is slow, not broken.
    testTimeout: scaled(60_000),
    hookTimeout: scaled(120_000),
    pool: "forks",
  },
});
