import { describe, expect, it } from "vitest";
import { planOffline } from "./index.ts";
import type { OfflinePlan, SpecResource } from "./types.ts";

type Planned = Extract<OfflinePlan, { kind: "planned" }>;

function planned(goal: string): Planned {
  const plan = planOffline(goal);
  if (plan.kind !== "planned") throw new Error(`expected a plan for "${goal}", got: ${plan.reason}`);
  return plan;
}

function ofType(plan: Planned, type: string): SpecResource[] {
  return plan.deployment.resources.filter((resource) => resource.type === type);
}

describe("web-app-lb", () => {
  it.each([
    "deploy a web app behind a load balancer",
    "a website with an LB",
    "set up two app servers behind haproxy",
    "web application, load-balanced",
  ])("builds the default shape from %j", (goal) => {
    const plan = planned(goal);
    expect(plan.understanding.blueprints).toEqual(["web-app-lb"]);
    expect(plan.understanding.parameters).toMatchObject({
      instances: 2,
      instanceType: "t3.medium",
      ami: "ami-12345",
      appPort: 8080,
      listenPort: 443,
      vlanTag: 150,
      vlanInterface: "igc2",
    });
    expect(plan.deployment.name).toBe("web-app");
    expect(plan.summary).toMatch(/^Offline planner/);
  });

  it("takes count, type, port, tag, NIC, AMI and http-only from the goal", () => {
    const plan = planned(
      "three t3.large instances from ami-0abc123 behind haproxy on port 3000, vlan 200 on igc1, http only",
    );
    expect(plan.understanding.parameters).toMatchObject({
      instances: 3,
      instanceType: "t3.large",
      ami: "ami-0abc123",
      appPort: 3000,
      listenPort: 80,
      vlanTag: 200,
      vlanInterface: "igc1",
    });
    expect(ofType(plan, "aws:ec2:instance").map((resource) => resource.name)).toEqual([
      "app-1",
      "app-2",
      "app-3",
    ]);
    const [backend] = ofType(plan, "opnsense:service:haproxy:backend");
    expect(backend!.properties["servers"]).toEqual([
      "${app-1.ip}:3000",
      "${app-2.ip}:3000",
      "${app-3.ip}:3000",
    ]);
    const [frontend] = ofType(plan, "opnsense:service:haproxy:frontend");
    expect(frontend!.properties).toMatchObject({ bind: "10.0.200.1:80", backend: "${app-backend.id}" });
    const [rule] = ofType(plan, "opnsense:firewall:rule");
    expect(rule!.properties).toMatchObject({
      source: "any",
      destination: "${haproxy.ip}",
      port: 80,
      protocol: "tcp",
    });
  });

  it("keeps the VLAN network valid for tags above 255", () => {
    const plan = planned("a web app behind a load balancer on vlan 300");
    const [frontend] = ofType(plan, "opnsense:service:haproxy:frontend");
    expect(frontend!.properties["bind"]).toBe("10.1.44.1:443");
  });

  it("uses least-connections balancing when asked, and the disk size when there is no database", () => {
    const plan = planned("web app with 4 servers, leastconn load balancing, 40 GB disks");
    expect(ofType(plan, "opnsense:service:haproxy:backend")[0]!.properties["balance"]).toBe("leastconn");
    expect(ofType(plan, "aws:ec2:instance")[0]!.properties["rootVolumeGb"]).toBe(40);
  });

  it("declines more instances than it builds rather than capping silently", () => {
    const plan = planOffline("a web app with 50 instances behind a load balancer");
    expect(plan.kind).toBe("declined");
    if (plan.kind === "declined") expect(plan.reason).toContain("50 instances");
  });
});

