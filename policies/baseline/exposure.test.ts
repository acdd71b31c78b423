import { describe, expect, it } from "vitest";
import { PolicySet } from "../policy-set.ts";
import { deployment, resource } from "../test-support.ts";
import type { PolicyResource } from "../types.ts";
import { baselinePack } from "./index.ts";

const baseline = new PolicySet([baselinePack]);

function findings(...resources: PolicyResource[]) {
  return baseline
    .checkDeployment(deployment(...resources))
    .findings.map(({ policy, resource, path, enforcement, stage }) => ({
      policy,
      resource,
      path,
      enforcement,
      stage,
    }));
}

function messages(...resources: PolicyResource[]): string[] {
  return baseline.checkDeployment(deployment(...resources)).findings.map((finding) => finding.message);
}

const rule = (name: string, properties: Record<string, unknown>) =>
  resource("opnsense:firewall:rule", name, {
    action: "pass",
    interface: "wan",
    direction: "in",
    protocol: "tcp",
    ...properties,
  });

describe("baseline/no-public-admin-port on OPNsense rules", () => {
  it("fires on SSH from any source, naming the resource and the port property", () => {
    expect(findings(rule("allow-ssh", { source: "any", destination: "10.0.150.11", port: 22 }))).toEqual([
      {
        policy: "baseline/no-public-admin-port",
        resource: "allow-ssh",
        path: "properties.port",
        enforcement: "mandatory",
        stage: "deployment",
      },
    ]);
    expect(messages(rule("allow-ssh", { source: "any", destination: "10.0.150.11", port: 22 }))).toEqual([
      "the rule passes SSH (22) from any source; limit source to a trusted network or a VPN, or name only the ports the service needs",
    ]);
  });

  it("fires on ranges, service names, 0.0.0.0/0, a missing source and port aliases of the deployment", () => {
    const alias = resource("opnsense:firewall:alias", "admin-ports", {
      name: "admin_ports",
      type: "port",
      content: ["8080", "3389"],
    });
    for (const properties of [
      { source: "0.0.0.0/0", destination: "10.0.150.11", port: "20-30" },
      { destination: "10.0.150.11", port: "ssh" },
      { source: "any", destination: "10.0.150.11", port: "6443" },
      { source: "::/0", destination: "10.0.150.11", port: 10250, protocol: "TCP/UDP" },
      { source: "any", destination: "10.0.150.11", port: "admin_ports" },
    ]) {
      const result = findings(alias, rule("r", properties));
      expect(
        result.map((finding) => finding.policy),
        JSON.stringify(properties),
      ).toEqual(["baseline/no-public-admin-port"]);
    }
    expect(
      messages(alias, rule("r", { source: "any", destination: "10.0.150.11", port: "admin_ports" }))[0],
    ).toMatch(/passes RDP \(3389\) from any source/);
  });

  it("fires on a rule with no port (every port) to one host", () => {
    expect(messages(rule("open-host", { source: "any", destination: "10.0.150.11" }))).toEqual([
      expect.stringMatching(
        /^the rule passes every port, SSH, Telnet, RDP, .* and the kubelet API included, from any source/,
      ),
    ]);
  });

  it("counts the web UI ports only when the destination is the firewall itself", () => {
    expect(findings(rule("ui", { source: "any", destination: "(self)", port: 443 }))).toHaveLength(1);
    expect(findings(rule("ui", { source: "any", destination: "wanip", port: 80 }))).toHaveLength(1);
    expect(messages(rule("ui", { source: "any", destination: "This Firewall", port: 443 }))[0]).toMatch(
      /passes the firewall's web UI \(443\) from any source/,
    );
    expect(findings(rule("web", { source: "any", destination: "10.0.150.1", port: 443 }))).toEqual([]);
  });

  it("does not fire for trusted sources, blocks, outbound, disabled, ICMP or unknown values", () => {
    for (const properties of [
      { source: "10.0.0.0/8", destination: "10.0.150.11", port: 22 },
      { source: "lan", destination: "10.0.150.11", port: 22 },
      { source: "any", destination: "10.0.150.11", port: 22, action: "block" },
      { source: "any", destination: "10.0.150.11", port: 22, direction: "out" },
      { source: "any", destination: "10.0.150.11", port: 22, enabled: false },
      { source: "any", destination: "10.0.150.11", protocol: "icmp" },
      { source: "any", destination: "10.0.150.11", port: "8000-8080" },
      { source: "any", destination: "10.0.150.11", port: "some_alias_elsewhere" },
      { source: "${vpn.cidr}", destination: "10.0.150.11", port: 22 },
      { source: "any", destination: "10.0.150.11", port: { $unknown: "${app.port}" } },
      { source: "any", destination: "10.0.150.11", port: 22, action: "${policy.action}" },
    ]) {
      expect(findings(rule("r", properties)), JSON.stringify(properties)).toEqual([]);
    }
  });
});

