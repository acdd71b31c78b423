import { randomBytes } from "node:crypto";
import { ACCOUNT, notFound, REGION, shortHash, TAGS, type TypeRule, vpcMustExist } from "./type-rules.ts";

/** Rules of the load balancing, S3 and the generic types the tests use (SQS, Logs, SNS). */

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

export const SERVICE_RULES: Record<string, TypeRule> = {
  "AWS::ElasticLoadBalancingV2::LoadBalancer": loadBalancer,
  "AWS::ElasticLoadBalancingV2::TargetGroup": targetGroup,
  "AWS::ElasticLoadBalancingV2::Listener": listener,
  "AWS::S3::Bucket": bucket,
  "AWS::SQS::Queue": queue,
  "AWS::Logs::LogGroup": logGroup,
  "AWS::SNS::Topic": topic,
};
