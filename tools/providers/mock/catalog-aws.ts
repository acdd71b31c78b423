import { type PropertyMap, ProviderError, type ValidationIssue } from "../../protocol/index.ts";
import type { CatalogEntry, OutputContext, WorldResource } from "./catalog-entry.ts";
import {
  allocateAddress,
  awsId,
  cidrContains,
  hasHostBits,
  hashHex,
  hashInt,
  parseCidr,
  randomHex,
  randomUpperAlnum,
} from "./net.ts";
import {
  enumOf,
  ipv4Cidr,
  nonEmpty,
  num,
  outputsSchema,
  port,
  propertiesSchema,
  str,
  stringList,
  stringMap,
} from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

/** The account of the AWS documentation examples; the sandbox has no real one. */
const ACCOUNT = "123456789012";
const HOURS_PER_MONTH = 730;
const tags = { ...stringMap, description: "AWS tags; mcp-iac adds its own" };
const arnOutput = { type: "string" };

function arn(context: OutputContext, service: string, resource: string): string {
  return `arn:aws:${service}:${context.region}:${ACCOUNT}:${resource}`;
}

function cidrIssues(properties: PropertyMap, kind: string): Issue[] {
  const cidr = str(properties, "cidrBlock");
  const parsed = cidr ? parseCidr(cidr) : undefined;
  if (!cidr || !parsed) return [];
  if (parsed.prefix < 16 || parsed.prefix > 28) {
    return [
      { path: "properties.cidrBlock", message: `a ${kind} CIDR block must be /16 to /28`, severity: "error" },
    ];
  }
  if (hasHostBits(cidr)) {
    const base = [
      parsed.base >>> 24,
      (parsed.base >>> 16) & 255,
      (parsed.base >>> 8) & 255,
      parsed.base & 255,
    ];
    return [
      {
        path: "properties.cidrBlock",
        message: `${cidr} has host bits set; use ${base.join(".")}/${parsed.prefix}`,
        severity: "error",
      },
    ];
  }
  return [];
}

function lookup(context: OutputContext, id: unknown, type: string): WorldResource | undefined {
  if (typeof id !== "string") return undefined;
  const found = context.world.get(id);
  return found?.type === type ? found : undefined;
}

const vpc: CatalogEntry = {
  type: "aws:vpc:vpc",
  description: "A VPC: an isolated IPv4 network.",
  properties: propertiesSchema(
    { cidrBlock: ipv4Cidr, enableDnsHostnames: { type: "boolean" }, tags },
    ["cidrBlock"],
    [
      { cidrBlock: "10.20.0.0/16", tags: { Name: "portal" } },
      { cidrBlock: "10.20.0.0/16", enableDnsHostnames: true, tags: { Name: "portal" } },
    ],
  ),
  outputs: outputsSchema({ arn: arnOutput }),
  replaceOnChange: ["cidrBlock"],
  validate: (properties) => cidrIssues(properties, "VPC"),
  estimateMonthlyCost: () => 0,
  newId: () => awsId("vpc"),
  makeOutputs: (context) => ({ id: context.id, arn: arn(context, "ec2", `vpc/${context.id}`) }),
};

