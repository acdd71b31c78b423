import type { JsonSchema } from "../../protocol/index.ts";
import type { CatalogEntry } from "./catalog-entry.ts";
import { randomHex } from "./net.ts";

/**
 * Beyond the seed's types, the real AWS provider serves any CloudFormation type by its mechanical
 * token (`aws:sqs:queue` for AWS::SQS::Queue), described on demand. The sandbox does the same for
 * the common ones, with CloudFormation's property names and a permissive schema, so a plan made in
 * the sandbox (a model that searched for a queue) runs against the real provider too.
 */
const OPEN_TYPES: Record<
  string,
  { summary: string; example: Record<string, unknown>; arn: (name: string) => string }
> = {
  "aws:sqs:queue": {
    summary: "SQS message queue (standard or FIFO), AWS::SQS::Queue",
    example: { VisibilityTimeout: 30 },
    arn: (name) => `sqs:REGION:ACCOUNT:${name}`,
  },
  "aws:sns:topic": {
    summary: "SNS pub/sub notification topic, AWS::SNS::Topic",
    example: { DisplayName: "alerts" },
    arn: (name) => `sns:REGION:ACCOUNT:${name}`,
  },
  "aws:logs:log-group": {
    summary: "CloudWatch Logs log group with retention, AWS::Logs::LogGroup",
    example: { RetentionInDays: 7 },
    arn: (name) => `logs:REGION:ACCOUNT:log-group:${name}`,
  },
  "aws:dynamodb:table": {
    summary: "DynamoDB NoSQL key-value table, AWS::DynamoDB::Table",
    example: {
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    },
    arn: (name) => `dynamodb:REGION:ACCOUNT:table/${name}`,
  },
  "aws:ecr:repository": {
    summary: "ECR container image repository, AWS::ECR::Repository",
    example: { ImageTagMutability: "IMMUTABLE" },
    arn: (name) => `ecr:REGION:ACCOUNT:repository/${name}`,
  },
};

const ACCOUNT = "123456789012";

/** Names of the open types whose name or summary holds every word of the query. */
export function searchOpenAwsTypes(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
  return Object.entries(OPEN_TYPES)
    .filter(([type, info]) => words.every((word) => `${type} ${info.summary}`.toLowerCase().includes(word)))
    .map(([type]) => type);
}

/** The sandbox entry for an open AWS type, or undefined for a type the sandbox does not know. */
export function openAwsEntry(type: string): CatalogEntry | undefined {
  const info = OPEN_TYPES[type];
  if (!info) return undefined;
  const properties: JsonSchema = {
    type: "object",
    description: `${info.summary}. Properties in CloudFormation's names; the sandbox checks none of them.`,
    additionalProperties: true,
    examples: [info.example, info.example],
  };
  return {
    type,
    description: info.summary,
    properties,
    outputs: { type: "object", properties: { id: { type: "string" }, arn: { type: "string" } } },
    newId: ({ name }) => `${name}-${randomHex(6)}`,
    makeOutputs: ({ id, region }) => ({
      id,
      arn: `arn:aws:${info.arn(id).replace("REGION", region).replace("ACCOUNT", ACCOUNT)}`,
    }),
  };
}
