export { baselinePack } from "./baseline/index.ts";
export { ADMIN_PORTS, FIREWALL_UI_PORTS } from "./baseline/net.ts";
export { STATEFUL_TYPES } from "./baseline/stateful.ts";
export { BUILTIN_PACK_NAMES, BUILTIN_PACKS } from "./builtin.ts";
export {
  type CompiledCondition,
  type Condition,
  compileCondition,
  type Outcome,
  type Truth,
} from "./conditions.ts";
export { PolicyCheckError, PolicyLoadError, type PolicyLoadIssue } from "./errors.ts";
export { formatFinding, formatFindings } from "./format.ts";
export { type LoadPoliciesOptions, loadPolicies } from "./load.ts";
export { checkPack } from "./module-pack.ts";
export { type PolicyRule, PolicySet, policyResult } from "./policy-set.ts";
export {
  type DeploymentReport,
  ENFORCEMENTS,
  type Enforcement,
  type PolicyChange,
  type PolicyChangeAction,
  type PolicyDeployment,
  type PolicyFinding,
  type PolicyPack,
  type PolicyPlan,
  type PolicyResource,
  type PolicyResult,
  type PolicyRuleInfo,
  type PolicyStage,
  type ResourceReport,
} from "./types.ts";
export { packFromDocument } from "./yaml-pack.ts";