const subnet: CatalogEntry = {
  type: "aws:vpc:subnet",
  description: "A subnet of a VPC in one availability zone.",
  properties: propertiesSchema(
    {
      vpc: { ...nonEmpty, description: "the VPC's id" },
      cidrBlock: ipv4Cidr,
      availabilityZone: { type: "string", pattern: "^[a-z]{2}(-gov)?-[a-z]+-\\d[a-z]$" },
      mapPublicIpOnLaunch: { type: "boolean" },
      tags,
    },
    ["vpc", "cidrBlock"],
    [
      { vpc: "vpc-0a1b2c3d4e5f67890", cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1a" },
      {
        vpc: "vpc-0a1b2c3d4e5f67890",
        cidrBlock: "10.20.1.0/24",
        availabilityZone: "us-east-1a",
        mapPublicIpOnLaunch: true,
      },
    ],
  ),
  outputs: outputsSchema({ arn: arnOutput, availabilityZone: { type: "string" } }),
  replaceOnChange: ["vpc", "cidrBlock", "availabilityZone"],
  validate: (properties) => cidrIssues(properties, "subnet"),
  estimateMonthlyCost: () => 0,
  newId: () => awsId("subnet"),
  makeOutputs(context) {
    const parent = lookup(context, context.properties["vpc"], "aws:vpc:vpc");
    const outer = parent ? parseCidr(String(parent.properties["cidrBlock"])) : undefined;
    const inner = parseCidr(String(context.properties["cidrBlock"]));
    if (outer && inner && !cidrContains(outer, inner)) {
      throw new ProviderError(
        "VALIDATION_FAILED",
        `InvalidSubnet.Range: ${context.properties["cidrBlock"]} is not within ${parent?.properties["cidrBlock"]} of ${parent?.id}`,
      );
    }
    return {
      id: context.id,
      arn: arn(context, "ec2", `subnet/${context.id}`),
      availabilityZone: str(context.properties, "availabilityZone") ?? `${context.region}a`,
    };
  },
  claims: (resource) => [`unique:subnet ${resource.properties["vpc"]} ${resource.properties["cidrBlock"]}`],
};

const securityGroup: CatalogEntry = {
  type: "aws:vpc:security-group",
  description: "A security group: stateful ingress rules for instances and load balancers.",
  properties: propertiesSchema(
    {
      vpc: { ...nonEmpty, description: "the VPC's id" },
      description: { type: "string", maxLength: 255 },
      ingress: {
        type: "array",
        items: {
          type: "object",
          properties: {
            protocol: enumOf("tcp", "udp", "icmp", "-1", "all"),
            port,
            toPort: port,
            cidr: ipv4Cidr,
          },
          required: ["protocol", "cidr"],
          additionalProperties: false,
        },
      },
      tags,
    },
    ["vpc"],
    [
      { vpc: "vpc-0a1b2c3d4e5f67890", ingress: [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }] },
      {
        vpc: "vpc-0a1b2c3d4e5f67890",
        ingress: [
          { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
          { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
        ],
      },
    ],
  ),
  outputs: outputsSchema({ arn: arnOutput }),
  replaceOnChange: ["vpc", "description"],
  estimateMonthlyCost: () => 0,
  newId: () => awsId("sg"),
  makeOutputs: (context) => ({ id: context.id, arn: arn(context, "ec2", `security-group/${context.id}`) }),
};

/** On-demand USD per hour, us-east-1, Linux. */
const EC2_HOURLY: Record<string, number> = {
  "t3.nano": 0.0052,
  "t3.micro": 0.0104,
  "t3.small": 0.0208,
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "t3.2xlarge": 0.3328,
  "t2.micro": 0.0116,
  "t2.small": 0.023,
  "t2.medium": 0.0464,
  "t4g.micro": 0.0084,
  "t4g.small": 0.0168,
  "t4g.medium": 0.0336,
  "m5.large": 0.096,
  "m5.xlarge": 0.192,
  "m5.2xlarge": 0.384,
  "m6i.large": 0.096,
  "m7i.large": 0.1008,
  "c5.large": 0.085,
  "c5.xlarge": 0.17,
  "c6i.large": 0.085,
  "r5.large": 0.126,
  "r6i.large": 0.126,
};
/** For unlisted types: price by size, roughly an m5's. */
const SIZE_HOURLY: Record<string, number> = {
  nano: 0.006,
  micro: 0.012,
  small: 0.024,
  medium: 0.048,
  large: 0.096,
  xlarge: 0.192,
  "2xlarge": 0.384,
  "4xlarge": 0.768,
};
const EBS_GP3_PER_GB = 0.08;

function ec2Hourly(instanceType: string): number | undefined {
  return EC2_HOURLY[instanceType] ?? SIZE_HOURLY[instanceType.split(".")[1] ?? ""];
}

const money = (usd: number) => Math.round(usd * 100) / 100;

function ec2Address(context: OutputContext): { ip: string; scope: string } {
  const known = lookup(context, context.properties["subnet"], "aws:vpc:subnet");
  const cidr = known ? parseCidr(String(known.properties["cidrBlock"])) : undefined;
  const scope = addressScope(context.properties);
  const taken = (ip: string) => context.world.isClaimed(`addr:${scope} ${ip}`, context.id);
  if (cidr) {
    const ip = allocateAddress(cidr, context.seed, taken, { first: 4, last: 1 });
    if (!ip) {
      throw new ProviderError(
        "QUOTA_EXCEEDED",
        `InsufficientFreeAddressesInSubnet: ${known?.id} (${known?.properties["cidrBlock"]}) has no free address`,
      );
    }
    return { ip, scope };
  }
  const fallback = parseCidr("10.0.0.0/8")!;
  return { ip: allocateAddress(fallback, context.seed, taken, { first: 4, last: 1 }) ?? "10.0.0.4", scope };
}

/** Addresses are unique per subnet; instances without one share a 10.0.0.0/8 fallback. */
function addressScope(properties: PropertyMap): string {
  return typeof properties["subnet"] === "string" ? properties["subnet"] : "default";
}

function publicAddress(context: OutputContext): string {
  // Documentation range (RFC 5737): values only, never contacted; reused once all 254 are out.
  const range = parseCidr("203.0.113.0/24")!;
  const taken = (ip: string) => context.world.isClaimed(`addr:public ${ip}`, context.id);
  // A few probes only: with hundreds of instances the range is full and shared addresses are fine.
  return (
    allocateAddress(range, context.seed, taken, undefined, 16) ??
    `203.0.113.${1 + (hashInt(context.seed) % 254)}`
  );
}

const ec2Instance: CatalogEntry = {
  type: "aws:ec2:instance",
  description: "An EC2 virtual machine; gets a private address in its subnet and a public one.",
  properties: propertiesSchema(
    {
      instanceType: {
        type: "string",
        pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9]+$",
        description: "e.g. t3.medium",
      },
      ami: { type: "string", pattern: "^ami-[0-9a-z]+$" },
      subnet: { ...nonEmpty, description: "the subnet's id" },
      securityGroups: stringList,
      keyName: nonEmpty,
      userData: { type: "string" },
      rootVolumeGb: { type: "integer", minimum: 1, maximum: 16384 },
      tags,
    },
    ["instanceType", "ami"],
    [
      {
        instanceType: "t3.medium",
        ami: "ami-12345",
        subnet: "subnet-0a1b2c3d4e5f67890",
        tags: { Name: "app-1" },
      },
      {
        instanceType: "t3.large",
        ami: "ami-12345",
        subnet: "subnet-0a1b2c3d4e5f67890",
        tags: { Name: "app-1" },
      },
    ],
  ),
  outputs: outputsSchema(
    {
      ip: { type: "string", description: "private IPv4 address" },
      publicIp: { type: "string" },
      privateDns: { type: "string" },
      state: { type: "string" },
      arn: arnOutput,
    },
    ["id", "ip", "publicIp"],
  ),
  replaceOnChange: ["ami", "subnet", "keyName", "userData"],
  estimateMonthlyCost(properties) {
    const instanceType = str(properties, "instanceType");
    const hourly = instanceType ? ec2Hourly(instanceType) : undefined;
    if (hourly === undefined) return undefined;
    return money(hourly * HOURS_PER_MONTH + (num(properties, "rootVolumeGb") ?? 8) * EBS_GP3_PER_GB);
  },
  newId: () => awsId("i"),
  makeOutputs(context) {
    const { previous } = context;
    const { ip } = typeof previous?.["ip"] === "string" ? { ip: previous["ip"] } : ec2Address(context);
    const publicIp =
      typeof previous?.["publicIp"] === "string" ? previous["publicIp"] : publicAddress(context);
    const host = `ip-${ip.replaceAll(".", "-")}`;
    return {
      id: context.id,
      ip,
      publicIp,
      privateDns:
        context.region === "us-east-1"
          ? `${host}.ec2.internal`
          : `${host}.${context.region}.compute.internal`,
      state: "running",
      arn: arn(context, "ec2", `instance/${context.id}`),
    };
  },
  claims: (resource) => [
    `addr:public ${resource.outputs["publicIp"]}`,
    `addr:${addressScope(resource.properties)} ${resource.outputs["ip"]}`,
  ],
};

const RDS_ENGINES = [
  "postgres",
  "mysql",
  "mariadb",
  "aurora-postgresql",
  "aurora-mysql",
  "oracle-se2",
  "oracle-ee",
  "sqlserver-ex",
  "sqlserver-web",
  "sqlserver-se",
  "sqlserver-ee",
];

function enginePort(engine: string | undefined): number {
  if (engine?.startsWith("sqlserver")) return 1433;
  if (engine?.startsWith("oracle")) return 1521;
  if (engine === "mysql" || engine === "mariadb" || engine === "aurora-mysql") return 3306;
  return 5432;
}

/** On-demand USD per hour, single-AZ, us-east-1, PostgreSQL/MySQL. */
const RDS_HOURLY: Record<string, number> = {
  "db.t3.micro": 0.017,
  "db.t3.small": 0.034,
  "db.t3.medium": 0.068,
  "db.t3.large": 0.136,
  "db.t4g.micro": 0.016,
  "db.t4g.small": 0.032,
  "db.t4g.medium": 0.065,
  "db.m5.large": 0.171,
  "db.m5.xlarge": 0.342,
  "db.m6i.large": 0.171,
  "db.r5.large": 0.25,
  "db.r6g.large": 0.225,
};
const RDS_GP2_PER_GB = 0.115;

/** An RDS instance identifier: lowercase letters, digits and single hyphens, starting with a letter. */
function rdsIdentifier(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return (/^[a-z]/.test(cleaned) ? cleaned : `db-${cleaned}`).slice(0, 63);
}

const rdsInstance: CatalogEntry = {
  type: "aws:rds:instance",
  description: "An RDS database instance. Stateful: a replacement loses its data.",
  properties: propertiesSchema(
    {
      engine: enumOf(...RDS_ENGINES),
      engineVersion: nonEmpty,
      instanceClass: {
        type: "string",
        pattern: "^db\\.[a-z0-9]+\\.[a-z0-9]+$",
        description: "e.g. db.t3.micro",
      },
      allocatedStorage: { type: "integer", minimum: 20, maximum: 65536, description: "GiB" },
      backupRetentionDays: { type: "integer", minimum: 0, maximum: 35 },
      publiclyAccessible: { type: "boolean" },
      multiAz: { type: "boolean" },
      username: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_]{0,62}$" },
      password: {
        type: "string",
        minLength: 8,
        maxLength: 128,
        pattern: '^[^/@" ]+$',
        description: "secret",
      },
      subnets: stringList,
      securityGroups: stringList,
      tags,
    },
    ["engine", "instanceClass"],
    [
      {
        engine: "postgres",
        instanceClass: "db.t3.micro",
        allocatedStorage: 20,
        backupRetentionDays: 7,
        publiclyAccessible: false,
      },
      {
        engine: "postgres",
        instanceClass: "db.t3.small",
        allocatedStorage: 50,
        backupRetentionDays: 14,
        publiclyAccessible: false,
      },
    ],
  ),
  outputs: outputsSchema(
    {
      endpoint: { type: "string", description: "the host name clients connect to" },
      port: { type: "integer" },
      arn: arnOutput,
      identifier: { type: "string" },
    },
    ["id", "endpoint", "port"],
  ),
  replaceOnChange: ["engine", "username"],
  secretProperties: ["password"],
  stateful: true,
  validate(properties) {
    if (properties["publiclyAccessible"] === true) {
      return [
        {
          path: "properties.publiclyAccessible",
          message: "the database is reachable from the internet",
          severity: "warning",
        },
      ];
    }
    return [];
  },
  estimateMonthlyCost(properties) {
    const instanceClass = str(properties, "instanceClass");
    const hourly = instanceClass ? RDS_HOURLY[instanceClass] : undefined;
    if (hourly === undefined) return undefined;
    const multiAz = properties["multiAz"] === true ? 2 : 1;
    return money(
      hourly * HOURS_PER_MONTH * multiAz +
        (num(properties, "allocatedStorage") ?? 20) * RDS_GP2_PER_GB * multiAz,
    );
  },
  newId: () => `db-${randomUpperAlnum(26)}`,
  makeOutputs(context) {
    const identifier = rdsIdentifier(context.name);
    // The middle label is per account and region on real RDS, so it is stable here too.
    const accountLabel = hashHex(`rds ${ACCOUNT} ${context.region}`, 12);
    return {
      id: context.id,
      endpoint: `${identifier}.${accountLabel}.${context.region}.rds.amazonaws.com`,
      port: enginePort(str(context.properties, "engine")),
      arn: arn(context, "rds", `db:${identifier}`),
      identifier,
    };
  },
  claims: (resource) => [`unique:rds ${resource.outputs["identifier"]}`],
};

