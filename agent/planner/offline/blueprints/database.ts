import type { Blueprint } from "../blueprint.ts";
import { assumed } from "../composition.ts";
import { ENGINES } from "../vocabulary.ts";

const MIN_STORAGE_GB = 20;
const MAX_STORAGE_GB = 65536;
const DEFAULT_BACKUP_DAYS = 7;
const MAX_BACKUP_DAYS = 35;

/** The RDS engine the goal names, postgres when it names none. */
export function engineOf(words: string): string | undefined {
  return ENGINES.find((entry) => entry.pattern.test(words))?.engine;
}

/**
 * Aurora runs only inside a DB cluster (AWS::RDS::DBCluster), a type no provider here serves; an
 * `aws:rds:instance` takes the plain engine it is compatible with.
 */
const AURORA_AS: Record<string, string> = { "aurora-postgresql": "postgres", "aurora-mysql": "mysql" };

/** A private RDS instance with backups on. */
export const database: Blueprint = {
  id: "database",
  description: "a private RDS database (postgres, mysql or mariadb) with daily backups kept 7 days",
  keywords: ["database", "db", "rds", "postgres", "mysql", "mariadb"],
  build(composition) {
    const { goal } = composition;
    const defaults: string[] = [];
    const named = engineOf(goal.words);
    let engine = named ?? "postgres";
    if (!named) defaults.push("engine postgres");
    const plain = AURORA_AS[engine];
    if (plain) {
      composition.note(
        `planned a plain RDS ${plain} instance: Aurora (${engine}) needs a DB cluster, which no provider type here serves`,
      );
      engine = plain;
    }
    const large = /\b(?:large|production|prod|big)\b/.test(goal.words);
    const instanceClass = goal.dbClass ?? (large ? "db.m5.large" : "db.t3.micro");
    if (!goal.dbClass && !large) defaults.push("class db.t3.micro");
    let storage = goal.storageGb ?? MIN_STORAGE_GB;
    if (goal.storageGb === undefined) defaults.push(`${MIN_STORAGE_GB} GB`);
    if (storage < MIN_STORAGE_GB) {
      composition.note(
        `raised the database storage to RDS's minimum of ${MIN_STORAGE_GB} GB (asked for ${storage} GB)`,
      );
      storage = MIN_STORAGE_GB;
    }
    if (storage > MAX_STORAGE_GB) {
      return { missing: `a database of ${storage} GB is above RDS's ${MAX_STORAGE_GB} GB` };
    }
    let backupDays = goal.backupDays ?? DEFAULT_BACKUP_DAYS;
    if (backupDays < 1) {
      composition.note(
        `kept backups at ${DEFAULT_BACKUP_DAYS} days: the offline planner never turns them off`,
      );
      backupDays = DEFAULT_BACKUP_DAYS;
    } else if (backupDays > MAX_BACKUP_DAYS) {
      composition.note(`kept backups for ${MAX_BACKUP_DAYS} days, RDS's maximum (asked for ${backupDays})`);
      backupDays = MAX_BACKUP_DAYS;
    }
    if (/\b(?:no|without|disable\w*|skip)\s+backups?\b/.test(goal.words)) {
      composition.note(`kept backups at ${backupDays} days: the offline planner never turns them off`);
    }
    if (
      /\bpublic(?:ly)?\b[\w\s-]{0,20}\b(?:database|db|accessible|reachable)\b|\bdatabase\b[\w\s-]{0,20}\bpublic(?:ly)?\b/.test(
        goal.words,
      )
    ) {
      composition.note("kept the database private: the offline planner never makes one publicly accessible");
    }
    // "postgres 16", "mysql 8.0": a version right after the engine's name, not a size ("postgres 50 GB").
    const engineVersion =
      /\b(?:postgres\w*|pg|mysql|mariadb)\s+(?:version\s+)?v?(\d{1,2}(?:\.\d+){0,2})\b(?!\s*(?:gb|gib|tb|tib)\b)/.exec(
        goal.words,
      )?.[1];
    const multiAz = /\bmulti[\s-]?az\b/.test(goal.words);
    const properties: Record<string, unknown> = {
      engine,
      instanceClass,
      allocatedStorage: storage,
      backupRetentionDays: backupDays,
      publiclyAccessible: false,
    };
    if (engineVersion) properties["engineVersion"] = engineVersion;
    if (multiAz) properties["multiAz"] = true;
    composition.set("engine", engine);
    if (engineVersion) composition.set("engineVersion", engineVersion);
    composition.set("instanceClass", instanceClass);
    composition.set("allocatedStorage", storage);
    composition.set("backupRetentionDays", backupDays);
    if (multiAz) composition.set("multiAz", true);
    composition.add({ type: "aws:rds:instance", name: "app-db", properties });
    assumed(composition, "database", defaults);
    return {
      phrase: `a ${engine}${engineVersion ? ` ${engineVersion}` : ""} database (${instanceClass}, ${storage} GB${multiAz ? ", multi-AZ" : ""})`,
    };
  },
};
