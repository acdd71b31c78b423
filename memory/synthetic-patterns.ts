import type { PatternInput, PatternResource } from "./types.ts";

/**
 * Realistic remembered deployments across the §4 catalog, for the benchmark and the large-memory
 * test: ten blueprints, each with varied wording, names, counts, ports and engines. Seeded, so every
 * run generates the same memory.
 */
export function syntheticPatterns(count: number, seed = 11): PatternInput[] {
  const random = mulberry32(seed);
  const patterns: PatternInput[] = [];
  for (let index = 0; index < count; index++) {
    const blueprint = BLUEPRINTS[index % BLUEPRINTS.length]!;
    const { goal, resources } = blueprint(makePick(random), index);
    const name = `${slug(goal).slice(0, 40)}-${index}`;
    patterns.push({
      goal,
      deployment: name,
      spec: { name, resources },
      providers: [...new Set(resources.map((resource) => resource.type.split(":")[0]!))].sort(),
      outcome: "succeeded",
      planner: index % 3 === 0 ? "offline" : "anthropic:claude-sonnet-4-5",
    });
  }
  return patterns;
}

/** Goals worded the way people ask, drawn from the same blueprints with fresh choices. */
export function syntheticGoals(count: number, seed = 23): string[] {
  const random = mulberry32(seed);
  return Array.from(
    { length: count },
    (_, index) => BLUEPRINTS[index % BLUEPRINTS.length]!(makePick(random), index).goal,
  );
}

interface Pick {
  one<T>(items: readonly T[]): T;
  int(min: number, max: number): number;
  chance(p: number): boolean;
}

type Blueprint = (pick: Pick, index: number) => { goal: string; resources: PatternResource[] };

const APPS = [
  "web app",
  "web application",
  "customer portal",
  "api service",
  "shop frontend",
  "wiki",
  "dashboard",
  "ticketing app",
];
const LB_WORDS = ["haproxy", "a load balancer", "an lb", "HAProxy", "a load-balanced frontend"];
const DB_WORDS = ["postgres", "a PostgreSQL database", "a pg db", "mysql", "a MariaDB database"];
const IMAGES = [
  "nginx:1.27",
  "ghcr.io/acme/api:2.3",
  "redis:7",
  "postgres:16",
  "grafana/grafana:11",
  "traefik/whoami",
];

const webBehindLoadBalancer: Blueprint = (pick) => {
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

const guestNetwork: Blueprint = (pick) => {
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

const kubernetesApp: Blueprint = (pick) => {
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

const dockerStack: Blueprint = (pick) => {
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

const awsNetwork: Blueprint = (pick) => {
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

const staticSite: Blueprint = (pick) => {
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

const portForward: Blueprint = (pick) => {
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

const usersAndCerts: Blueprint = (pick) => {
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

const awsHighlyAvailable: Blueprint = (pick) => {
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

const buildAndRun: Blueprint = (pick) => {
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

const BLUEPRINTS: Blueprint[] = [
  webBehindLoadBalancer,
  guestNetwork,
  kubernetesApp,
  dockerStack,
  awsNetwork,
  staticSite,
  portForward,
  usersAndCerts,
  awsHighlyAvailable,
  buildAndRun,
];

function makePick(random: () => number): Pick {
  return {
    one: (items) => items[Math.floor(random() * items.length)]!,
    int: (min, max) => min + Math.floor(random() * (max - min + 1)),
    chance: (p) => random() < p,
  };
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** A seeded PRNG, so the same seed gives the same memory. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