const lbName = (name: string) => name.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 32);

const loadBalancer: CatalogEntry = {
  type: "aws:elb:load-balancer",
  description: "An application or network load balancer across subnets.",
  properties: propertiesSchema(
    {
      subnets: { ...stringList, minItems: 1 },
      listeners: {
        type: "array",
        items: {
          type: "object",
          properties: {
            protocol: enumOf("HTTP", "HTTPS", "TCP", "TLS", "UDP"),
            port,
            targetPort: port,
            certificateArn: nonEmpty,
          },
          required: ["protocol", "port"],
          additionalProperties: false,
        },
      },
      loadBalancerType: enumOf("application", "network"),
      scheme: enumOf("internet-facing", "internal"),
      securityGroups: stringList,
      tags,
    },
    ["subnets"],
    [
      {
        subnets: ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"],
        listeners: [{ protocol: "HTTP", port: 80, targetPort: 8080 }],
      },
      {
        subnets: ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"],
        listeners: [
          { protocol: "HTTP", port: 80, targetPort: 8080 },
          { protocol: "HTTPS", port: 443, targetPort: 8080 },
        ],
      },
    ],
  ),
  outputs: outputsSchema({ dnsName: { type: "string" }, arn: arnOutput }, ["id", "dnsName"]),
  replaceOnChange: ["loadBalancerType", "scheme"],
  estimateMonthlyCost: (properties) =>
    // Hourly charge plus one LCU/NLCU on average.
    money((properties["loadBalancerType"] === "network" ? 0.0225 + 0.006 : 0.0225 + 0.008) * HOURS_PER_MONTH),
  // The load balancer's ARN is its identifier on AWS.
  newId: ({ name, properties, region }) =>
    `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/` +
    `${properties["loadBalancerType"] === "network" ? "net" : "app"}/${lbName(name)}/${randomHex(16)}`,
  makeOutputs(context) {
    const previous = context.previous?.["dnsName"];
    const dnsName =
      typeof previous === "string"
        ? previous
        : `${lbName(context.name)}-${String(hashInt(context.seed)).slice(0, 10)}.${context.region}.elb.amazonaws.com`;
    return { id: context.id, dnsName, arn: context.id };
  },
};