describe("database", () => {
  it.each([
    ["a postgres database", "postgres"],
    ["a PostgreSQL db", "postgres"],
    ["an RDS pg instance", "postgres"],
    ["a mysql database", "mysql"],
    ["MariaDB for the orders", "mariadb"],
    ["an aurora postgres database", "postgres"],
    ["an aurora mysql database", "mysql"],
  ])("reads the engine of %j", (goal, engine) => {
    const plan = planned(goal);
    expect(plan.understanding.blueprints).toEqual(["database"]);
    expect(plan.understanding.parameters["engine"]).toBe(engine);
  });

  it("plans Aurora as the plain engine an RDS instance takes, and says why", () => {
    const plan = planned("an aurora postgres database");
    const [db] = ofType(plan, "aws:rds:instance");
    expect(db?.properties["engine"]).toBe("postgres");
    expect(plan.understanding.notes.join("\n")).toMatch(/Aurora \(aurora-postgresql\) needs a DB cluster/);
  });

  it("defaults to a small private postgres with 7 days of backups", () => {
    const [db] = ofType(planned("I need a database"), "aws:rds:instance");
    expect(db!.properties).toEqual({
      engine: "postgres",
      instanceClass: "db.t3.micro",
      allocatedStorage: 20,
      backupRetentionDays: 7,
      publiclyAccessible: false,
    });
  });

  it("sizes for production, storage, backups and multi-AZ from the goal", () => {
    const plan = planned("a production mysql database with 100 GB, 14 days of backups, multi-az");
    expect(ofType(plan, "aws:rds:instance")[0]!.properties).toMatchObject({
      engine: "mysql",
      instanceClass: "db.m5.large",
      allocatedStorage: 100,
      backupRetentionDays: 14,
      multiAz: true,
    });
    expect(planned("a db.t3.small postgres").understanding.parameters["instanceClass"]).toBe("db.t3.small");
  });

  it("never turns backups off or opens the database, and says so", () => {
    const plan = planned("a public postgres database with no backups and 10 GB");
    expect(ofType(plan, "aws:rds:instance")[0]!.properties).toMatchObject({
      backupRetentionDays: 7,
      publiclyAccessible: false,
      allocatedStorage: 20,
    });
    expect(plan.understanding.notes.join("\n")).toMatch(/never turns them off/);
    expect(plan.understanding.notes.join("\n")).toMatch(/kept the database private/);
    expect(plan.understanding.notes.join("\n")).toMatch(/minimum of 20 GB/);
  });

  it("does not read another database product as postgres", () => {
    expect(planOffline("a mongodb database").kind).toBe("declined");
    expect(planOffline("a cassandra db").kind).toBe("declined");
  });
});

describe("vlan-firewall", () => {
  it("allows the named services out of the VLAN's network, not any-any", () => {
    const plan = planned("create vlan 30 on igc1 allowing https and dns");
    expect(plan.understanding.parameters).toMatchObject({
      vlanTag: 30,
      vlanInterface: "igc1",
      allow: "443/tcp,53/udp",
    });
    const rules = ofType(plan, "opnsense:firewall:rule");
    expect(
      rules.map((rule) => [rule.properties["protocol"], rule.properties["port"], rule.properties["source"]]),
    ).toEqual([
      ["tcp", 443, "10.0.30.0/24"],
      ["udp", 53, "10.0.30.0/24"],
    ]);
    expect(ofType(plan, "opnsense:network:interface")[0]!.properties).toMatchObject({
      device: "${vlan-30.device}",
      ipv4: "10.0.30.1/24",
    });
  });

  it("reads explicit ports, ping and the interface", () => {
    const plan = planned("a guest vlan on opt3 that permits tcp 8443, udp port 514 and ping");
    expect(plan.understanding.parameters).toMatchObject({ vlanTag: 150, ruleInterface: "opt3" });
    const rules = ofType(plan, "opnsense:firewall:rule");
    expect(rules.map((rule) => `${rule.properties["protocol"]}/${rule.properties["port"] ?? "-"}`)).toEqual([
      "icmp/-",
      "tcp/8443",
      "udp/514",
    ]);
  });

  it("scopes inbound rules to the VLAN and refuses admin ports from any", () => {
    const inbound = planned("vlan 40 allowing https and ssh from the internet");
    const rules = ofType(inbound, "opnsense:firewall:rule");
    expect(rules).toHaveLength(1);
    expect(rules[0]!.properties).toMatchObject({ source: "any", destination: "10.0.40.0/24", port: 443 });
    expect(inbound.understanding.notes.join("\n")).toMatch(/not opened: ssh \(22\)/);
    expect(planOffline("vlan 40 allowing ssh from the internet").kind).toBe("declined");
    const fromNetwork = planned("allow ssh into vlan 40 from 192.168.1.0/24");
    expect(ofType(fromNetwork, "opnsense:firewall:rule")[0]!.properties).toMatchObject({
      source: "192.168.1.0/24",
      destination: "10.0.40.0/24",
      port: 22,
    });
  });

  it("shares the web app's VLAN when both are asked", () => {
    const plan = planned("a web app behind a load balancer on vlan 60, and the vlan allows dns and ntp");
    expect(plan.understanding.blueprints).toEqual(["web-app-lb", "vlan-firewall"]);
    expect(ofType(plan, "opnsense:network:vlan")).toHaveLength(1);
    expect(ofType(plan, "opnsense:firewall:rule").map((rule) => rule.name)).toEqual([
      "allow-https",
      "vlan60-allow-dns",
      "vlan60-allow-ntp",
    ]);
  });
});

