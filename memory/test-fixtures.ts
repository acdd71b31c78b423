/** Remembered deployments the memory tests and the shared store suite save and search for. */
import type { PatternInput, PatternResource } from "./types.ts";

export function pattern(goal: string, resources: PatternResource[], name = "demo"): PatternInput {
  return {
    goal,
    deployment: name,
    spec: { name, resources },
    providers: [...new Set(resources.map((resource) => resource.type.split(":")[0]!))].sort(),
    outcome: "succeeded",
    planner: "offline",
  };
}

export const WEB_BEHIND_HAPROXY = pattern(
  "web application behind HAProxy with a PostgreSQL database",
  [
    { type: "aws:ec2:instance", name: "app-1", properties: { instanceType: "t3.medium", ami: "ami-1" } },
    { type: "aws:ec2:instance", name: "app-2", properties: { instanceType: "t3.medium", ami: "ami-1" } },
    {
      type: "opnsense:service:haproxy:backend",
      name: "app-backend",
      properties: { mode: "http", servers: ["${aws:ec2:app-1.ip}", "${aws:ec2:app-2.ip}"] },
    },
    {
      type: "opnsense:service:haproxy:frontend",
      name: "app-lb",
      properties: { bind: "10.0.150.1:443", backend: "${app-backend.id}" },
    },
    {
      type: "aws:rds:instance",
      name: "app-db",
      properties: { engine: "postgres", instanceClass: "db.t3.micro" },
    },
  ],
  "customer-portal",
);

export const DNS_AND_DHCP = pattern(
  "DNS overrides and a DHCP range for the office network",
  [
    {
      type: "opnsense:service:dns:override",
      name: "nas-dns",
      properties: { host: "nas", domain: "office.lan", ip: "10.0.10.5" },
    },
    {
      type: "opnsense:service:dhcp:range",
      name: "office-dhcp",
      properties: { interface: "igc1", from: "10.0.10.100", to: "10.0.10.200" },
    },
    {
      type: "opnsense:service:dhcp:static",
      name: "printer",
      properties: { interface: "igc1", mac: "aa:bb:cc:dd:ee:ff", ip: "10.0.10.9", hostname: "printer" },
    },
  ],
  "office-net",
);

export const WEB_BEHIND_ELB = pattern(
  "web app on AWS behind an ELB with a postgres db",
  [
    {
      type: "aws:elb:load-balancer",
      name: "web-elb",
      properties: { subnets: ["subnet-1"], listeners: [{ port: 443, protocol: "https" }] },
    },
    { type: "aws:ec2:instance", name: "web-1", properties: { instanceType: "t3.small" } },
    { type: "aws:rds:instance", name: "web-db", properties: { engine: "postgres" } },
  ],
  "aws-web",
);

export const KUBERNETES_NGINX = pattern(
  "three nginx replicas on kubernetes",
  [
    { type: "kubernetes:core:namespace", name: "web", properties: { name: "web" } },
    {
      type: "kubernetes:apps:deployment",
      name: "nginx",
      properties: { namespace: "web", image: "nginx:1.27", replicas: 3 },
    },
  ],
  "nginx-k8s",
);
