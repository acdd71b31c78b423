import * as catalog from "../../protocol/catalog/aws.ts";
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
import { str } from "./schema-parts.ts";

type Issue = Omit<ValidationIssue, "resource">;

/** The account of the AWS documentation examples; the sandbox has no real one. */
const ACCOUNT = "123456789012";

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
  ...catalog.vpcType,
  validate: (properties) => cidrIssues(properties, "VPC"),
  newId: () => awsId("vpc"),
  makeOutputs: (context) => ({ id: context.id }),
};

const subnet: CatalogEntry = {
  ...catalog.subnetType,
  validate: (properties) => cidrIssues(properties, "subnet"),
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
      availabilityZone: str(context.properties, "availabilityZone") ?? `${context.region}a`,
    };
  },
  claims: (resource) => [`unique:subnet ${resource.properties["vpc"]} ${resource.properties["cidrBlock"]}`],
};

const securityGroup: CatalogEntry = {
  ...catalog.securityGroupType,
  newId: () => awsId("sg"),
  makeOutputs: (context) => ({ id: context.id }),
};

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
  ...catalog.instanceType,
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
    };
  },
  claims: (resource) => [
    `addr:public ${resource.outputs["publicIp"]}`,
    `addr:${addressScope(resource.properties)} ${resource.outputs["ip"]}`,
  ],
};

function enginePort(engine: string | undefined): number {
  if (engine?.startsWith("sqlserver")) return 1433;
  if (engine?.startsWith("oracle")) return 1521;
  if (engine === "mysql" || engine === "mariadb" || engine === "aurora-mysql") return 3306;
  return 5432;
}

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
  ...catalog.rdsInstanceType,
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
    };
  },
  // The identifier is the endpoint's first label: unique per account and region.
  claims: (resource) => [`unique:rds ${String(resource.outputs["endpoint"]).split(".")[0]}`],
};

const lbName = (name: string) => name.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 32);

const loadBalancer: CatalogEntry = {
  ...catalog.loadBalancerType,
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
  ...catalog.bucketType,
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
