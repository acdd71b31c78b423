import { EC2_RDS_RULES, type TypeRule } from "./type-rules.ts";
import { SERVICE_RULES } from "./type-rules-services.ts";

/** Every type the emulator serves; any other TypeName is TypeNotFoundException. */
export const TYPE_RULES: Record<string, TypeRule> = { ...EC2_RDS_RULES, ...SERVICE_RULES };
