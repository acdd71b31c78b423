import type { JsonSchema } from "../type-handler.ts";
import {
  bucketMonthlyCost,
  ec2MonthlyCost,
  free,
  loadBalancerMonthlyCost,
  rdsMonthlyCost,
} from "./aws-pricing.ts";
import {
  enumOf,
  ipv4Cidr,
  nonEmpty,
  outputsSchema,
  port,
  propertiesSchema,
  stringList,
  stringMap,
} from "./parts.ts";
import type { CatalogType } from "./types.ts";

/**
 * The seed's AWS types (design §4), table-like data: the real provider (tools/providers/aws, which maps
 * them onto CloudFormation types) and the sandbox's mock describe exactly these. Examples point at the
 * account's default VPC and subnets.
 */

export const EXAMPLE_VPC = "vpc-0a1b2c3d4e5f67890";
export const EXAMPLE_SUBNETS = ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"];
const tags: JsonSchema = { ...stringMap, description: "AWS tags; mcp-iac adds managed-by and its own" };

export const vpcType: CatalogType = {
  type: "aws:vpc:vpc",
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
  estimateMonthlyCost: free,
};

export const subnetType: CatalogType = {
  type: "aws:vpc:subnet",
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
  estimateMonthlyCost: free,
};

export const securityGroupType: CatalogType = {
  type: "aws:vpc:security-group",
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
  estimateMonthlyCost: free,
};

export const instanceType: CatalogType = {
  type: "aws:ec2:instance",
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
      rootVolumeGb: {
        type: "integer",
        minimum: 1,
        maximum: 16384,
        description: "the root EBS volume's size",
      },
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
      state: { type: "string", description: "pending, running, stopped..." },
    },
    ["id", "ip"],
  ),
  // EC2 replaces the instance for any block-device change but DeleteOnTermination.
  replaceOnChange: ["ami", "subnet", "keyName", "rootVolumeGb"],
  estimateMonthlyCost: ec2MonthlyCost,
};

export const rdsInstanceType: CatalogType = {
  type: "aws:rds:instance",
  description:
    "An RDS database instance (AWS::RDS::DBInstance). Stateful: a replacement loses its data. password is write-only (MasterUserPassword) and secret.",
  properties: propertiesSchema(
    {
      engine: enumOf(
        "postgres",
        "mysql",
        "mariadb",
        "oracle-se2",
        "oracle-ee",
        "sqlserver-ex",
        "sqlserver-web",
        "sqlserver-se",
        "sqlserver-ee",
      ),
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
      username: {
        type: "string",
        pattern: "^[A-Za-z][A-Za-z0-9_]{0,62}$",
        description: "MasterUsername; create-only",
      },
      password: {
        type: "string",
        minLength: 8,
        maxLength: 128,
        pattern: '^[^/@" ]+$',
        description: "secret; write-only",
      },
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
      arn: { type: "string" },
    },
    ["id", "endpoint", "port"],
  ),
  replaceOnChange: ["engine", "username"],
  secretProperties: ["password"],
  stateful: true,
  estimateMonthlyCost: rdsMonthlyCost,
};

export const loadBalancerType: CatalogType = {
  type: "aws:elb:load-balancer",
  description:
    "An application or network load balancer across subnets (AWS::ElasticLoadBalancingV2::LoadBalancer); each listener becomes a Listener and a TargetGroup it owns.",
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
            targetPort: { ...port, description: "the targets' port; default: port" },
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
      { subnets: EXAMPLE_SUBNETS, listeners: [{ protocol: "HTTP", port: 80, targetPort: 8080 }] },
      {
        subnets: EXAMPLE_SUBNETS,
        listeners: [
          { protocol: "HTTP", port: 80, targetPort: 8080 },
          { protocol: "HTTP", port: 8081, targetPort: 8080 },
        ],
      },
    ],
  ),
  outputs: outputsSchema({ dnsName: { type: "string" }, arn: { type: "string" } }, ["id", "dnsName"]),
  replaceOnChange: ["loadBalancerType", "scheme"],
  estimateMonthlyCost: loadBalancerMonthlyCost,
};

export const bucketType: CatalogType = {
  type: "aws:s3:bucket",
  description: "An S3 bucket (AWS::S3::Bucket). Stateful: deleting it loses its objects.",
  properties: propertiesSchema(
    {
      bucketName: {
        type: "string",
        pattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
        description: "globally unique; create-only",
      },
      versioning: { type: "boolean" },
      publicAccessBlock: { type: "boolean", description: "block every kind of public access" },
      tags,
    },
    ["bucketName"],
    [
      { bucketName: "customer-portal-assets", versioning: false },
      { bucketName: "customer-portal-assets", versioning: true },
    ],
  ),
  outputs: outputsSchema({ arn: { type: "string" }, domainName: { type: "string" } }, ["id", "arn"]),
  replaceOnChange: ["bucketName"],
  stateful: true,
  estimateMonthlyCost: bucketMonthlyCost,
};

/** In the design's order. */
export const AWS_TYPES: readonly CatalogType[] = [
  vpcType,
  subnetType,
  securityGroupType,
  instanceType,
  rdsInstanceType,
  loadBalancerType,
  bucketType,
];
