import type { PropertyMap } from "../../protocol/index.ts";
import type { TagFormat } from "./tags.ts";

/**
 * A small built-in list of common CloudFormation types, for search and for the facts a schema would
 * give (create-only and read-only properties, how Tags are spelled). Any other type still works by
 * its mechanical token; it just plans without those facts (reference §6, terraform-provider-awscc).
 */
export interface KnownType {
  cfnType: string;
  summary: string;
  createOnly: string[];
  readOnly: string[];
  tags: TagFormat;
  examples?: [PropertyMap, PropertyMap];
}

const k = (
  cfnType: string,
  summary: string,
  createOnly: string[],
  readOnly: string[],
  tags: TagFormat = "list",
  examples?: [PropertyMap, PropertyMap],
): KnownType => ({
  cfnType,
  summary,
  createOnly,
  readOnly,
  tags,
  ...(examples ? { examples } : {}),
});

export const KNOWN_TYPES: KnownType[] = [
  k(
    "AWS::SQS::Queue",
    "SQS message queue (standard or FIFO)",
    ["FifoQueue", "QueueName"],
    ["QueueUrl", "Arn"],
    "list",
    [{ VisibilityTimeout: 30 }, { VisibilityTimeout: 60 }],
  ),
  k("AWS::SNS::Topic", "SNS pub/sub notification topic", ["TopicName", "FifoTopic"], ["TopicArn"], "list", [
    { DisplayName: "alerts" },
    { DisplayName: "alerts, renamed" },
  ]),
  k(
    "AWS::Logs::LogGroup",
    "CloudWatch Logs log group with retention",
    ["LogGroupName", "LogGroupClass"],
    ["Arn"],
    "list",
    [{ RetentionInDays: 7 }, { RetentionInDays: 14 }],
  ),
  k(
    "AWS::DynamoDB::Table",
    "DynamoDB NoSQL key-value table",
    ["TableName", "ImportSourceSpecification"],
    ["Arn", "StreamArn"],
  ),
  k("AWS::Lambda::Function", "Lambda serverless function", ["FunctionName"], ["Arn", "SnapStartResponse"]),
  k("AWS::IAM::Role", "IAM role with trust policy", ["RoleName", "Path"], ["Arn", "RoleId"]),
  k("AWS::IAM::Policy", "IAM inline policy", [], ["Id"], "none"),
  k("AWS::KMS::Key", "KMS encryption key", [], ["Arn", "KeyId"]),
  k("AWS::ECR::Repository", "ECR container image repository", ["RepositoryName"], ["Arn", "RepositoryUri"]),
  k("AWS::ECS::Cluster", "ECS container cluster", ["ClusterName"], ["Arn"]),
  k(
    "AWS::ECS::Service",
    "ECS service running tasks",
    ["Cluster", "ServiceName", "LaunchType"],
    ["ServiceArn", "Name"],
  ),
  k(
    "AWS::ECS::TaskDefinition",
    "ECS task definition",
    ["Family", "ContainerDefinitions", "Cpu", "Memory"],
    ["TaskDefinitionArn"],
  ),
  k(
    "AWS::EKS::Cluster",
    "EKS Kubernetes control plane",
    ["Name", "RoleArn", "ResourcesVpcConfig"],
    ["Arn", "Endpoint", "Id"],
  ),
  k("AWS::SecretsManager::Secret", "Secrets Manager secret", ["Name"], ["Id"]),
  k("AWS::SSM::Parameter", "SSM Parameter Store parameter", ["Name"], [], "map"),
  k("AWS::EC2::InternetGateway", "internet gateway for a VPC", [], ["InternetGatewayId"]),
  k(
    "AWS::EC2::NatGateway",
    "NAT gateway in a subnet",
    ["SubnetId", "AllocationId", "ConnectivityType"],
    ["NatGatewayId"],
  ),
  k("AWS::EC2::RouteTable", "route table of a VPC", ["VpcId"], ["RouteTableId"]),
  k("AWS::EC2::EIP", "Elastic IP address", ["Domain"], ["PublicIp", "AllocationId"]),
  k(
    "AWS::EC2::KeyPair",
    "EC2 SSH key pair",
    ["KeyName", "KeyType", "PublicKeyMaterial"],
    ["KeyPairId", "KeyFingerprint"],
  ),
  k("AWS::EC2::Volume", "EBS block volume", ["AvailabilityZone", "Encrypted", "KmsKeyId"], ["VolumeId"]),
  k("AWS::RDS::DBSubnetGroup", "RDS database subnet group", ["DBSubnetGroupName"], []),
  k(
    "AWS::RDS::DBCluster",
    "Aurora database cluster",
    ["DBClusterIdentifier", "Engine", "MasterUsername"],
    ["Endpoint", "DBClusterArn"],
  ),
  k(
    "AWS::ElastiCache::ServerlessCache",
    "ElastiCache Redis/Valkey/Memcached serverless cache",
    ["ServerlessCacheName", "Engine"],
    ["ARN", "Endpoint"],
  ),
  k("AWS::Events::Rule", "EventBridge rule (schedule or event pattern)", ["Name", "EventBusName"], ["Arn"]),
  k(
    "AWS::StepFunctions::StateMachine",
    "Step Functions state machine workflow",
    ["StateMachineName", "StateMachineType"],
    ["Arn", "Name"],
  ),
  k("AWS::CloudWatch::Alarm", "CloudWatch metric alarm", ["AlarmName"], ["Arn"], "list"),
  k("AWS::Route53::HostedZone", "Route 53 DNS hosted zone", ["Name"], ["Id", "NameServers"], "none"),
  k(
    "AWS::CertificateManager::Certificate",
    "ACM TLS certificate",
    ["DomainName", "SubjectAlternativeNames", "ValidationMethod"],
    ["Id"],
  ),
  k("AWS::CloudFront::Distribution", "CloudFront CDN distribution", [], ["Id", "DomainName"]),
  k(
    "AWS::ApiGatewayV2::Api",
    "API Gateway HTTP or WebSocket API",
    ["ProtocolType"],
    ["ApiId", "ApiEndpoint"],
    "map",
  ),
  k("AWS::Kinesis::Stream", "Kinesis data stream", ["Name"], ["Arn"]),
  k(
    "AWS::EFS::FileSystem",
    "EFS elastic NFS file system",
    ["Encrypted", "KmsKeyId", "PerformanceMode"],
    ["FileSystemId", "Arn"],
  ),
];

const BY_NAME = new Map(KNOWN_TYPES.map((entry) => [entry.cfnType, entry]));

export function knownType(cfnType: string): KnownType | undefined {
  return BY_NAME.get(cfnType);
}
