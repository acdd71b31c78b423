import { describe, expect, it } from "vitest";
import { fires, globMatcher, latencyFor, parseBehaviour, parseLatency, pickLatency } from "./faults.ts";

describe("fault settings", () => {
  it("matches names and types by glob", () => {
    const match = globMatcher("aws:ec2:*");
    expect(match("aws:ec2:instance")).toBe(true);
    expect(match("aws:rds:instance")).toBe(false);
    expect(globMatcher("web-?")("web-1")).toBe(true);
    expect(globMatcher("a.b")("axb")).toBe(false);
  });

  it("reads fixed and ranged latency, per type first", () => {
    expect(parseLatency("50", "X")).toEqual({ min: 50, max: 50 });
    expect(parseLatency("5-200", "X")).toEqual({ min: 5, max: 200 });
    expect(() => parseLatency("200-5", "X")).toThrow(/ends before it starts/);
    expect(pickLatency({ min: 5, max: 200 }, () => 0)).toBe(5);
    expect(pickLatency({ min: 5, max: 200 }, () => 0.999999)).toBe(200);
    const behaviour = parseBehaviour({ MOCK_LATENCY_MS: "10", MOCK_LATENCY_BY_TYPE: '{"aws:*": "1-2"}' });
    expect(latencyFor(behaviour, "aws:vpc:vpc")).toEqual({ min: 1, max: 2 });
    expect(latencyFor(behaviour, "docker:volume:create")).toEqual({ min: 10, max: 10 });
  });

  it("defaults faults to every mutating attempt and crashes to the first create", () => {
    const behaviour = parseBehaviour({
      MOCK_FAULTS: '[{"match":"x","code":"CONFLICT"},{"match":"y","op":"any","attempt":2,"code":"TIMEOUT"}]',
      MOCK_CRASH: '{"match":"z"}',
    });
    const [always, second] = behaviour.faults;
    expect(always?.ops).toEqual(["create", "update", "delete"]);
    expect(always?.retryable).toBe(false);
    expect(fires(always!.trigger, 7)).toBe(true);
    expect(second?.ops).toContain("read");
    expect(second?.retryable).toBe(true);
    expect([1, 2, 3].map((attempt) => fires(second!.trigger, attempt))).toEqual([false, true, false]);
    expect(behaviour.crashes[0]).toMatchObject({
      ops: ["create"],
      when: "before",
      trigger: { attempts: [1] },
    });
    expect(behaviour.faults[0]?.key).not.toBe(behaviour.faults[1]?.key);
  });
});