describe("dns-override", () => {
  it.each([
    ["point app.example.lan at 10.0.0.5", "app", "example.lan", "10.0.0.5"],
    ["make nas.home.arpa resolve to 192.168.1.10", "nas", "home.arpa", "192.168.1.10"],
    ["dns override: wiki.corp.lan -> 10.1.2.3", "wiki", "corp.lan", "10.1.2.3"],
  ])("builds %j", (goal, host, domain, ip) => {
    const plan = planned(goal);
    expect(plan.understanding.blueprints).toEqual(["dns-override"]);
    expect(ofType(plan, "opnsense:service:dns:override")[0]!.properties).toMatchObject({ host, domain, ip });
  });

  it("points at the load balancer when the goal gives no address", () => {
    const plan = planned("a web app behind a load balancer, and point portal.example.lan at it");
    expect(ofType(plan, "opnsense:service:dns:override")[0]!.properties["ip"]).toBe("${haproxy.ip}");
  });

  it("declines without an address to point at", () => {
    const plan = planOffline("point app.example.lan somewhere");
    expect(plan.kind).toBe("declined");
    if (plan.kind === "declined")
      expect(plan.reason).toMatch(/needs the address app\.example\.lan should resolve to/);
  });
});

describe("dhcp-static", () => {
  it.each([
    ["reserve 10.0.150.20 for 00:11:22:33:44:55 on opt1 hostname printer", "opt1", "printer"],
    ["static dhcp lease for aa-bb-cc-dd-ee-ff at 192.168.1.50", "lan", undefined],
    [
      "give the printer named laserjet with MAC 00:11:22:33:44:66 the address 10.0.0.9 on lan",
      "lan",
      "laserjet",
    ],
  ])("builds %j", (goal, zone, hostname) => {
    const plan = planned(goal);
    expect(plan.understanding.blueprints).toEqual(["dhcp-static"]);
    const [lease] = ofType(plan, "opnsense:service:dhcp:static");
    expect(lease!.properties["interface"]).toBe(zone);
    expect(lease!.properties["hostname"]).toBe(hostname);
  });

  it("declines without a MAC", () => {
    const plan = planOffline("a static dhcp lease for 10.0.0.9");
    expect(plan.kind).toBe("declined");
    if (plan.kind === "declined") expect(plan.reason).toMatch(/needs the MAC address/);
  });
});

