import { describe, expect, it } from "vitest";
import { findReferences, parseReference, resolveReferences } from "./references.ts";

describe("references", () => {
  it("reads both forms of design §4b", () => {
    expect(parseReference("app-1.ip")).toEqual({ target: "app-1", path: ["ip"] });
    expect(parseReference("aws:ec2:app-1.ip")).toEqual({
      target: "app-1",
      typePrefix: "aws:ec2",
      path: ["ip"],
    });
    expect(parseReference("db.endpoints[0].host")).toEqual({ target: "db", path: ["endpoints", 0, "host"] });
  });

  it("finds references with where they sit", () => {
    const { references } = findReferences({ servers: ["${a.ip}", "x:${b.port}"] }, "properties");
    expect(references.map((reference) => [reference.target, reference.at])).toEqual([
      ["a", "properties.servers[0]"],
      ["b", "properties.servers[1]"],
    ]);
  });

  it("keeps the value's type for a whole-string reference and interpolates inside longer strings", () => {
    const values: Record<string, unknown> = { a: { port: 5432, tags: ["x"] } };
    const resolved = resolveReferences(
      { port: "${a.port}", url: "tcp://host:${a.port}", tags: "${a.tags}" },
      (reference) => {
        let value: unknown = values[reference.target];
        for (const part of reference.path) value = (value as Record<string | number, unknown>)[part];
        return value;
      },
    );
    expect(resolved).toEqual({ port: 5432, url: "tcp://host:5432", tags: ["x"] });
  });

  it("marks values not known yet as $unknown", () => {
    expect(resolveReferences({ ip: "${a.ip}", note: "at ${a.ip}" }, () => undefined)).toEqual({
      ip: { $unknown: "${a.ip}" },
      note: { $unknown: "at ${a.ip}" },
    });
  });
});
