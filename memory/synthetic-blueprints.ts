import type { PatternResource } from "./types.ts";

/** The choices a blueprint draws from, seeded by the caller. */
export interface Pick {
  one<T>(items: readonly T[]): T;
  int(min: number, max: number): number;
  chance(p: number): boolean;
}

/** One kind of remembered deployment, worded and sized by the draws. */
export type Blueprint = (pick: Pick, index: number) => { goal: string; resources: PatternResource[] };

export const APPS = [
  "web app",
  "web application",
  "customer portal",
  "api service",
  "shop frontend",
  "wiki",
  "dashboard",
  "ticketing app",
];
export const LB_WORDS = ["haproxy", "a load balancer", "an lb", "HAProxy", "a load-balanced frontend"];
export const DB_WORDS = ["postgres", "a PostgreSQL database", "a pg db", "mysql", "a MariaDB database"];
export const IMAGES = [
  "nginx:1.27",
  "ghcr.io/acme/api:2.3",
  "redis:7",
  "postgres:16",
  "grafana/grafana:11",
  "traefik/whoami",
];

export const webBehindLoadBalancer: Blueprint = (pick) => {
  const app = pick.one(APPS);
  const db = pick.one(DB_WORDS);
  const servers = pick.int(2, 4);
  const port = pick.one([8080, 3000, 8000, 80]);
  const tag = pick.int(100, 400);
  const guest = pick.chance(0.3);
  const resources: PatternResource[] = [
    {
      type: "opnsense:network:vlan",
      name: "app-network",
      properties: { tag, interface: "igc2", description: `${app} network` },
    },
  ];
  for (let n = 1; n <= servers; n++) {
    resources.push({
      type: "aws:ec2:instance",
      name: `app-${n}`,
      properties: {
        instanceType: pick.one(["t3.small", "t3.medium"]),
        ami: "ami-0abc",
        subnet: "${subnet.id}",
      },
    });
  }
  resources.push(
    {
      type: "opnsense:service:haproxy:backend",
      name: "app-backend",
      properties: {
        mode: "http",
        balance: "roundrobin",
        servers: Array.from({ length: servers }, (_, n) => `\${aws:ec2:app-${n + 1}.ip}:${port}`),
      },
    },
    {
      type: "opnsense:service:haproxy:frontend",
      name: "app-lb",
      properties: { bind: `10.0.${tag}.1:443`, backend: "${app-backend.id}", mode: "http" },
    },
    {
      type: "aws:rds:instance",
      name: "app-db",
      properties: {
        engine: /my|maria/i.test(db) ? "mysql" : "postgres",
        instanceClass: "db.t3.micro",
        allocatedStorage: 20,
        backupRetentionDays: 7,
      },
    },
    {
      type: "opnsense:firewall:rule",
      name: "allow-https",
      properties: { action: "pass", source: "any", destination: "${app-lb.ip}", port: 443 },
    },
  );
  if (guest)
    resources.push({
      type: "opnsense:service:dhcp:range",
      name: "guest-dhcp",
      properties: { interface: "${app-network.device}", from: `10.0.${tag}.100`, to: `10.0.${tag}.200` },
    });
  return {
    goal: `${app} behind ${pick.one(LB_WORDS)} with ${db} and ${servers} app servers${guest ? " and a guest vlan" : ""}`,
    resources,
  };
};

export const guestNetwork: Blueprint = (pick) => {
  const tag = pick.int(10, 4000);
  const what = pick.one(["guest wifi network", "guest vlan", "iot network", "lab network", "camera vlan"]);
  const dns = pick.chance(0.6);
  const resources: PatternResource[] = [
    {
      type: "opnsense:network:vlan",
      name: "guest-vlan",
      properties: { tag, interface: pick.one(["igc1", "igc3", "em0"]), description: what },
    },
    {
      type: "opnsense:network:interface",
      name: "guest-if",
      properties: { device: "${guest-vlan.device}", ipv4: `10.${tag % 250}.0.1/24` },
    },
    {
      type: "opnsense:service:dhcp:range",
      name: "guest-dhcp",
      properties: { interface: "${guest-if.id}", from: `10.${tag % 250}.0.100`, to: `10.${tag % 250}.0.250` },
    },
    {
      type: "opnsense:firewall:rule",
      name: "block-lan",
      properties: {
        action: "block",
        interface: "${guest-if.id}",
        source: "any",
        destination: "lan",
        protocol: "any",
      },
    },
  ];
  if (dns)
    resources.push({
      type: "opnsense:service:dns:override",
      name: "portal-dns",
      properties: { host: "portal", domain: "guest.lan", ip: `10.${tag % 250}.0.1` },
    });
  return {
    goal: `${what} on vlan ${tag} with dhcp${dns ? " and a dns override" : ""}, isolated from the lan`,
    resources,
  };
};

