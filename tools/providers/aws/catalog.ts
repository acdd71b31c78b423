import type { JsonSchema, PropertyMap } from "../../protocol/index.ts";
import { AWS_ENTRIES } from "../mock/catalog-aws.ts";
import {
  enumOf,
  ipv4Cidr,
  nonEmpty,
  outputsSchema,
  port,
  propertiesSchema,
  stringList,
  stringMap,
} from "../mock/schema-parts.ts";
import type { Mapping } from "./mapping.ts";

/**
 * The seed's AWS types (design §4) onto CloudFormation types: the catalog's property names and
 * outputs, CloudFormation's underneath. Examples point at the account's default VPC and subnets.
 */

const EXAMPLE_VPC = "vpc-0a1b2c3d4e5f67890";
const EXAMPLE_SUBNETS = ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"];
const tags: JsonSchema = { ...stringMap, description: "AWS tags; mcp-iac adds managed-by and its own" };

/** The mock's price estimates serve the real types too: same property names, same prices. */
function costOf(token: string) {
  return AWS_ENTRIES.find((entry) => entry.type === token)?.estimateMonthlyCost;
}

/** Copies defined values from `from[key]` to `to[cfnKey]` (and back with the pairs swapped). */
function rename(from: PropertyMap, pairs: Array<[string, string]>): PropertyMap {
  const to: PropertyMap = {};
  for (const [source, target] of pairs) if (from[source] !== undefined) to[target] = from[source];
  return to;
}

const swap = (pairs: Array<[string, string]>): Array<[string, string]> => pairs.map(([a, b]) => [b, a]);

function simple(
  base: Omit<Mapping, "toCfn" | "fromCfn" | "tagFormat" | "tagsProperty" | "ownedKeys">,
  pairs: Array<[string, string]>,
  primary: string,
  outputs: (model: PropertyMap) => PropertyMap = () => ({}),
): Mapping {
  const mapping: Mapping = {
    ...base,
    tagFormat: "list",
    tagsProperty: "tags",
    ownedKeys: pairs.map(([, cfn]) => cfn),
    toCfn: (properties) => rename(properties, pairs),
    fromCfn: (model, id) => ({
      properties: rename(model, swap(pairs)),
      outputs: { id: String(model[primary] ?? id), ...outputs(model) },
    }),
  };
  const cost = costOf(base.token);
  if (cost) mapping.estimateMonthlyCost = cost;
  return mapping;
}

const vpc = simple(
  {
    token: "aws:vpc:vpc",
    cfnType: "AWS::EC2::VPC",
    description: "A VPC (AWS::EC2::VPC): an isolated IPv4 network.",
    properties: propertiesSchema(
      {
        cidrBlock: ipv4Cidr,
        enableDnsHostnames: { type: "boolean" },
        enableDnsSupport: { type: "boolean" },
        tags,
      },
      ["cidrBlock"],
      [{ cidrBlock: "10.20.0.0/16" }, { cidrBlock: "10.20.0.0/16", enableDnsHostnames: true }],
    ),
    outputs: outputsSchema({ defaultSecurityGroup: { type: "string" } }),
    replaceOnChange: ["cidrBlock"],
  },
  [
    ["cidrBlock", "CidrBlock"],
    ["enableDnsHostnames", "EnableDnsHostnames"],
    ["enableDnsSupport", "EnableDnsSupport"],
  ],
  "VpcId",
  (model) => rename(model, [["DefaultSecurityGroup", "defaultSecurityGroup"]]),
);

const subnet = simple(
  {
    token: "aws:vpc:subnet",
    cfnType: "AWS::EC2::Subnet",
    description: "A subnet of a VPC in one availability zone (AWS::EC2::Subnet).",
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
        { vpc: EXAMPLE_VPC, cidrBlock: "172.31.200.0/24", availabilityZone: "us-east-1a" },
        {
          vpc: EXAMPLE_VPC,
          cidrBlock: "172.31.200.0/24",
          availabilityZone: "us-east-1a",
          mapPublicIpOnLaunch: true,
        },
      ],
    ),
    outputs: outputsSchema({ availabilityZone: { type: "string" } }),
    replaceOnChange: ["vpc", "cidrBlock", "availabilityZone"],
  },
  [
    ["vpc", "VpcId"],
    ["cidrBlock", "CidrBlock"],
    ["availabilityZone", "AvailabilityZone"],
    ["mapPublicIpOnLaunch", "MapPublicIpOnLaunch"],
  ],
  "SubnetId",
  (model) => rename(model, [["AvailabilityZone", "availabilityZone"]]),
);

const DEFAULT_GROUP_DESCRIPTION = "managed by mcp-iac";

type Rule = { protocol: string; port?: number; toPort?: number; cidr: string };

function toIngress(rules: unknown): PropertyMap[] {
  return (Array.isArray(rules) ? (rules as Rule[]) : []).map((rule) => {
    const all = rule.protocol === "-1";
    return {
      IpProtocol: rule.protocol,
      ...(all || rule.port === undefined ? {} : { FromPort: rule.port, ToPort: rule.toPort ?? rule.port }),
      CidrIp: rule.cidr,
    };
  });
}