describe("container-service", () => {
  it("runs N replicas of an image with published ports and env", () => {
    const plan = planned("run 3 nginx:1.27 containers on port 8080 with LOG_LEVEL=debug");
    expect(plan.understanding.parameters).toMatchObject({
      image: "nginx:1.27",
      replicas: 3,
      containerPort: 80,
      hostPort: 8080,
      env: "LOG_LEVEL",
    });
    expect(ofType(plan, "docker:container:run").map((resource) => resource.properties["ports"])).toEqual([
      ["8080:80"],
      ["8081:80"],
      ["8082:80"],
    ]);
    expect(plan.deployment.name).toBe("nginx");
  });

  it("builds from a context and runs what it built", () => {
    const plan = planned(
      "build the app from ./web with docker and run two containers on port 9000, called shop",
    );
    const [build] = ofType(plan, "docker:image:build");
    expect(build!.properties).toEqual({ context: "./web", tags: ["shop:latest"] });
    const containers = ofType(plan, "docker:container:run");
    expect(containers.map((resource) => [resource.properties["image"], resource.dependsOn])).toEqual([
      ["${app-image.id}", ["app-image"]],
      ["${app-image.id}", ["app-image"]],
    ]);
    expect(containers[1]!.properties["ports"]).toEqual(["9001:9000"]);
  });

  it("takes a well-known image without a tag, and host networking", () => {
    const plan = planned("run a redis container with host networking");
    expect(ofType(plan, "docker:container:run")[0]!.properties).toEqual({
      image: "redis",
      restart: "unless-stopped",
      network: "host",
    });
    expect(plan.understanding.notes.join("\n")).not.toMatch(/Redis/);
  });

  it("reads env pairs as env, not as words of the goal", () => {
    const plan = planned("run postgres:16 in docker on port 5433 with POSTGRES_PASSWORD=supersecret1");
    expect(plan.understanding.notes.join("\n")).not.toMatch(/database/);
    expect(ofType(plan, "docker:container:run")[0]!.properties).toMatchObject({
      image: "postgres:16",
      ports: ["5433:5432"],
      env: { POSTGRES_PASSWORD: "supersecret1" },
    });
  });

  it("declines containers without an image", () => {
    expect(planOffline("run some docker containers").kind).toBe("declined");
  });
});

describe("kubernetes-app", () => {
  it("builds a namespace, a deployment and a service", () => {
    const plan = planned(
      "deploy nginx:1.27 to kubernetes with 4 replicas behind a load balancer in namespace shop",
    );
    expect(plan.understanding.parameters).toMatchObject({
      image: "nginx:1.27",
      replicas: 4,
      containerPort: 80,
      serviceType: "LoadBalancer",
      namespace: "shop",
    });
    expect(plan.deployment.resources.map((resource) => [resource.type, resource.name])).toEqual([
      ["kubernetes:core:namespace", "namespace"],
      ["kubernetes:apps:deployment", "nginx"],
      ["kubernetes:core:service", "nginx-service"],
    ]);
    const [service] = ofType(plan, "kubernetes:core:service");
    expect(service!.properties).toMatchObject({ selector: { app: "nginx" }, namespace: "${namespace.name}" });
  });

  it.each([
    ["run ghcr.io/acme/api:2.0 on k8s on port 3000", "ClusterIP", 3000, 2],
    ["three pods of httpd:2.4 exposed with a nodeport", "NodePort", 80, 3],
    ["I want nginx running on k8s, 5 replicas, public", "LoadBalancer", 80, 5],
  ])("reads %j", (goal, type, port, replicas) => {
    const plan = planned(goal);
    expect(plan.understanding.parameters).toMatchObject({ serviceType: type, containerPort: port, replicas });
  });

  it("builds the image with Docker and runs it on Kubernetes", () => {
    const plan = planned("build ./api and deploy it on kubernetes, called orders");
    expect(plan.understanding.blueprints).toEqual(["container-service", "kubernetes-app"]);
    expect(ofType(plan, "docker:container:run")).toEqual([]);
    const [deployment] = ofType(plan, "kubernetes:apps:deployment");
    expect(deployment!.properties["image"]).toBe("orders:latest");
    expect(deployment!.dependsOn).toEqual(["app-image"]);
  });
});

describe("database versions", () => {
  it("reads an engine version but not a size as one", () => {
    expect(planned("a postgres 16 database").understanding.parameters["engineVersion"]).toBe("16");
    expect(planned("a mysql 8.0 db").understanding.parameters["engineVersion"]).toBe("8.0");
    expect(planned("a postgres 50 GB database").understanding.parameters).not.toHaveProperty("engineVersion");
  });
});
