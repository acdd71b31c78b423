import { describe, expect, it } from "vitest";
import { decideByRules } from "./rules.ts";

const failed = (code: string) => [
  { name: "db", type: "aws:rds:instance", action: "create", error: { code, message: "x" } },
];

describe("offline recovery rules", () => {
  it("retries once when every failure is transient", () => {
    expect(decideByRules(failed("THROTTLED"), []).action).toBe("retry");
    expect(decideByRules(failed("THROTTLED"), [{ action: "retry", reason: "" }]).action).toBe("rollback");
  });

  it("rolls back a permanent error, naming it", () => {
    const decision = decideByRules(failed("QUOTA_EXCEEDED"), []);
    expect(decision.action).toBe("rollback");
    expect(decision.reason).toContain("db: QUOTA_EXCEEDED");
  });

  it("follows a remembered lesson that a retry fixed the same error on the same type", () => {
    const lessons = [
      {
        errorCode: "CONFLICT",
        type: "aws:rds:instance",
        fix: "retry after the conflicting operation finished",
      },
    ];
    expect(decideByRules(failed("CONFLICT"), [], lessons).action).toBe("retry");
    expect(decideByRules(failed("CONFLICT"), []).action).toBe("rollback");
  });
});
