import type { PolicyResource, ResourceReport } from "../types.ts";
import { isUnknown } from "../unknowns.ts";

export const DATABASE_NOT_PUBLIC = "database-not-public";
export const DATABASE_BACKUPS = "database-backups";
export const REQUIRED_TAGS = "required-tags";

export const TAGGED_TYPES = ["aws:ec2:instance", "aws:rds:instance", "aws:s3:bucket"] as const;
export const REQUIRED_TAG_KEYS = ["owner", "environment"] as const;

function checkDatabase(resource: PolicyResource, report: ResourceReport): void {
  const props = resource.properties;
  if (props["publiclyAccessible"] === true) {
    report(DATABASE_NOT_PUBLIC, {
      path: "properties.publiclyAccessible",
      message: "RDS instance is publicly accessible; set publiclyAccessible: false",
    });
  }
  const retention = props["backupRetentionDays"];
  if (isUnknown(retention)) return;
  if (retention === undefined || retention === null) {
    report(DATABASE_BACKUPS, {
      path: "properties.backupRetentionDays",
      message: "RDS instance does not say how long it keeps backups; set backupRetentionDays (7 or more)",
    });
  } else if (typeof retention === "number" && retention <= 0) {
    report(DATABASE_BACKUPS, {
      path: "properties.backupRetentionDays",
      message: "RDS instance has automated backups turned off (backupRetentionDays: 0); set it to 7 or more",
    });
  }
}

function checkTags(resource: PolicyResource, report: ResourceReport): void {
  const tags = resource.properties["tags"];
  if (isUnknown(tags)) return;
  // Tag keys are matched without regard to case: Owner and owner are the same convention.
  const present = new Set(
    typeof tags === "object" && tags !== null && !Array.isArray(tags)
      ? Object.keys(tags).map((key) => key.toLowerCase())
      : [],
  );
  const missing = REQUIRED_TAG_KEYS.filter((key) => !present.has(key));
  if (missing.length === 0) return;
  report(REQUIRED_TAGS, {
    path: "properties.tags",
    message: `${resource.type} has no ${missing.join(" or ")} tag; add tags: { ${missing.map((key) => `${key}: ...`).join(", ")} }`,
  });
}

/** Resource-level checks: databases and tags. */
export function checkResource(resource: PolicyResource, report: ResourceReport): void {
  if (resource.type === "aws:rds:instance") checkDatabase(resource, report);
  if ((TAGGED_TYPES as readonly string[]).includes(resource.type)) checkTags(resource, report);
}