describe("baseline/no-public-admin-port on NAT, security groups and containers", () => {
  it("fires on a port forward to SSH from anywhere, naming targetPort", () => {
    const nat = resource("opnsense:firewall:nat", "ssh-forward", {
      interface: "wan",
      protocol: "tcp",
      port: 2222,
      target: "10.0.150.11",
      targetPort: 22,
    });
    expect(findings(nat)).toEqual([
      expect.objectContaining({ resource: "ssh-forward", path: "properties.targetPort" }),
    ]);
    expect(
      findings({ ...nat, properties: { ...nat.properties, port: 3389, targetPort: undefined } }),
    ).toEqual([expect.objectContaining({ path: "properties.port" })]);
    expect(findings({ ...nat, properties: { ...nat.properties, source: "203.0.113.0/24" } })).toEqual([]);
    expect(findings({ ...nat, properties: { ...nat.properties, port: 8443, targetPort: 443 } })).toEqual([]);
  });

  it("fires on a security group entry open to 0.0.0.0/0 on an admin port, naming the entry", () => {
    const group = (ingress: unknown[]) =>
      resource("aws:vpc:security-group", "web-sg", { vpc: "${vpc.id}", ingress });
    expect(
      findings(
        group([
          { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
          { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
          { protocol: "tcp", port: 3000, toPort: 3400, cidr: "0.0.0.0/0" },
        ]),
      ),
    ).toEqual([
      expect.objectContaining({
        resource: "web-sg",
        path: "properties.ingress[2]",
        policy: "baseline/no-public-admin-port",
      }),
    ]);
    expect(findings(group([{ protocol: "-1", cidr: "0.0.0.0/0" }]))).toHaveLength(1);
    expect(messages(group([{ protocol: "tcp", port: 22, cidr: "0.0.0.0/0" }]))).toEqual([
      "the security group allows SSH (22) from 0.0.0.0/0; allow a trusted CIDR (an office range, a VPN) instead",
    ]);
    expect(
      findings(
        group([
          { protocol: "icmp", cidr: "0.0.0.0/0" },
          { protocol: "tcp", port: 22, cidr: "${office.cidr}" },
        ]),
      ),
    ).toEqual([]);
    expect(
      findings(resource("aws:vpc:security-group", "sg", { vpc: "v", ingress: { $unknown: "${x.y}" } })),
    ).toEqual([]);
  });

  it("fires on a container publishing an admin port on every address", () => {
    const container = (ports: unknown[], extra: Record<string, unknown> = {}) =>
      resource("docker:container:run", "dind", { image: "docker:dind", ports, ...extra });
    expect(findings(container(["8080:8080", "2375:2375"]))).toEqual([
      expect.objectContaining({ resource: "dind", path: "properties.ports[1]" }),
    ]);
    expect(findings(container(["0.0.0.0:2222:22/tcp"]))).toHaveLength(1);
    expect(findings(container(["22"]))).toHaveLength(1);
    expect(findings(container([{ host: 5900, container: 5900 }]))).toHaveLength(1);
    expect(findings(container(["[::]:6443:6443"]))).toHaveLength(1);
    expect(messages(container(["2375:2375"]))).toEqual([
      "the container publishes the Docker API (2375) on every host address (0.0.0.0); bind it to 127.0.0.1 (e.g. 127.0.0.1:2222:22) or drop it",
    ]);
    expect(
      findings(
        container(["127.0.0.1:2375:2375", { host: 2222, container: 22, hostIp: "127.0.0.1" }, "8080:8080"]),
      ),
    ).toEqual([]);
    expect(findings(container(["2375:2375"], { network: "host" }))).toEqual([]);
  });
});

describe("baseline/no-any-any-pass", () => {
  it("fires on a pass rule from any source to any destination", () => {
    expect(findings(rule("allow-all", { source: "any", destination: "any", port: 443 }))).toEqual([
      {
        policy: "baseline/no-any-any-pass",
        resource: "allow-all",
        path: "properties.destination",
        enforcement: "mandatory",
        stage: "deployment",
      },
    ]);
    // Missing source and destination mean any in OPNsense; with no port, admin ports are open too.
    expect(
      findings(resource("opnsense:firewall:rule", "bare", { action: "pass" })).map(
        (finding) => finding.policy,
      ),
    ).toEqual(["baseline/no-any-any-pass", "baseline/no-public-admin-port"]);
  });

  it("sees an alias of the deployment that holds 0.0.0.0/0 as any", () => {
    const world = resource("opnsense:firewall:alias", "world", {
      name: "everyone",
      type: "network",
      content: ["0.0.0.0/0"],
    });
    expect(
      findings(world, rule("r", { source: "everyone", destination: "any", port: 443 })).map((f) => f.policy),
    ).toEqual(["baseline/no-any-any-pass"]);
  });

  it("does not fire when either side is narrowed, not known yet, or the rule blocks", () => {
    expect(findings(rule("https", { source: "any", destination: "10.0.150.1", port: 443 }))).toEqual([]);
    expect(findings(rule("lan-out", { source: "10.0.150.0/24", destination: "any", port: 443 }))).toEqual([]);
    expect(findings(rule("https", { source: "any", destination: "${haproxy.ip}", port: 443 }))).toEqual([]);
    expect(findings(rule("deny", { source: "any", destination: "any", action: "block" }))).toEqual([]);
  });
});
