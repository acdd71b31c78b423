import { describe, expect, it } from "vitest";
import { parseCount } from "./numbers.ts";
import { parseGoal } from "./parse-goal.ts";

describe("parseCount", () => {
  it("reads digits and the number words one to ten", () => {
    expect(
      ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"].map(parseCount),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(parseCount("12")).toBe(12);
    expect(parseCount("a couple of")).toBe(2);
    expect(parseCount("eleven")).toBeUndefined();
  });
});

describe("parseGoal", () => {
  it.each([
    ["three instances behind a load balancer", 3],
    ["3 replicas of nginx", 3],
    ["two t3.large app servers", 2],
    ["replicas: 4", 4],
    ["a couple of web servers", 2],
    ["ten containers", 10],
  ])("counts %j as %d", (goal, count) => {
    expect(parseGoal(goal).count).toBe(count);
  });

  it("does not read a VLAN tag or a size as a count", () => {
    expect(parseGoal("vlan 150 with instances").count).toBeUndefined();
    expect(parseGoal("a 50 GB database").count).toBeUndefined();
  });

  it("reads ports with and without a transport", () => {
    expect(parseGoal("web app on port 8080").ports).toEqual([{ port: 8080 }]);
    expect(parseGoal("allow ports 80 and 443").ports).toEqual([{ port: 80 }, { port: 443 }]);
    expect(parseGoal("allow udp 514 and 8443/tcp").ports).toEqual([
      { port: 514, protocol: "udp" },
      { port: 8443, protocol: "tcp" },
    ]);
  });

  it("marks out-of-range values as invalid instead of using them", () => {
    expect(parseGoal("web app on port 70000").invalid).toEqual(["port 70000 (outside 1-65535)"]);
    expect(parseGoal("vlan 5000").vlanTag).toBeUndefined();
    expect(parseGoal("vlan 5000").invalid).toEqual(["VLAN tag 5000 (VLAN tags are 1-4094)"]);
  });

  it("reads sizes, instance types, database classes and AMIs apart", () => {
    const goal = parseGoal("3 t3.large instances from ami-0abc123 and a db.m5.large postgres of 1 TB");
    expect(goal).toMatchObject({
      count: 3,
      instanceType: "t3.large",
      dbClass: "db.m5.large",
      ami: "ami-0abc123",
      storageGb: 1024,
    });
    expect(parseGoal("a 50 GB database").storageGb).toBe(50);
    // "large" inside an instance type is not a size word
    expect(parseGoal("two t3.large instances").words).not.toMatch(/\blarge\b/);
  });

  it("reads VLAN tags, parent NICs and OPNsense interfaces", () => {
    expect(parseGoal("vlan 30 on igc1")).toMatchObject({ vlanTag: 30, nic: "igc1" });
    expect(parseGoal("VLAN ID 4094").vlanTag).toBe(4094);
    expect(parseGoal("a lease on opt2").zone).toBe("opt2");
    expect(parseGoal("point app.example.lan at 10.0.0.5").zone).toBeUndefined();
  });

  it("reads IPs, CIDRs, MACs and host names without mixing them up", () => {
    const goal = parseGoal(
      "reserve 10.0.150.20 for 00-11-22-aa-bb-cc and allow from 192.168.1.0/24, point app.example.lan at 10.0.0.5.",
    );
    expect(goal.ips).toEqual(["10.0.150.20", "10.0.0.5"]);
    expect(goal.cidrs).toEqual(["192.168.1.0/24"]);
    expect(goal.macs).toEqual(["00:11:22:aa:bb:cc"]);
    expect(goal.fqdns).toEqual(["app.example.lan"]);
    expect(parseGoal("two t3.large instances and db.t3.micro").fqdns).toEqual([]);
  });

  it("reads image references, not ports or addresses", () => {
    expect(parseGoal("run nginx:1.27 and ghcr.io/acme/shop:2.1 on 10.0.0.5:8080").images).toEqual([
      "nginx:1.27",
      "ghcr.io/acme/shop:2.1",
    ]);
    expect(parseGoal("port:8080").images).toEqual([]);
  });

  it("tells the deployment's name from a host's", () => {
    expect(parseGoal("a web app called shop").name).toBe("shop");
    expect(parseGoal("a database named orders-db").name).toBe("orders-db");
    const lease = parseGoal("a static lease for a printer named laserjet, deployment called office");
    expect(lease.hostname).toBe("laserjet");
    expect(lease.name).toBe("office");
    expect(parseGoal("hostname nas01").hostname).toBe("nas01");
  });

  it("reads env pairs with their case, paths, namespaces and backup days", () => {
    const goal = parseGoal(
      'build ./Web/App with dockerfile ./Dockerfile.prod and LOG_LEVEL=debug DB_URL="x y" in namespace shop',
    );
    expect(goal.env).toEqual({ LOG_LEVEL: "debug", DB_URL: "x y" });
    expect(goal.buildContext).toBe("./Web/App");
    expect(parseGoal("build from ./Web/App").buildContext).toBe("./Web/App");
    expect(goal.dockerfile).toBe("./Dockerfile.prod");
    expect(goal.namespace).toBe("shop");
    expect(parseGoal("in the payments namespace").namespace).toBe("payments");
    expect(parseGoal("a database with 14 days of backups").backupDays).toBe(14);
    expect(parseGoal("backups kept for five days").backupDays).toBe(5);
  });
});
