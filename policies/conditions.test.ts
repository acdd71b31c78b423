import { describe, expect, it } from "vitest";
import { type Condition, ConditionSchema, compileCondition, type Truth } from "./conditions.ts";
import { parsePropertyPath } from "./property-path.ts";

const unknown = (reference: string) => ({ $unknown: reference });

function evaluate(
  condition: Condition,
  properties: Record<string, unknown>,
): { truth: Truth; path?: string } {
  const parsed = ConditionSchema.parse(condition);
  return compileCondition(parsed)(properties);
}

function truth(condition: Condition, properties: Record<string, unknown>): Truth {
  return evaluate(condition, properties).truth;
}

describe("property paths", () => {
  it("parses dots, indexes, wildcards and quoted keys", () => {
    const path = parsePropertyPath("ingress[*].cidr");
    expect(path).toMatchObject({
      wildcard: true,
      segments: [{ key: "ingress" }, { each: true }, { key: "cidr" }],
    });
    expect(parsePropertyPath("servers[1]")).toMatchObject({
      wildcard: false,
      segments: [{ key: "servers" }, { index: 1 }],
    });
    expect(parsePropertyPath('labels["app.kubernetes.io/name"]')).toMatchObject({
      segments: [{ key: "labels" }, { key: "app.kubernetes.io/name" }],
    });
  });

  it("explains what is wrong with a bad path", () => {
    expect(parsePropertyPath("ingress[x]")).toMatch(/\[x\] must be \[\*\], a list index/);
    expect(parsePropertyPath("a..b")).toMatch(/not a property path/);
    expect(parsePropertyPath("a[0")).toMatch(/unclosed/);
    expect(parsePropertyPath("")).toMatch(/empty/);
  });
});

describe("condition operators", () => {
  const db = {
    engine: "postgres",
    publiclyAccessible: true,
    allocatedStorage: 100,
    ports: [5432, 22],
    name: "db-main",
  };

  it("equals and notEquals compare deeply and by type", () => {
    expect(truth({ property: "publiclyAccessible", equals: true }, db)).toBe(true);
    expect(truth({ property: "publiclyAccessible", equals: "true" }, db)).toBe(false);
    expect(truth({ property: "ports", equals: [5432, 22] }, db)).toBe(true);
    expect(truth({ property: "engine", notEquals: "mysql" }, db)).toBe(true);
    expect(truth({ property: "engine", notEquals: "postgres" }, db)).toBe(false);
    // A missing property is not equal to anything.
    expect(truth({ property: "multiAz", notEquals: true }, db)).toBe(true);
  });

  it("in and notIn", () => {
    expect(truth({ property: "engine", in: ["postgres", "mysql"] }, db)).toBe(true);
    expect(truth({ property: "engine", in: ["mysql"] }, db)).toBe(false);
    expect(truth({ property: "engine", notIn: ["mysql"] }, db)).toBe(true);
  });

  it("exists treats missing and null as absent", () => {
    expect(truth({ property: "engine", exists: true }, db)).toBe(true);
    expect(truth({ property: "tags", exists: false }, db)).toBe(true);
    expect(truth({ property: "tags", exists: true }, { tags: null })).toBe(false);
  });

  it("matches takes numbers as their text; objects never match", () => {
    expect(truth({ property: "name", matches: "^db-" }, db)).toBe(true);
    expect(truth({ property: "allocatedStorage", matches: "^1\\d\\d$" }, db)).toBe(true);
    expect(truth({ property: "ports", matches: "22" }, db)).toBe(false);
  });

  it("lessThan and greaterThan take numbers and numeric text", () => {
    expect(truth({ property: "allocatedStorage", greaterThan: 50 }, db)).toBe(true);
    expect(truth({ property: "allocatedStorage", lessThan: 50 }, db)).toBe(false);
    expect(truth({ property: "port", lessThan: 1024 }, { port: "22" })).toBe(true);
    expect(truth({ property: "port", lessThan: 1024 }, { port: "ssh" })).toBe(false);
    expect(truth({ property: "missing", lessThan: 1024 }, db)).toBe(false);
  });

  it("contains looks in lists and in text", () => {
    expect(truth({ property: "ports", contains: 22 }, db)).toBe(true);
    expect(truth({ property: "ports", contains: 3389 }, db)).toBe(false);
    expect(truth({ property: "engine", contains: "gres" }, db)).toBe(true);
  });

  it("several operators on one property must all hold", () => {
    expect(truth({ property: "allocatedStorage", greaterThan: 50, lessThan: 200 }, db)).toBe(true);
    expect(truth({ property: "allocatedStorage", greaterThan: 50, lessThan: 80 }, db)).toBe(false);
  });

  it("all, any and not combine", () => {
    const publicPostgres: Condition = {
      all: [
        { property: "engine", equals: "postgres" },
        {
          any: [
            { property: "publiclyAccessible", equals: true },
            { property: "ports", contains: 5432 },
          ],
        },
      ],
    };
    expect(truth(publicPostgres, db)).toBe(true);
    expect(truth({ not: publicPostgres }, db)).toBe(false);
    expect(truth(publicPostgres, { ...db, engine: "mysql" })).toBe(false);
  });
});

