import { type Blueprint, slug } from "./synthetic-blueprints.ts";
import type { PatternResource } from "./types.ts";

export const staticSite: Blueprint = (pick) => {
  const site = pick.one(["docs", "marketing site", "status page", "landing page"]);
  const versioning = pick.chance(0.5);
  return {
    goal: `host the ${site} as a static website in an s3 bucket${versioning ? " with versioning" : ""} and a tls certificate`,
    resources: [
      {
        type: "aws:s3:bucket",
        name: "site-bucket",
        properties: { bucketName: `${slug(site)}-${pick.int(100, 999)}`, versioning },
      },
      {
        type: "opnsense:security:certificate",
        name: "site-cert",
        properties: { commonName: `${slug(site)}.example.com`, altNames: [], lifetimeDays: 90 },
      },
    ],
  };
};

export const portForward: Blueprint = (pick) => {
  const port = pick.one([22, 25, 80, 443, 1194, 3389, 8443, 25565]);
  const host = `10.0.${pick.int(1, 50)}.${pick.int(2, 250)}`;
  return {
    goal: `${pick.one(["port forward", "forward port", "nat"])} ${port} from the wan to ${host} with an alias and a firewall rule`,
    resources: [
      {
        type: "opnsense:firewall:alias",
        name: "forward-target",
        properties: { name: "forward_target", type: "host", content: [host] },
      },
      {
        type: "opnsense:firewall:nat",
        name: `forward-${port}`,
        properties: { interface: "wan", protocol: "tcp", port, target: host, targetPort: port },
      },
      {
        type: "opnsense:firewall:rule",
        name: `allow-${port}`,
        properties: {
          action: "pass",
          interface: "wan",
          direction: "in",
          protocol: "tcp",
          destination: "forward_target",
          port,
        },
      },
    ],
  };
};

export const usersAndCerts: Blueprint = (pick) => {
  const users = pick.int(1, 4);
  const domain = pick.one(["fw.lan", "vpn.example.com", "admin.corp", "gw.home.arpa"]);
  const resources: PatternResource[] = [
    {
      type: "opnsense:security:certificate",
      name: "web-gui-cert",
      properties: { commonName: domain, altNames: [`www.${domain}`], lifetimeDays: 365 },
    },
  ];
  for (let n = 1; n <= users; n++)
    resources.push({
      type: "opnsense:security:user",
      name: `admin-${n}`,
      properties: { username: `admin${n}`, groups: ["admins"] },
    });
  return {
    goal: `${users} firewall admin users and a ${pick.one(["tls", "ssl", "https"])} certificate for ${domain}`,
    resources,
  };
};

export const awsHighlyAvailable: Blueprint = (pick) => {
  const engine = pick.one(["postgres", "mysql", "mariadb"]);
  const instances = pick.int(2, 6);
  const resources: PatternResource[] = [
    { type: "aws:vpc:vpc", name: "vpc", properties: { cidrBlock: "10.30.0.0/16" } },
    {
      type: "aws:vpc:subnet",
      name: "public-a",
      properties: { vpc: "${vpc.id}", cidrBlock: "10.30.1.0/24", availabilityZone: "eu-west-1a" },
    },
    {
      type: "aws:vpc:subnet",
      name: "public-b",
      properties: { vpc: "${vpc.id}", cidrBlock: "10.30.2.0/24", availabilityZone: "eu-west-1b" },
    },
    {
      type: "aws:elb:load-balancer",
      name: "web-elb",
      properties: {
        subnets: ["${public-a.id}", "${public-b.id}"],
        listeners: [{ port: 443, protocol: "https" }],
      },
    },
    {
      type: "aws:rds:instance",
      name: "web-db",
      properties: {
        engine,
        instanceClass: "db.m5.large",
        allocatedStorage: 100,
        backupRetentionDays: 14,
        publiclyAccessible: false,
      },
    },
  ];
  for (let n = 1; n <= instances; n++)
    resources.push({
      type: "aws:ec2:instance",
      name: `web-${n}`,
      properties: {
        instanceType: "t3.medium",
        ami: "ami-0abc",
        subnet: n % 2 ? "${public-a.id}" : "${public-b.id}",
      },
    });
  return {
    goal: `highly available web app on aws with an elb, ${instances} instances and an rds ${engine} database with backups`,
    resources,
  };
};

export const buildAndRun: Blueprint = (pick) => {
  const app = pick.one(["frontend", "api", "worker", "hello"]);
  const port = pick.one([80, 8080, 3000]);
  return {
    goal: `build the ${app} docker image from ./${app} and run it on port ${port}`,
    resources: [
      {
        type: "docker:image:build",
        name: `${app}-image`,
        properties: { context: `./${app}`, dockerfile: "Dockerfile", tags: [`${app}:dev`] },
      },
      {
        type: "docker:container:run",
        name: app,
        properties: { image: `\${${app}-image.id}`, ports: [`${port}:${port}`], labels: { app } },
      },
    ],
  };
};
