import * as catalog from "../../protocol/catalog/opnsense.ts";
import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import type { Collection } from "./api.ts";
import type { ItemSpec, TypeContext } from "./item-type.ts";
import { field, setIf } from "./schema.ts";

const USERS: Collection = {
  controller: "auth/user",
  search: "search",
  get: "get",
  add: "add",
  set: "set",
  del: "del",
  key: "user",
  since: "25.1",
  needs: "the user API /api/auth/user",
};

/** gid ↔ group name, from the option labels of a new user's group_memberships. */
async function groupIds(context: TypeContext): Promise<Map<string, string>> {
  const defaults = await context.api(USERS).defaults();
  const options = (defaults["group_memberships"] ?? {}) as Record<string, { value?: string }>;
  return new Map(Object.entries(options).map(([gid, option]) => [String(option.value ?? gid), gid]));
}

export const user: ItemSpec = {
  ...catalog.userType,
  collection: USERS,
  markerField: "descr",
  defaults: { groups: [], email: "", description: "", disabled: false },
  fieldNames: { name: "username", group_memberships: "groups", descr: "description" },
  async toFields(p, context) {
    const ids = await groupIds(context);
    const groups = Array.isArray(p["groups"]) ? p["groups"].map(String) : [];
    const unknown = groups.filter((group) => !ids.has(group));
    if (unknown.length > 0)
      throw new ProviderError(
        "VALIDATION_FAILED",
        `groups: ${unknown.join(", ")} do not exist on the firewall (it has ${[...ids.keys()].join(", ")})`,
      );
    const fields = {
      name: field(p["username"]),
      disabled: field(p["disabled"], "0"),
      descr: field(p["description"]),
      email: field(p["email"]),
      group_memberships: groups.map((group) => ids.get(group)).join(","),
    };
    // A password that is only a digest (a rollback re-creating the user) cannot be sent: leave it unset.
    return typeof p["password"] === "string" ? { ...fields, password: p["password"] } : fields;
  },
  async fromFields(f, context) {
    const ids = await groupIds(context);
    const names = new Map([...ids].map(([name, gid]) => [gid, name]));
    const out: PropertyMap = { username: f.name ?? "" };
    out["groups"] = (f.group_memberships ?? "")
      .split(",")
      .filter(Boolean)
      .map((gid) => names.get(gid) ?? gid);
    setIf(out, "email", f.email);
    setIf(out, "description", f.descr);
    out["disabled"] = f.disabled === "1";
    return out;
  },
  makeOutputs: (id) => ({ id }),
};
