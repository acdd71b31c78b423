import { describe, expect, it } from "vitest";
import type { ProviderGateway } from "../engine/gateway.ts";
import { extractGoalSecrets, revealingGateway } from "./goal-secrets.ts";

describe("extractGoalSecrets", () => {
  it.each([
    [
      "a postgres database with admin password hunter2-xyz",
      "a postgres database with admin password {{secret_admin_password}}",
      ["hunter2-xyz"],
    ],
    [
      "run postgres:16 in docker on port 5433 with POSTGRES_PASSWORD=hunter2-correct-horse",
      "run postgres:16 in docker on port 5433 with POSTGRES_PASSWORD={{secret_postgres_password}}",
      ["hunter2-correct-horse"],
    ],
    [
      'an app with API_TOKEN="tok en-123456" and api key: AKIA1234567',
      "an app with API_TOKEN={{secret_api_token}} and api key: {{secret_api_key}}",
      ["tok en-123456", "AKIA1234567"],
    ],
    ["the db password is 'c0rrect horse'", "the db password is {{secret_db_password}}", ["c0rrect horse"]],
  ])("takes the secret out of %j", (goal, redacted, values) => {
    const result = extractGoalSecrets(goal);
    expect(result.goal).toBe(redacted);
    expect(result.secrets.map((secret) => secret.value)).toEqual(values);
  });

  it.each([
    "a postgres database for the ledger, private, with a strong password",
    "a kubernetes secret named db-creds",
    "run nginx with LOG_LEVEL=debug on port 8080",
    "a web app with password authentication",
    "store the token in vault",
  ])("leaves %j alone", (goal) => {
    expect(extractGoalSecrets(goal)).toEqual({ goal, secrets: [] });
  });

  it("gives two values two placeholders and one value one", () => {
    const result = extractGoalSecrets("DB_PASSWORD=abcdef123 ADMIN_PASSWORD=abcdef123 password zz-999999");
    expect(result.goal).toBe(
      "DB_PASSWORD={{secret_db_password}} ADMIN_PASSWORD={{secret_db_password}} password {{secret_password}}",
    );
    expect(result.secrets).toHaveLength(2);
  });
});

describe("revealingGateway", () => {
  it("sends the value to the provider and hands the placeholder back", async () => {
    const sent: unknown[] = [];
    const inner: ProviderGateway = {
      serverFor: () => "docker",
      describe: async () => ({ protocol: "iac.mcp/v1", types: [] }),
      call: (async (_server: string, _tool: string, input: unknown) => {
        sent.push(input);
        return { success: true, data: { echoed: input }, metadata: {} };
      }) as unknown as ProviderGateway["call"],
    };
    const gateway = revealingGateway(inner, [{ placeholder: "{{secret_pw}}", value: "s3cret-value" }]);
    const answer = await gateway.call("docker", "validateConfig", {
      resources: [
        {
          type: "docker:container:run",
          name: "db",
          properties: { env: { PW: "{{secret_pw}}", OTHER: "{{secret_unknown}}" } },
        },
      ],
    });
    expect(JSON.stringify(sent)).toContain("s3cret-value");
    expect(JSON.stringify(sent)).toContain("{{secret_unknown}}");
    expect(JSON.stringify(answer)).not.toContain("s3cret-value");
    expect(JSON.stringify(answer)).toContain("{{secret_pw}}");
  });
});
