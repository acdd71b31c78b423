import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { secretDigest } from "../../tools/protocol/index.ts";
import { agent, writeSpec } from "../e2e/harness.ts";
import { filesHolding, pick, random, SEED, summary, trialProject } from "./support.ts";

/**
 * Secret canaries (fresh each run) through a secret property, references that copy it whole, inside
 * other text and second-hand, and a server's config env that the provider echoes in an error: none
 * may show in state, history, journal, the mock's world, stdout or stderr, human or --json.
 */
describe("trial: secret canaries", () => {
  it("never show anywhere", async () => {
    const next = random(SEED + 4);
    const password = `pw-canary-${randomBytes(6).toString("hex")}`;
    const token = `tok-canary-${randomBytes(6).toString("hex")}`;
    const copies = [
      "${u1.password}",
      "pw is ${u1.password}!",
      "${u1.password}${u1.password}",
      "x-${u1.password}-y",
    ];
    const chosen = [pick(next, copies), pick(next, copies)];
    const dir = trialProject({ API_TOKEN: token, MOCK_FAULTS: JSON.stringify(echoing(token)) });
    writeSpecs(dir, password, chosen);
    const runs = {
      apply: await agent(["apply", "-f", "users.yaml", "--yes"], dir),
      planJson: await agent(["plan", "-f", "users.yaml", "--json", "--refresh=false"], dir),
      stateJson: await agent(["state", "show", "users", "--json"], dir),
      echoJson: await agent(["apply", "-f", "echo.yaml", "--yes", "--json"], dir),
      refresh: await agent(["refresh", "users"], dir),
    };
    expect(runs.apply.exitCode, runs.apply.stdout + runs.apply.stderr).toBe(0);
    // A fresh process checks the desired secrets against the keyed digests: nothing to change.
    const planned = JSON.parse(runs.planJson.stdout) as { plan?: { changes: { action: string }[] } };
    expect(planned.plan?.changes.map((change) => change.action)).toEqual(["noop", "noop", "noop", "noop"]);
    expect(runs.echoJson.exitCode).toBe(1);
    expect(runs.echoJson.stdout).toMatch(/UNAUTHORIZED/);
    let leaks = 0;
    const places: string[] = [];
    for (const [name, run] of Object.entries(runs)) {
      for (const canary of [password, token]) {
        for (const [stream, text] of [
          ["stdout", run.stdout],
          ["stderr", run.stderr],
        ] as const) {
          if (text.includes(canary)) {
            leaks++;
            places.push(`${name} ${stream}`);
          }
        }
      }
    }
    // Everything the agent keeps (state, history, journals, locks); the mock's world stands for the
    // platform, which holds a copied value in clear as the user asked it to (a description).
    const stored = join(dir, ".mcp-iac");
    for (const canary of [password, token]) {
      const found = filesHolding(stored, canary).filter((file) => !file.startsWith(join(stored, "sandbox")));
      leaks += found.length;
      places.push(...found);
    }
    // State keeps only keyed digests: the bare SHA-256 of the password is nowhere in it either.
    const bare = filesHolding(join(stored, "state"), secretDigest(password).$secret).concat(
      filesHolding(join(stored, "history"), secretDigest(password).$secret),
    );
    summary(
      `canary trials: ${leaks} leaks of 2 canaries through ${Object.keys(runs).length} commands ` +
        `(copies ${chosen.map((text) => JSON.stringify(text)).join(", ")}), ${bare.length} bare digests in state`,
    );
    expect(places).toEqual([]);
    expect(bare).toEqual([]);
  });
});

/** A provider that echoes the credential from its config env when it fails to create "echo". */
function echoing(token: string) {
  return [
    { match: "echo", op: "create", always: true, code: "UNAUTHORIZED", message: `login as ${token} refused` },
  ];
}

const dns = (name: string, index: number, description: string) => ({
  type: "opnsense:service:dns:override",
  name,
  properties: { host: name, domain: "lab.lan", ip: `10.0.9.${index + 1}`, description },
});

/** users.yaml: the password and its copies (first-hand twice, then second-hand); echo.yaml: the failing one. */
function writeSpecs(dir: string, password: string, copies: string[]): void {
  const user = {
    type: "opnsense:security:user",
    name: "u1",
    properties: { username: "alice", groups: ["admins"], password },
  };
  const resources = [
    user,
    dns("first", 0, copies[0]!),
    dns("second", 1, copies[1]!),
    dns("second-hand", 2, "${first.description}"),
  ];
  writeSpec(dir, "users.yaml", stringify({ name: "users", resources }));
  writeSpec(dir, "echo.yaml", stringify({ name: "echoes", resources: [dns("echo", 3, "plain")] }));
}