describe("wildcards and list scopes", () => {
  const group = {
    ingress: [
      { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
      { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
    ],
  };

  it("[*] holds when some element holds, and reports that element's path", () => {
    expect(evaluate({ property: "ingress[*].cidr", equals: "0.0.0.0/0" }, group)).toEqual({
      truth: true,
      path: "ingress[0].cidr",
    });
    expect(evaluate({ property: "ingress[*].port", equals: 22 }, group)).toEqual({
      truth: true,
      path: "ingress[1].port",
    });
    expect(truth({ property: "ingress[*].port", equals: 3389 }, group)).toBe(false);
  });

  it("[*] over a missing or empty list: only exists: false holds", () => {
    expect(truth({ property: "ingress[*].cidr", exists: false }, {})).toBe(true);
    expect(truth({ property: "ingress[*].cidr", notEquals: "0.0.0.0/0" }, { ingress: [] })).toBe(false);
    expect(truth({ property: "ingress[*].cidr", exists: true }, { ingress: [] })).toBe(false);
  });

  it("[*] iterates the values of a map", () => {
    expect(
      evaluate({ property: "tags[*]", equals: "prod" }, { tags: { owner: "ops", environment: "prod" } }),
    ).toEqual({
      truth: true,
      path: "tags.environment",
    });
  });

  it("some ties tests to one element; separate [*] tests do not", () => {
    const loose: Condition = {
      all: [
        { property: "ingress[*].port", equals: 22 },
        { property: "ingress[*].cidr", equals: "0.0.0.0/0" },
      ],
    };
    const tight: Condition = {
      property: "ingress",
      some: {
        all: [
          { property: "port", equals: 22 },
          { property: "cidr", equals: "0.0.0.0/0" },
        ],
      },
    };
    expect(truth(loose, group)).toBe(true);
    expect(truth(tight, group)).toBe(false);
    const open = { ingress: [...group.ingress, { protocol: "tcp", port: 22, cidr: "0.0.0.0/0" }] };
    expect(evaluate(tight, open)).toEqual({ truth: true, path: "ingress[2].port" });
  });

  it("every holds when all elements do (and for an empty list)", () => {
    const privateOnly: Condition = { property: "ingress", every: { property: "cidr", matches: "^10\\." } };
    expect(truth(privateOnly, group)).toBe(false);
    expect(truth(privateOnly, { ingress: [group.ingress[1]] })).toBe(true);
    expect(truth(privateOnly, { ingress: [] })).toBe(true);
    expect(truth(privateOnly, {})).toBe(false);
  });
});

describe("values not known before apply", () => {
  const rule = { source: "any", destination: unknown("${haproxy.ip}"), port: 443, action: "pass" };

  it("no operator matches an unknown value, exists included", () => {
    for (const condition of [
      { property: "destination", equals: "any" },
      { property: "destination", notEquals: "any" },
      { property: "destination", in: ["any"] },
      { property: "destination", notIn: ["any"] },
      { property: "destination", exists: true },
      { property: "destination", exists: false },
      { property: "destination", matches: "." },
      { property: "destination", contains: "a" },
      { property: "destination", lessThan: 5 },
    ] as Condition[]) {
      expect(truth(condition, rule), JSON.stringify(condition)).toBe("unknown");
    }
  });

  it("not, all and any keep unknown unknown (Kleene logic)", () => {
    const anyAny: Condition = {
      all: [
        { property: "action", equals: "pass" },
        { property: "source", equals: "any" },
        { property: "destination", equals: "any" },
      ],
    };
    expect(truth(anyAny, rule)).toBe("unknown");
    expect(truth({ not: { property: "destination", equals: "any" } }, rule)).toBe("unknown");
    // A known false decides an all; a known true decides an any.
    expect(
      truth(
        {
          all: [
            { property: "port", equals: 80 },
            { property: "destination", equals: "any" },
          ],
        },
        rule,
      ),
    ).toBe(false);
    expect(
      truth(
        {
          any: [
            { property: "port", equals: 443 },
            { property: "destination", equals: "any" },
          ],
        },
        rule,
      ),
    ).toBe(true);
  });

  it("an unknown inside a path or a list", () => {
    expect(
      truth({ property: "ingress[*].cidr", equals: "0.0.0.0/0" }, { ingress: unknown("${sg.rules}") }),
    ).toBe("unknown");
    expect(truth({ property: "a.b", equals: 1 }, { a: unknown("${x.y}") })).toBe("unknown");
    expect(truth({ property: "ports", contains: 22 }, { ports: [80, unknown("${x.port}")] })).toBe("unknown");
    expect(truth({ property: "ports", contains: 80 }, { ports: [80, unknown("${x.port}")] })).toBe(true);
    expect(
      truth(
        { property: "ingress[*].cidr", equals: "0.0.0.0/0" },
        { ingress: [unknown("${a.b}"), { cidr: "0.0.0.0/0" }] },
      ),
    ).toBe(true);
  });
});

describe("condition schema", () => {
  function issues(value: unknown): { path: string; message: string }[] {
    const result = ConditionSchema.safeParse(value);
    if (result.success) return [];
    return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  }

  it("accepts a nested condition", () => {
    expect(issues({ all: [{ property: "a", equals: 1 }, { not: { property: "b", exists: true } }] })).toEqual(
      [],
    );
  });

  it("rejects unknown keys, missing tests, mixed forms and bad regexes, each at its path", () => {
    expect(issues({ property: "a", equal: 1 })[0]?.message).toMatch(/unknown key "equal"/);
    expect(issues({ property: "a" })).toEqual([
      { path: "property", message: expect.stringMatching(/add a test for a/) },
    ]);
    expect(issues({ all: [{ property: "a", equals: 1 }], property: "b" })[0]?.message).toMatch(
      /cannot sit beside/,
    );
    expect(
      issues({ all: [{ property: "a", equals: 1 }], any: [{ property: "a", equals: 1 }] })[0]?.message,
    ).toMatch(/one of all, any/);
    expect(issues({ all: [{ property: "a", matches: "([" }] })).toEqual([
      { path: "all.0.matches", message: expect.stringMatching(/not a valid regular expression/) },
    ]);
    expect(issues({ property: "a[x]", equals: 1 })[0]).toMatchObject({ path: "property" });
    expect(issues({ all: [] })[0]?.message).toMatch(/at least one/);
    expect(issues({ property: "a", lessThan: "5" })[0]?.message).toMatch(/lessThan takes a number/);
    expect(issues("a == 1")[0]?.message).toMatch(/a condition is a mapping/);
  });
});