const s3Bucket: CatalogEntry = {
  type: "aws:s3:bucket",
  description: "An S3 bucket. Stateful: deleting it loses its objects.",
  properties: propertiesSchema(
    {
      bucketName: {
        type: "string",
        pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description: "globally unique",
      },
      versioning: { type: "boolean" },
      publicAccessBlock: { type: "boolean" },
      tags,
    },
    ["bucketName"],
    [
      { bucketName: "customer-portal-assets", versioning: false },
      { bucketName: "customer-portal-assets", versioning: true },
    ],
  ),
  outputs: outputsSchema({ arn: arnOutput, domainName: { type: "string" } }, ["id", "arn"]),
  replaceOnChange: ["bucketName"],
  stateful: true,
  // Storage dominates; assume 10 GB of S3 Standard.
  estimateMonthlyCost: () => 0.23,
  newId: ({ properties }) => String(properties["bucketName"]),
  makeOutputs: ({ id }) => ({ id, arn: `arn:aws:s3:::${id}`, domainName: `${id}.s3.amazonaws.com` }),
  claims: (resource) => [`unique:s3 ${resource.properties["bucketName"]}`],
};

export const AWS_ENTRIES: CatalogEntry[] = [
  vpc,
  subnet,
  securityGroup,
  ec2Instance,
  rdsInstance,
  loadBalancer,
  s3Bucket,
];
