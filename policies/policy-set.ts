import { BUILTIN_PACK_NAMES } from "./builtin.ts";
import { PolicyCheckError } from "./errors.ts";
import { checkOverrides, effectiveEnforcement } from "./overrides.ts";
import type {
  DeploymentReport,
  Enforcement,
  PolicyChange,
  PolicyDeployment,
  PolicyFinding,
  PolicyPack,
  PolicyPlan,
  PolicyResource,
  PolicyResult,
  PolicyRuleInfo,
  PolicyStage,
} from "./types.ts";
import { markUnknowns } from "./unknowns.ts";

export interface PolicyRule extends PolicyRuleInfo {
  pack: string;
  /** The full id, `pack/rule`, the key overrides use. */
  policy: string;
  /** The pack's own default, before overrides. */
  declared: Enforcement;
}

interface LoadedPack {
  pack: PolicyPack;
  source: string;
  /** Effective enforcement per rule id. */
  enforcement: Map<string, Enforcement>;
  active: boolean;
}

export function policyResult(findings: PolicyFinding[]): PolicyResult {
  const mandatory = findings.filter((finding) => finding.enforcement === "mandatory");
  const advisory = findings.filter((finding) => finding.enforcement === "advisory");
  return { findings, blocked: mandatory.length > 0, mandatory, advisory };
}

// Each pack gets its own copy: nothing one pack does reaches the engine's spec or the next pack.
function copyDeployment(deployment: PolicyDeployment): PolicyDeployment {
  return {
    name: deployment.name,
    resources: deployment.resources.map((resource) => {
      const out: PolicyResource = {
        name: resource.name,
        type: resource.type,
        properties: markUnknowns(resource.properties ?? {}),
      };
      if (resource.dependsOn) out.dependsOn = [...resource.dependsOn];
      return out;
    }),
  };
}

function copyPlan(plan: PolicyPlan): PolicyPlan {
  return {
    deployment: plan.deployment,
    changes: plan.changes.map((change) => {
      const out: PolicyChange = { name: change.name, type: change.type, action: change.action };
      if (change.before) out.before = markUnknowns(change.before);
      if (change.after) out.after = markUnknowns(change.after);
      if (change.risk) out.risk = { ...change.risk };
      if (change.diff) out.diff = change.diff.map((entry) => ({ ...entry }));
      return out;
    }),
  };
}

/**
 * The loaded packs with their enforcement fixed at construction, from the packs' declared defaults
 * and the config's overrides only. What is checked (a spec, a plan, a model's answer) cannot change it.
 */
export class PolicySet {
  readonly #packs: LoadedPack[];

  constructor(
    packs: PolicyPack[],
    options: {
      overrides?: Record<string, Enforcement>;
      sources?: string[];
      builtinPacks?: readonly string[];
    } = {},
  ) {
    const names = new Set<string>();
    for (const pack of packs) {
      if (names.has(pack.name)) throw new Error(`policy pack "${pack.name}" is loaded twice`);
      names.add(pack.name);
    }
    const ids = packs.flatMap((pack) => pack.rules.map((rule) => `${pack.name}/${rule.id}`));
    const overrides = checkOverrides(
      options.overrides ?? {},
      ids,
      options.builtinPacks ?? BUILTIN_PACK_NAMES,
    );
    this.#packs = packs.map((pack, index) => {
      const enforcement = new Map(
        pack.rules.map((rule) => [
          rule.id,
          effectiveEnforcement(`${pack.name}/${rule.id}`, rule.enforcement, overrides),
        ]),
      );
      return {
        pack,
        source: options.sources?.[index] ?? pack.name,
        enforcement,
        active: [...enforcement.values()].some((value) => value !== "disabled"),
      };
    });
  }

  /** Every rule of every pack, with the enforcement it has after overrides. */
  rules(): PolicyRule[] {
    return this.#packs.flatMap(({ pack, enforcement }) =>
      pack.rules.map((rule) => ({
        id: rule.id,
        description: rule.description,
        enforcement: enforcement.get(rule.id) ?? rule.enforcement,
        declared: rule.enforcement,
        pack: pack.name,
        policy: `${pack.name}/${rule.id}`,
      })),
    );
  }

  packs(): { name: string; description: string; source: string }[] {
    return this.#packs.map(({ pack, source }) => ({
      name: pack.name,
      description: pack.description,
      source,
    }));
  }

  /** Resource- and deployment-level rules, on a spec before planning. References count as unknown. */
  checkDeployment(deployment: PolicyDeployment): PolicyResult {
    const findings: PolicyFinding[] = [];
    for (const loaded of this.#active()) {
      const { pack } = loaded;
      if (!pack.validateResource && !pack.validateDeployment) continue;
      const copy = copyDeployment(deployment);
      if (pack.validateResource) {
        for (const resource of copy.resources) {
          const report = this.#reporter(loaded, "resource", findings, resource.name);
          this.#run(loaded, "validateResource", resource.name, () =>
            pack.validateResource!(resource, report),
          );
        }
      }
      if (pack.validateDeployment) {
        const report = this.#reporter(loaded, "deployment", findings);
        this.#run(loaded, "validateDeployment", undefined, () => pack.validateDeployment!(copy, report));
      }
    }
    return policyResult(findings);
  }

  /** Plan-level rules: deletes, replacements, what changes to what. */
  checkPlan(plan: PolicyPlan): PolicyResult {
    const findings: PolicyFinding[] = [];
    for (const loaded of this.#active()) {
      const { pack } = loaded;
      if (!pack.validatePlan) continue;
      const copy = copyPlan(plan);
      const report = this.#reporter(loaded, "plan", findings);
      this.#run(loaded, "validatePlan", undefined, () => pack.validatePlan!(copy, report));
    }
    return policyResult(findings);
  }

  #active(): LoadedPack[] {
    return this.#packs.filter((loaded) => loaded.active);
  }

  #reporter(
    loaded: LoadedPack,
    stage: PolicyStage,
    into: PolicyFinding[],
    resource?: string,
  ): DeploymentReport {
    return (ruleId, finding) => {
      const enforcement = loaded.enforcement.get(ruleId);
      if (enforcement === undefined) {
        throw new PolicyCheckError(
          loaded.pack.name,
          `policy pack ${loaded.pack.name} (${loaded.source}) reported rule "${ruleId}", which it does not declare in rules; declare it or fix the id`,
        );
      }
      if (enforcement === "disabled") return;
      const out: PolicyFinding = {
        policy: `${loaded.pack.name}/${ruleId}`,
        pack: loaded.pack.name,
        enforcement,
        message: String(finding.message),
        stage,
      };
      const about = finding.resource ?? resource;
      if (about !== undefined) out.resource = about;
      if (finding.path !== undefined) out.path = finding.path;
      into.push(out);
    };
  }

  #run(loaded: LoadedPack, hook: string, resource: string | undefined, body: () => void): void {
    try {
      body();
    } catch (error) {
      if (PolicyCheckError.isInstance(error)) throw error;
      const where = resource ? ` on resource ${resource}` : "";
      throw new PolicyCheckError(
        loaded.pack.name,
        `policy pack ${loaded.pack.name} (${loaded.source}) failed in ${hook}${where}: ${(error as Error)?.message ?? String(error)}; fix the pack or remove it from policies`,
        { cause: error },
      );
    }
  }
}