export const kubernetesApp: Blueprint = (pick) => {
  const replicas = pick.int(1, 6);
  const image = pick.one(IMAGES);
  const app = image.split("/").at(-1)!.split(":")[0]!;
  const exposed = pick.chance(0.5);
  const namespace = pick.one(["web", "prod", "staging", "tools", "monitoring"]);
  return {
    goal: `${replicas} replicas of ${app} on ${pick.one(["kubernetes", "k8s", "the cluster"])} in namespace ${namespace}${exposed ? " exposed through a load balancer service" : ""}`,
    resources: [
      { type: "kubernetes:core:namespace", name: namespace, properties: { name: namespace } },
      {
        type: "kubernetes:core:configmap",
        name: `${app}-config`,
        properties: { namespace, data: { LOG_LEVEL: "info" } },
      },
      {
        type: "kubernetes:apps:deployment",
        name: app,
        properties: { namespace, image, replicas, ports: [8080] },
      },
      {
        type: "kubernetes:core:service",
        name: `${app}-svc`,
        properties: {
          namespace,
          selector: { app },
          ports: [{ port: 80, targetPort: 8080 }],
          type: exposed ? "LoadBalancer" : "ClusterIP",
        },
      },
    ],
  };
};

export const dockerStack: Blueprint = (pick) => {
  const app = pick.one(["api", "blog", "wiki", "shop", "chat"]);
  const sidecar = pick.one(["redis cache", "postgres database", "memcached", "mysql db"]);
  const port = pick.one([8080, 3000, 5000, 8000]);
  const sideImage = sidecar.startsWith("redis")
    ? "redis:7"
    : sidecar.startsWith("postgres")
      ? "postgres:16"
      : sidecar.startsWith("mysql")
        ? "mysql:8"
        : "memcached:1.6";
  return {
    goal: `run the ${app} in docker with a ${sidecar} on a private network, port ${port}`,
    resources: [
      { type: "docker:network:create", name: `${app}-net`, properties: { driver: "bridge" } },
      { type: "docker:volume:create", name: `${app}-data`, properties: { driver: "local" } },
      {
        type: "docker:container:run",
        name: `${app}-side`,
        properties: { image: sideImage, network: `\${${app}-net.id}`, mounts: [`\${${app}-data.id}:/data`] },
      },
      {
        type: "docker:container:run",
        name: app,
        properties: {
          image: `acme/${app}:latest`,
          network: `\${${app}-net.id}`,
          ports: [`${port}:${port}`],
          env: { BACKEND: `${app}-side` },
        },
      },
    ],
  };
};

export const awsNetwork: Blueprint = (pick) => {
  const subnets = pick.int(1, 4);
  const instances = pick.int(1, 5);
  const size = pick.one(["t3.micro", "t3.small", "m5.large", "c6i.xlarge"]);
  const resources: PatternResource[] = [
    { type: "aws:vpc:vpc", name: "main-vpc", properties: { cidrBlock: "10.20.0.0/16" } },
    {
      type: "aws:vpc:security-group",
      name: "ssh-web",
      properties: {
        vpc: "${main-vpc.id}",
        ingress: [
          { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
          { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
        ],
      },
    },
  ];
  for (let n = 1; n <= subnets; n++)
    resources.push({
      type: "aws:vpc:subnet",
      name: `subnet-${n}`,
      properties: {
        vpc: "${main-vpc.id}",
        cidrBlock: `10.20.${n}.0/24`,
        availabilityZone: `eu-west-1${"abc"[n % 3]}`,
      },
    });
  for (let n = 1; n <= instances; n++)
    resources.push({
      type: "aws:ec2:instance",
      name: `vm-${n}`,
      properties: {
        instanceType: size,
        ami: "ami-0abc",
        subnet: "${subnet-1.id}",
        securityGroups: ["${ssh-web.id}"],
      },
    });
  return {
    goal: `aws vpc with ${subnets} subnets and ${instances} ${size} ${pick.one(["instances", "vms", "virtual machines", "ec2 servers"])} allowing ssh and https`,
    resources,
  };
};

/** Lower-case words joined by "-", for resource and deployment names. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