function fromIngress(rules: unknown): Rule[] {
  return (Array.isArray(rules) ? (rules as PropertyMap[]) : []).map((rule) => {
    const out: Rule = { protocol: String(rule["IpProtocol"]), cidr: String(rule["CidrIp"]) };
    const from = rule["FromPort"];
    const to = rule["ToPort"];
    if (typeof from === "number" && from >= 0) out.port = from;
    if (typeof to === "number" && to !== from) out.toPort = to;
    return out;
  });
}

const securityGroup: Mapping = {
  token: "aws:vpc:security-group",
  cfnType: "AWS::EC2::SecurityGroup",
  description:
    "A security group (AWS::EC2::SecurityGroup): stateful ingress rules; ingress maps to SecurityGroupIngress.",
  properties: propertiesSchema(
    {
      vpc: { ...nonEmpty, description: "the VPC's id" },
      description: { type: "string", maxLength: 255, description: "GroupDescription; create-only" },
      ingress: {
        type: "array",
        items: {
          type: "object",
          properties: { protocol: enumOf("tcp", "udp", "icmp", "-1"), port, toPort: port, cidr: ipv4Cidr },
          required: ["protocol", "cidr"],
          additionalProperties: false,
        },
      },
      tags,
    },
    ["vpc"],
    [
      { vpc: EXAMPLE_VPC, ingress: [{ protocol: "tcp", port: 443, cidr: "0.0.0.0/0" }] },
      {
        vpc: EXAMPLE_VPC,
        ingress: [
          { protocol: "tcp", port: 443, cidr: "0.0.0.0/0" },
          { protocol: "tcp", port: 22, cidr: "10.0.0.0/8" },
        ],
      },
    ],
  ),
  outputs: outputsSchema({}),
  replaceOnChange: ["vpc", "description"],
  tagFormat: "list",
  tagsProperty: "tags",
  ownedKeys: ["VpcId", "GroupDescription", "SecurityGroupIngress"],
  toCfn: (properties) => ({
    ...rename(properties, [["vpc", "VpcId"]]),
    GroupDescription:
      typeof properties["description"] === "string" ? properties["description"] : DEFAULT_GROUP_DESCRIPTION,
    ...(properties["ingress"] === undefined
      ? {}
      : { SecurityGroupIngress: toIngress(properties["ingress"]) }),
  }),
  fromCfn(model, id) {
    const properties = rename(model, [["VpcId", "vpc"]]);
    if (model["GroupDescription"] !== DEFAULT_GROUP_DESCRIPTION && model["GroupDescription"] !== undefined)
      properties["description"] = model["GroupDescription"];
    if (model["SecurityGroupIngress"] !== undefined)
      properties["ingress"] = fromIngress(model["SecurityGroupIngress"]);
    return { properties, outputs: { id: String(model["GroupId"] ?? model["Id"] ?? id) } };
  },
  estimateMonthlyCost: () => 0,
};

const instance = simple(
  {
    token: "aws:ec2:instance",
    cfnType: "AWS::EC2::Instance",
    description: "An EC2 virtual machine (AWS::EC2::Instance); outputs its private and public address.",
    properties: propertiesSchema(
      {
        instanceType: {
          type: "string",
          pattern: "^[a-z][a-z0-9-]*\\.[a-z0-9]+$",
          description: "e.g. t3.medium",
        },
        ami: { type: "string", pattern: "^ami-[0-9a-z]+$" },
        subnet: { ...nonEmpty, description: "the subnet's id" },
        securityGroups: { ...stringList, description: "security group ids" },
        keyName: nonEmpty,
        userData: { type: "string", description: "base64, as EC2 takes it" },
        tags,
      },
      ["instanceType", "ami"],
      [
        { instanceType: "t3.medium", ami: "ami-12345", subnet: EXAMPLE_SUBNETS[0]!, tags: { Name: "app-1" } },
        { instanceType: "t3.large", ami: "ami-12345", subnet: EXAMPLE_SUBNETS[0]!, tags: { Name: "app-1" } },
      ],
    ),
    outputs: outputsSchema(
      {
        ip: { type: "string", description: "private IPv4 address" },
        publicIp: { type: "string" },
        privateDns: { type: "string" },
      },
      ["id", "ip"],
    ),
    replaceOnChange: ["ami", "subnet", "keyName"],
  },
  [
    ["instanceType", "InstanceType"],
    ["ami", "ImageId"],
    ["subnet", "SubnetId"],
    ["securityGroups", "SecurityGroupIds"],
    ["keyName", "KeyName"],
    ["userData", "UserData"],
  ],
  "InstanceId",
  (model) =>
    rename(model, [
      ["PrivateIp", "ip"],
      ["PublicIp", "publicIp"],
      ["PrivateDnsName", "privateDns"],
    ]),
);

export const SIMPLE_MAPPINGS: Mapping[] = [vpc, subnet, securityGroup, instance];
export { EXAMPLE_SUBNETS, EXAMPLE_VPC, rename, simple, swap, tags as tagsSchema };
