import * as catalog from "../../protocol/catalog/aws.ts";
import type { PropertyMap } from "../../protocol/index.ts";
import { rename, simple, swap } from "./catalog.ts";
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
    ...catalog.rdsInstanceType,
    cfnType: "AWS::RDS::DBInstance",
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
    ...catalog.bucketType,
    cfnType: "AWS::S3::Bucket",
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
