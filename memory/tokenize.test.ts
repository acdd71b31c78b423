import { describe, expect, it } from "vitest";
import { stem, tokenize } from "./tokenize.ts";

describe("tokenize", () => {
  it("lowercases, splits on non-alphanumerics and drops stopwords", () => {
    expect(tokenize("Deploy the API with a Cache, please!")).toEqual(["api", "cach"]);
    expect(tokenize("")).toEqual([]);
  });

  it("folds infra synonyms to one token", () => {
    expect(tokenize("postgres postgresql pg")).toEqual(Array(3).fill(["postgres", "database"]).flat());
    expect(tokenize("db databases")).toEqual(["database", "database"]);
    expect(tokenize("k8s kubernetes")).toEqual(["kubernetes", "kubernetes"]);
    expect(tokenize("lb, load balancer, load-balanced, load balancing")).toEqual(
      Array(4).fill("loadbalancer"),
    );
    expect(tokenize("webapp")).toEqual(["web", "app"]);
    expect(tokenize("two virtual machines")).toEqual(["2", "2*vm", "vm"]);
  });

  it("adds the kind of a specific product, so a generic goal finds it", () => {
    expect(tokenize("HAProxy")).toEqual(["haproxy", "loadbalancer"]);
    expect(tokenize("an ELB")).toEqual(["elb", "loadbalancer"]);
    expect(tokenize("mariadb")).toEqual(["mysql", "database"]);
    expect(tokenize("guest VLAN")).toEqual(["guest", "vlan", "network"]);
  });

  it("binds a count to what it counts", () => {
    expect(tokenize("4 subnets and three VMs")).toEqual([
      "4",
      "4*subnet",
      "subnet",
      "network",
      "3",
      "3*vm",
      "vm",
    ]);
    expect(tokenize("port 8080")).toEqual(["port", "8080"]);
  });

  it("keeps addresses, CIDRs and versions whole and ports as numbers", () => {
    expect(tokenize("bind 10.0.150.1:443 on 10.0.0.0/16 with nginx:1.27")).toEqual([
      "bind",
      "10.0.150.1",
      "443",
      "10.0.0.0/16",
      "nginx",
      "1.27",
    ]);
  });

  it("stems lightly and consistently", () => {
    expect(["route", "routes", "routing", "routed"].map(stem)).toEqual(Array(4).fill("rout"));
    expect(["policies", "addresses", "aliases", "running", "logged"].map(stem)).toEqual([
      "policy",
      "address",
      "alias",
      "run",
      "log",
    ]);
    // Short words, protected endings and words without a real suffix stay as they are.
    expect(["dns", "aws", "redis", "status", "string", "install"].map(stem)).toEqual([
      "dns",
      "aws",
      "redis",
      "status",
      "string",
      "install",
    ]);
  });
});
