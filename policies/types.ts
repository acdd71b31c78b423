/**
 * The shapes the policy engine reads. They are declared here, not imported from agent/, because
 * imports flow agent → policies; the engine's Deployment and Plan are structurally compatible.
 */

export interface PolicyResource {
  name: string;
  type: string;
  properties: Record<string, unknown>;
  dependsOn?: string[];
}

export interface PolicyDeployment {
  name: string;
  resources: PolicyResource[];
}

export type PolicyChangeAction = "create" | "update" | "replace" | "delete" | "noop";

export interface PolicyChange {
  name: string;
  type: string;
  action: PolicyChangeAction;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  risk?: { destructive: boolean; stateful: boolean; dependents: number };
  /** The engine's per-property diff, when it has one; names what forces a replacement. */
  diff?: { path: string; forcesReplacement?: boolean }[];
}

export interface PolicyPlan {
  deployment: string;
  changes: PolicyChange[];
}

export type Enforcement = "advisory" | "mandatory" | "disabled";

export const ENFORCEMENTS: readonly Enforcement[] = ["advisory", "mandatory", "disabled"];

export type PolicyStage = "resource" | "deployment" | "plan";

export interface PolicyFinding {
  /** The full rule id, `pack/rule`, e.g. `baseline/no-public-admin-port`. */
  policy: string;
  pack: string;
  enforcement: Enforcement;
  /** The resource (or change) the finding is about. */
  resource?: string;
  /** Where inside it, e.g. `properties.ingress[0].cidr`. */
  path?: string;
  message: string;
  stage: PolicyStage;
}

export interface PolicyResult {
  findings: PolicyFinding[];
  /** True when any finding is mandatory. */
  blocked: boolean;
  mandatory: PolicyFinding[];
  advisory: PolicyFinding[];
}

export interface PolicyRuleInfo {
  id: string;
  description: string;
  /** The pack's default; config overrides may change it. */
  enforcement: Enforcement;
}

export type ResourceReport = (ruleId: string, finding: { message: string; path?: string }) => void;
export type DeploymentReport = (
  ruleId: string,
  finding: { resource?: string; message: string; path?: string },
) => void;

/**
 * A set of rules with the code that checks them. Packs only report what they see; enforcement is
 * decided by the pack's declared defaults and the config's overrides, never by the pack at check time.
 */
export interface PolicyPack {
  name: string;
  description: string;
  rules: PolicyRuleInfo[];
  validateResource?(resource: PolicyResource, report: ResourceReport): void;
  validateDeployment?(deployment: PolicyDeployment, report: DeploymentReport): void;
  validatePlan?(plan: PolicyPlan, report: DeploymentReport): void;
}

/** A pack name or rule id: lowercase letters, digits and '-'. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9-]*$/;
