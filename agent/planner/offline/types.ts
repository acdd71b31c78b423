/** One resource of a deployment spec, in the shape of design §4b. */
export interface SpecResource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
  dependsOn?: string[];
  checks?: unknown[];
}

export type ParameterValue = string | number | boolean;

/** What the offline planner took from the goal: the blueprints it matched and the values it used. */
export interface OfflineUnderstanding {
  blueprints: string[];
  parameters: Record<string, ParameterValue>;
  notes: string[];
}

export type OfflinePlan =
  | {
      kind: "planned";
      deployment: { name: string; resources: SpecResource[] };
      understanding: OfflineUnderstanding;
      /** One or two sentences saying it is the offline planner and what it understood. */
      summary: string;
    }
  | {
      kind: "declined";
      /** What it could not map and what to do instead. */
      reason: string;
      understood: OfflineUnderstanding;
    };

export interface PlanOfflineOptions {
  /** Types the configured servers offer; blueprints needing others are not used. */
  availableTypes?: readonly string[];
  /** Property names each mounted server describes per type; a blueprint's others are left out, with a note. */
  typeProperties?: ReadonlyMap<string, readonly string[]>;
  deploymentName?: string;
}

export interface BlueprintInfo {
  id: string;
  description: string;
  keywords: string[];
}
