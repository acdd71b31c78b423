import { createHash, randomBytes } from "node:crypto";

/**
 * Per-type rules of the emulated CloudFormation resource types: the schema facts Cloud Control
 * enforces (primary identifier, allowed, required, create-only, read-only and write-only properties)
 * and what each handler fills in. Facts from the terraform-provider-awscc schemas
 * (reference/aws-cloudcontrol-api.md §6, §7), trimmed to what the tests use.
 */

export type Model = Record<string, unknown>;

/** What the emulator's store offers the rules: other resources, by type and identifier. */
export interface Lookup {
  get(type: string, id: string): Model | undefined;
  all(type: string): Array<{ id: string; model: Model }>;
}

export interface HandlerFailure {
  code: string;
  message: string;
}

export interface TypeRule {
  primary: string;
  properties: string[];
  required?: string[];
  createOnly?: string[];
  readOnly: string[];
  writeOnly?: string[];
  /** The primary identifier of a new resource (from its model where the user names it). */
  newId(model: Model): string;
  /** Read-only values set by the handler on create. */
  outputs?(model: Model, id: string): Model;
  /** A handler failure for this create (e.g. a missing parent), else undefined. */
  checkCreate?(model: Model, lookup: Lookup): HandlerFailure | undefined;
  checkDelete?(id: string, lookup: Lookup): HandlerFailure | undefined;
  /** A list handler that needs a parent in ResourceModel. */
  listNeeds?: string;
}

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
export const TAGS = "Tags";

export function hexId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

export function shortHash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

export function notFound(what: string, id: unknown): HandlerFailure {
  return {
    code: "NotFound",
    message: `The ${what} ID '${String(id)}' does not exist (Service: Ec2, Status Code: 400)`,
  };
}

const vpc: TypeRule = {
  primary: "VpcId",
  properties: [
    "CidrBlock",
    "EnableDnsHostnames",
    "EnableDnsSupport",
    "InstanceTenancy",
    "Ipv4IpamPoolId",
    "Ipv4NetmaskLength",
    TAGS,
    "VpcId",
    "CidrBlockAssociations",
    "DefaultNetworkAcl",
    "DefaultSecurityGroup",
    "Ipv6CidrBlocks",
  ],
  createOnly: ["CidrBlock", "Ipv4IpamPoolId", "Ipv4NetmaskLength"],
  readOnly: ["VpcId", "CidrBlockAssociations", "DefaultNetworkAcl", "DefaultSecurityGroup", "Ipv6CidrBlocks"],
  newId: () => hexId("vpc"),
  outputs: (_model, id) => ({
    VpcId: id,
    DefaultSecurityGroup: hexId("sg"),
    DefaultNetworkAcl: hexId("acl"),
    CidrBlockAssociations: [hexId("vpc-cidr-assoc")],
  }),
  checkCreate: (model) =>
    typeof model["CidrBlock"] === "string" || typeof model["Ipv4IpamPoolId"] === "string"
      ? undefined
      : { code: "InvalidRequest", message: "Either CidrBlock or Ipv4IpamPoolId is required" },
  checkDelete(id, lookup) {
    const child = lookup.all("AWS::EC2::Subnet").find((entry) => entry.model["VpcId"] === id);
    if (!child) return undefined;
    return {
      code: "GeneralServiceException",
      message: `The vpc '${id}' has dependencies and cannot be deleted. (Service: Ec2, Status Code: 400, Error Code: DependencyViolation)`,
    };
  },
};

export function vpcMustExist(model: Model, lookup: Lookup): HandlerFailure | undefined {
  const id = model["VpcId"];
  if (id === undefined) return undefined;
  return lookup.get("AWS::EC2::VPC", String(id)) ? undefined : notFound("vpc", id);
}

const subnet: TypeRule = {
  primary: "SubnetId",
  properties: [
    "VpcId",
    "CidrBlock",
    "AvailabilityZone",
    "AvailabilityZoneId",
    "MapPublicIpOnLaunch",
    "Ipv6Native",
    "OutpostArn",
    TAGS,
    "SubnetId",
    "NetworkAclAssociationId",
    "Ipv6CidrBlocks",
  ],
  required: ["VpcId"],
  createOnly: ["VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId", "Ipv6Native", "OutpostArn"],
  readOnly: ["SubnetId", "NetworkAclAssociationId", "Ipv6CidrBlocks"],
  newId: () => hexId("subnet"),
  outputs: (model, id) => ({
    SubnetId: id,
    NetworkAclAssociationId: hexId("aclassoc"),
    AvailabilityZone: model["AvailabilityZone"] ?? `${REGION}a`,
  }),
  checkCreate: vpcMustExist,
};

const securityGroup: TypeRule = {
  primary: "Id",
  properties: [
    "GroupDescription",
    "GroupName",
    "VpcId",
    "SecurityGroupIngress",
    "SecurityGroupEgress",
    TAGS,
    "Id",
    "GroupId",
  ],
  required: ["GroupDescription"],
  createOnly: ["GroupDescription", "GroupName", "VpcId"],
  readOnly: ["Id", "GroupId"],
  newId: () => hexId("sg"),
  outputs: (_model, id) => ({ Id: id, GroupId: id }),
  checkCreate: vpcMustExist,
};

