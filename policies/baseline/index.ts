import type { PolicyPack } from "../types.ts";
import { checkResource, DATABASE_BACKUPS, DATABASE_NOT_PUBLIC, REQUIRED_TAGS } from "./data.ts";
import { checkExposure, NO_ANY_ANY_PASS, NO_PUBLIC_ADMIN_PORT } from "./exposure.ts";
import { checkStatefulChanges, STATEFUL_CHANGE_APPROVAL } from "./stateful.ts";

/** `builtin:baseline`: on by default (design §7), the guard rails every deployment gets. */
export const baselinePack: PolicyPack = {
  name: "baseline",
  description:
    "Guard rails on by default: no admin ports or any-to-any rules open to the internet, private and backed-up databases, approval before losing data, ownership tags.",
  rules: [
    {
      id: NO_PUBLIC_ADMIN_PORT,
      description:
        "No firewall rule, port forward, security group or published container port opens an admin port (SSH, Telnet, RDP, VNC, Docker, Kubernetes, kubelet, or the firewall's own web UI) to any source.",
      enforcement: "mandatory",
    },
    {
      id: NO_ANY_ANY_PASS,
      description: "No OPNsense firewall rule passes traffic from any source to any destination.",
      enforcement: "mandatory",
    },
    {
      id: DATABASE_NOT_PUBLIC,
      description: "RDS instances are not publicly accessible.",
      enforcement: "mandatory",
    },
    {
      id: DATABASE_BACKUPS,
      description: "RDS instances keep automated backups (backupRetentionDays set and above 0).",
      enforcement: "mandatory",
    },
    {
      id: STATEFUL_CHANGE_APPROVAL,
      description:
        "Deleting or replacing a stateful resource (a database, a bucket, a volume) needs explicit approval: --allow-destroy, or an override to advisory.",
      enforcement: "mandatory",
    },
    {
      id: REQUIRED_TAGS,
      description: "EC2 instances, RDS instances and S3 buckets carry owner and environment tags.",
      enforcement: "advisory",
    },
  ],
  validateResource: checkResource,
  validateDeployment: checkExposure,
  validatePlan: checkStatefulChanges,
};
