import type { PropertyMap } from "../../protocol/index.ts";
import { enumOf, nonEmpty, outputsSchema, propertiesSchema, stringList } from "../mock/schema-parts.ts";
import { rename, simple, swap, tagsSchema as tags } from "./catalog.ts";
import type { Mapping } from "./mapping.ts";

/** The stateful seed types: an RDS instance (with its write-only password) and an S3 bucket. */

const RDS_PAIRS: Array<[string, string]> = [
  ["engine", "Engine"],
  ["engineVersion", "EngineVersion"],
  ["instanceClass", "DBInstanceClass"],
  ["backupRetentionDays", "BackupRetentionPeriod"],
  ["publiclyAccessible", "PubliclyAccessible"],
  ["multiAz", "MultiAZ"],
  ["username", "MasterUsername"],
  ["securityGroups", "VPCSecurityGroups"],
];

const rdsBase = simple(
  {
    token: "aws:rds:instance",
    cfnType: "AWS::RDS::DBInstance",
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
  },
  RDS_PAIRS,
  "DBInstanceIdentifier",
);

/** AllocatedStorage is a string in CloudFormation; the catalog has a number. */
const rds: Mapping = {
  ...rdsBase,
  writeOnly: { password: "MasterUserPassword" },
  ownedKeys: [...RDS_PAIRS.map(([, cfn]) => cfn), "AllocatedStorage", "MasterUserPassword"],
  toCfn(properties) {
    const model = rename(properties, RDS_PAIRS);
    if (properties["allocatedStorage"] !== undefined)
      model["AllocatedStorage"] = String(properties["allocatedStorage"]);
    if (properties["password"] !== undefined) model["MasterUserPassword"] = properties["password"];
    return model;
  },
  fromCfn(model, id) {
    const properties = rename(model, swap(RDS_PAIRS));
    if (model["AllocatedStorage"] !== undefined)
      properties["allocatedStorage"] = Number(model["AllocatedStorage"]);
    const endpoint = (model["Endpoint"] ?? {}) as PropertyMap;
    const outputs: PropertyMap = { id: String(model["DBInstanceIdentifier"] ?? id) };
    if (endpoint["Address"] !== undefined) outputs["endpoint"] = endpoint["Address"];
    if (endpoint["Port"] !== undefined) outputs["port"] = Number(endpoint["Port"]);
    if (model["DBInstanceArn"] !== undefined) outputs["arn"] = model["DBInstanceArn"];
    return { properties, outputs };
  },
};

const ALL_BLOCKED = ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"];

const bucketBase = simple(
  {
    token: "aws:s3:bucket",
    cfnType: "AWS::S3::Bucket",
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
  },
  [["bucketName", "BucketName"]],
  "BucketName",
  (model) =>
    rename(model, [
      ["Arn", "arn"],
      ["DomainName", "domainName"],
    ]),
);

const bucket: Mapping = {
  ...bucketBase,
  ownedKeys: ["BucketName", "VersioningConfiguration", "PublicAccessBlockConfiguration"],
  toCfn(properties) {
    const model: PropertyMap = rename(properties, [["bucketName", "BucketName"]]);
    if (typeof properties["versioning"] === "boolean")
      model["VersioningConfiguration"] = { Status: properties["versioning"] ? "Enabled" : "Suspended" };
    if (typeof properties["publicAccessBlock"] === "boolean")
      model["PublicAccessBlockConfiguration"] = Object.fromEntries(
        ALL_BLOCKED.map((key) => [key, properties["publicAccessBlock"]]),
      );
    return model;
  },
  fromCfn(model, id) {
    const { properties, outputs } = bucketBase.fromCfn(model, id);
    const status = (model["VersioningConfiguration"] as PropertyMap | undefined)?.["Status"];
    if (status !== undefined) properties["versioning"] = status === "Enabled";
    const block = model["PublicAccessBlockConfiguration"] as PropertyMap | undefined;
    if (block) properties["publicAccessBlock"] = ALL_BLOCKED.every((key) => block[key] === true);
    return { properties, outputs };
  },
};

export const STATEFUL_MAPPINGS: Mapping[] = [rds, bucket];
