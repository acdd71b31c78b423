import { describe, expect, it } from "vitest";
import { redact } from "./docker-errors.ts";
import { normalizeTag } from "./image-build.ts";
import {
  durationNanos,
  formatPort,
  formatRestart,
  parseMount,
  parsePort,
  restartPolicy,
  splitCommand,
  toApiHealthcheck,
  typedEnvValue,
} from "./values.ts";

describe("docker value parsing", () => {
  it("splits command strings like a shell, without running one", () => {
    expect(splitCommand(`httpd -f -p '127.0.0.1:80' -h "/w w" a\\ b`)).toEqual([
      "httpd",
      "-f",
      "-p",
      "127.0.0.1:80",
      "-h",
      "/w w",
      "a b",
    ]);
    expect(splitCommand(`echo ""`)).toEqual(["echo", ""]);
    expect(() => splitCommand(`echo "open`)).toThrow(/unclosed/);
  });

  it("parses and prints published ports", () => {
    expect(parsePort("127.0.0.1:8080:80")).toEqual({
      ip: "127.0.0.1",
      hostPort: "8080",
      containerPort: "80",
      protocol: "tcp",
    });
    expect(parsePort("[::1]:53:53/udp")).toEqual({
      ip: "::1",
      hostPort: "53",
      containerPort: "53",
      protocol: "udp",
    });
    expect(formatPort(parsePort("8080:80"))).toBe("8080:80");
    expect(parsePort("80")).toEqual({ ip: "", hostPort: "", containerPort: "80", protocol: "tcp" });
    expect(parsePort("127.0.0.1::80")).toEqual({
      ip: "127.0.0.1",
      hostPort: "",
      containerPort: "80",
      protocol: "tcp",
    });
    expect(formatPort(parsePort("[::1]:53:53/udp"))).toBe("[::1]:53:53/udp");
    expect(() => parsePort("80:eighty")).toThrow(/hostPort:containerPort/);
  });

  it("tells bind mounts from volumes and resolves relative sources", () => {
    expect(parseMount("data:/var/lib/data:ro")).toEqual({
      type: "volume",
      source: "data",
      target: "/var/lib/data",
      readOnly: true,
    });
    expect(parseMount("./site:/www", "/srv")).toEqual({
      type: "bind",
      source: "/srv/site",
      target: "/www",
      readOnly: false,
    });
    expect(() => parseMount("data:relative")).toThrow(/absolute/);
    expect(() => parseMount({ source: "x" })).toThrow(/target/);
  });

  it("round-trips restart policies and durations", () => {
    expect(restartPolicy("on-failure:3")).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    expect(restartPolicy(undefined)).toEqual({ Name: "", MaximumRetryCount: 0 });
    expect(formatRestart({ Name: "on-failure", MaximumRetryCount: 3 })).toBe("on-failure:3");
    expect(formatRestart({ Name: "" })).toBe("no");
    expect(durationNanos("1.5s")).toBe(1_500_000_000);
    expect(toApiHealthcheck({ test: ["/bin/busybox", "true"], interval: "5s" })).toEqual({
      Test: ["CMD", "/bin/busybox", "true"],
      Interval: 5_000_000_000,
    });
  });

  it("keeps env value types across the engine's strings", () => {
    expect(typedEnvValue("8080", "number")).toBe(8080);
    expect(typedEnvValue("true", "boolean")).toBe(true);
    expect(typedEnvValue("abc", "number")).toBe("abc");
  });

  it("normalizes tags and redacts secrets from messages", () => {
    expect(normalizeTag("web")).toBe("web:latest");
    expect(normalizeTag("registry:5000/web")).toBe("registry:5000/web:latest");
    expect(normalizeTag("web:1")).toBe("web:1");
    expect(redact("bad value hunter2 in hunter2", ["hunter2"])).toBe("bad value *** in ***");
  });
});
