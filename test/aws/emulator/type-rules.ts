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

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const TAGS = "Tags";

export function hexId(prefix: string): string {
  return `${prefix}-${randomBytes(9).toString("hex").slice(0, 17)}`;
}

function shortHash(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function notFound(what: string, id: unknown): HandlerFailure {
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

function vpcMustExist(model: Model, lookup: Lookup): HandlerFailure | undefined {
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

const loadBalancer: TypeRule = {
  primary: "LoadBalancerArn",
  properties: [
    "Name",
    "Type",
    "Scheme",
    "Subnets",
    "SubnetMappings",
    "SecurityGroups",
    "IpAddressType",
    "LoadBalancerAttributes",
    TAGS,
    "LoadBalancerArn",
    "LoadBalancerName",
    "LoadBalancerFullName",
    "DNSName",
    "CanonicalHostedZoneID",
  ],
  createOnly: ["Name", "Type", "Scheme"],
  readOnly: [
    "LoadBalancerArn",
    "LoadBalancerName",
    "LoadBalancerFullName",
    "DNSName",
    "CanonicalHostedZoneID",
  ],
  newId(model) {
    const name =
      typeof model["Name"] === "string" ? model["Name"] : `lb-${shortHash(String(Math.random()), 10)}`;
    const kind = model["Type"] === "network" ? "net" : "app";
    return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/${kind}/${name}/${randomBytes(8).toString("hex")}`;
  },
  outputs(_model, id) {
    const [kind, name, suffix] = (id.split(":loadbalancer/")[1] ?? "").split("/");
    return {
      LoadBalancerArn: id,
      LoadBalancerName: name,
      LoadBalancerFullName: `${kind}/${name}/${suffix}`,
      DNSName: `${name}-${Number.parseInt(shortHash(id, 7), 16)}.${REGION}.elb.amazonaws.com`,
      CanonicalHostedZoneID: "Z35SXDOTRQ7X7K",
    };
  },
  checkCreate(model, lookup) {
    const subnets = Array.isArray(model["Subnets"]) ? model["Subnets"] : [];
    const missing = subnets.find((id) => !lookup.get("AWS::EC2::Subnet", String(id)));
    return missing === undefined ? undefined : notFound("subnet", missing);
  },
};

const targetGroup: TypeRule = {
  primary: "TargetGroupArn",
  properties: [
    "Name",
    "Protocol",
    "Port",
    "VpcId",
    "TargetType",
    "HealthCheckPath",
    "Targets",
    TAGS,
    "TargetGroupArn",
    "TargetGroupName",
    "LoadBalancerArns",
  ],
  createOnly: ["Name", "Protocol", "Port", "VpcId", "TargetType"],
  readOnly: ["TargetGroupArn", "TargetGroupName", "LoadBalancerArns"],
  newId: () =>
    `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/tg-${shortHash(String(Math.random()), 8)}/${randomBytes(8).toString("hex")}`,
  outputs: (_model, id) => ({ TargetGroupArn: id, TargetGroupName: id.split("/")[1] }),
  checkCreate: vpcMustExist,
};

const listener: TypeRule = {
  primary: "ListenerArn",
  properties: [
    "LoadBalancerArn",
    "Port",
    "Protocol",
    "DefaultActions",
    "Certificates",
    "SslPolicy",
    "ListenerArn",
  ],
  required: ["LoadBalancerArn", "DefaultActions"],
  createOnly: ["LoadBalancerArn"],
  readOnly: ["ListenerArn"],
  newId: (model) =>
    `${String(model["LoadBalancerArn"]).replace(":loadbalancer/", ":listener/")}/${randomBytes(8).toString("hex")}`,
  outputs: (_model, id) => ({ ListenerArn: id }),
  checkCreate(model, lookup) {
    const lb = model["LoadBalancerArn"];
    if (!lookup.get("AWS::ElasticLoadBalancingV2::LoadBalancer", String(lb)))
      return { code: "NotFound", message: `Load balancer '${String(lb)}' not found` };
    return undefined;
  },
  listNeeds: "LoadBalancerArn",
};

const bucket: TypeRule = {
  primary: "BucketName",
  properties: [
    "BucketName",
    "VersioningConfiguration",
    "BucketEncryption",
    "PublicAccessBlockConfiguration",
    "LifecycleConfiguration",
    TAGS,
    "Arn",
    "DomainName",
    "DualStackDomainName",
    "RegionalDomainName",
    "WebsiteURL",
  ],
  createOnly: ["BucketName"],
  readOnly: ["Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL"],
  newId: (model) =>
    typeof model["BucketName"] === "string"
      ? model["BucketName"]
      : `bucket-${shortHash(String(Math.random()), 12)}`,
  outputs: (_model, id) => ({
    BucketName: id,
    Arn: `arn:aws:s3:::${id}`,
    DomainName: `${id}.s3.amazonaws.com`,
    DualStackDomainName: `${id}.s3.dualstack.${REGION}.amazonaws.com`,
    RegionalDomainName: `${id}.s3.${REGION}.amazonaws.com`,
    WebsiteURL: `http://${id}.s3-website-${REGION}.amazonaws.com`,
  }),
  checkCreate(model, lookup) {
    const name = model["BucketName"];
    if (typeof name === "string" && lookup.get("AWS::S3::Bucket", name))
      return { code: "AlreadyExists", message: `${name} already exists` };
    return undefined;
  },
};

const queue: TypeRule = {
  primary: "QueueUrl",
  properties: [
    "QueueName",
    "FifoQueue",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "MaximumMessageSize",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "SqsManagedSseEnabled",
    TAGS,
    "QueueUrl",
    "Arn",
  ],
  createOnly: ["FifoQueue", "QueueName"],
  readOnly: ["QueueUrl", "Arn"],
  newId: (model) =>
    `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${typeof model["QueueName"] === "string" ? model["QueueName"] : `queue-${shortHash(String(Math.random()), 12)}`}`,
  outputs: (_model, id) => ({ QueueUrl: id, Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${id.split("/").pop()}` }),
  checkCreate(model, lookup) {
    const name = model["QueueName"];
    if (typeof name !== "string") return undefined;
    const taken = lookup.all("AWS::SQS::Queue").some((entry) => entry.id.endsWith(`/${name}`));
    return taken ? { code: "AlreadyExists", message: `Queue ${name} already exists` } : undefined;
  },
};

const logGroup: TypeRule = {
  primary: "LogGroupName",
  properties: ["LogGroupName", "RetentionInDays", "KmsKeyId", "LogGroupClass", TAGS, "Arn"],
  createOnly: ["LogGroupName", "LogGroupClass"],
  readOnly: ["Arn"],
  newId: (model) =>
    typeof model["LogGroupName"] === "string"
      ? model["LogGroupName"]
      : `log-group-${shortHash(String(Math.random()), 10)}`,
  outputs: (_model, id) => ({ LogGroupName: id, Arn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*` }),
};

const topic: TypeRule = {
  primary: "TopicArn",
  properties: ["TopicName", "DisplayName", "FifoTopic", TAGS, "TopicArn"],
  createOnly: ["TopicName", "FifoTopic"],
  readOnly: ["TopicArn"],
  newId: (model) =>
    `arn:aws:sns:${REGION}:${ACCOUNT}:${typeof model["TopicName"] === "string" ? model["TopicName"] : `topic-${shortHash(String(Math.random()), 10)}`}`,
  outputs: (_model, id) => ({ TopicArn: id }),
};

export const TYPE_RULES: Record<string, TypeRule> = {
  "AWS::EC2::VPC": vpc,
  "AWS::EC2::Subnet": subnet,
  "AWS::EC2::SecurityGroup": securityGroup,
  "AWS::EC2::Instance": instance,
  "AWS::RDS::DBInstance": dbInstance,
  "AWS::ElasticLoadBalancingV2::LoadBalancer": loadBalancer,
  "AWS::ElasticLoadBalancingV2::TargetGroup": targetGroup,
  "AWS::ElasticLoadBalancingV2::Listener": listener,
  "AWS::S3::Bucket": bucket,
  "AWS::SQS::Queue": queue,
  "AWS::Logs::LogGroup": logGroup,
  "AWS::SNS::Topic": topic,
};
