import { describe, expect, it } from "vitest";
import { agent, tempProject, writeSpec } from "./harness.ts";

const TOKEN = "tok-Canary-5b1e77d0";

/** A provider that echoes the credential from its config env in its errors. */
const FAULTS = JSON.stringify([
  { match: "bad", op: "create", always: true, code: "UNAUTHORIZED", message: `login as ${TOKEN} refused` },
  { match: "good", op: "read", always: true, code: "FORBIDDEN", message: `token ${TOKEN} may not read` },
]);

const spec = (names: string[]) => ({
  name: "canary",
  resources: names.map((name, index) => ({
    type: "aws:vpc:vpc",
    name,
    properties: { cidrBlock: `10.${60 + index}.0.0/16` },
  })),
});

describe("every command scrubs credentials from the config", () => {
  it("apply -f, refresh and state: human and --json output never show a server's env value", async () => {
    const dir = tempProject({ env: { aws: { API_TOKEN: TOKEN, MOCK_FAULTS: FAULTS } } });
    writeSpec(dir, "good.yaml", spec(["good"]));
    writeSpec(dir, "both.yaml", spec(["good", "bad"]));
    const runs = [
      await agent(["apply", "-f", "good.yaml", "--yes"], dir),
      // Plans read what exists by default, and reading "good" fails (FORBIDDEN): skip that here so the
      // create of "bad" runs and its UNAUTHORIZED error shows; refresh below meets the FORBIDDEN one.
      await agent(["apply", "-f", "both.yaml", "--yes", "--refresh=false"], dir),
      await agent(["apply", "-f", "both.yaml", "--yes", "--json", "--refresh=false"], dir),
      await agent(["refresh", "canary"], dir),
      await agent(["refresh", "canary", "--json"], dir),
      await agent(["state", "show", "canary", "--json"], dir),
    ];
    expect(runs.map((run) => run.exitCode)).toEqual([0, 1, 1, 1, 1, 0]);
    for (const run of runs) {
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
    }
    // The errors themselves still reach the user, minus the credential.
    expect(runs[1]!.stdout + runs[1]!.stderr).toMatch(/UNAUTHORIZED.*\[redacted\]/);
    expect(runs[3]!.stdout + runs[3]!.stderr).toMatch(/FORBIDDEN.*\[redacted\]/);
  }, 400_000);
});