const instance: TypeRule = {
  primary: "InstanceId",
  properties: [
    "ImageId",
    "InstanceType",
    "SubnetId",
    "SecurityGroupIds",
    "SecurityGroups",
    "KeyName",
    "UserData",
    "BlockDeviceMappings",
    "AvailabilityZone",
    "PrivateIpAddress",
    "NetworkInterfaces",
    TAGS,
    "InstanceId",
    "PrivateIp",
    "PublicIp",
    "PrivateDnsName",
    "PublicDnsName",
    "VpcId",
    "State",
  ],
  createOnly: [
    "ImageId",
    "SubnetId",
    "AvailabilityZone",
    "KeyName",
    "NetworkInterfaces",
    "SecurityGroups",
    "PrivateIpAddress",
  ],
  readOnly: ["InstanceId", "PrivateIp", "PublicIp", "PrivateDnsName", "PublicDnsName", "VpcId", "State"],
  newId: () => hexId("i"),
  outputs(_model, id) {
    const seed = Number.parseInt(shortHash(id, 4), 16);
    const privateIp = `10.20.1.${4 + (seed % 240)}`;
    const publicIp = `203.0.113.${1 + (seed % 250)}`;
    return {
      InstanceId: id,
      PrivateIp: privateIp,
      PublicIp: publicIp,
      PrivateDnsName: `ip-${privateIp.replaceAll(".", "-")}.ec2.internal`,
      PublicDnsName: `ec2-${publicIp.replaceAll(".", "-")}.compute-1.amazonaws.com`,
      State: { Code: "16", Name: "running" },
    };
  },
  checkCreate(model, lookup) {
    if (typeof model["ImageId"] !== "string")
      return { code: "InvalidRequest", message: "ImageId is required to launch an instance" };
    const subnetId = model["SubnetId"];
    if (subnetId !== undefined && !lookup.get("AWS::EC2::Subnet", String(subnetId)))
      return notFound("subnet", subnetId);
    return undefined;
  },
};

const dbInstance: TypeRule = {
  primary: "DBInstanceIdentifier",
  properties: [
    "DBInstanceIdentifier",
    "Engine",
    "EngineVersion",
    "DBInstanceClass",
    "AllocatedStorage",
    "BackupRetentionPeriod",
    "PubliclyAccessible",
    "MultiAZ",
    "MasterUsername",
    "MasterUserPassword",
    "DBName",
    "DBSubnetGroupName",
    "VPCSecurityGroups",
    "StorageEncrypted",
    "KmsKeyId",
    TAGS,
    "Endpoint",
    "DBInstanceArn",
    "DbiResourceId",
    "DBInstanceStatus",
  ],
  required: ["DBInstanceClass"],
  createOnly: [
    "DBInstanceIdentifier",
    "DBName",
    "MasterUsername",
    "DBSubnetGroupName",
    "KmsKeyId",
    "StorageEncrypted",
  ],
  readOnly: ["Endpoint", "DBInstanceArn", "DbiResourceId", "DBInstanceStatus"],
  writeOnly: ["MasterUserPassword"],
  newId: (model) =>
    typeof model["DBInstanceIdentifier"] === "string"
      ? model["DBInstanceIdentifier"].toLowerCase()
      : `db-${randomBytes(13).toString("hex").slice(0, 26)}`,
  outputs(model, id) {
    const engine = String(model["Engine"] ?? "postgres");
    const port = engine.startsWith("mysql") || engine === "mariadb" ? "3306" : "5432";
    return {
      DBInstanceIdentifier: id,
      Endpoint: {
        Address: `${id}.${shortHash(ACCOUNT, 12)}.${REGION}.rds.amazonaws.com`,
        Port: port,
        HostedZoneId: "Z2R2ITUGPM61AM",
      },
      DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`,
      DbiResourceId: `db-${shortHash(id, 26).toUpperCase()}`,
      DBInstanceStatus: "available",
    };
  },
  checkCreate(model, lookup) {
    if (typeof model["Engine"] !== "string")
      return { code: "InvalidRequest", message: "Engine is required when no snapshot is given" };
    const id = model["DBInstanceIdentifier"];
    if (typeof id === "string" && lookup.get("AWS::RDS::DBInstance", id.toLowerCase()))
      return { code: "AlreadyExists", message: `DB instance ${id} already exists` };
    return undefined;
  },
};

/** The EC2 and RDS types; the others are in type-rules-services.ts. */
export const EC2_RDS_RULES: Record<string, TypeRule> = {
  "AWS::EC2::VPC": vpc,
  "AWS::EC2::Subnet": subnet,
  "AWS::EC2::SecurityGroup": securityGroup,
  "AWS::EC2::Instance": instance,
  "AWS::RDS::DBInstance": dbInstance,
};
