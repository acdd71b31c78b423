import type { OpnsenseEmulator } from "./emulator.ts";
import { type Collection, type Item, norm, versionAtLeast } from "./models.ts";

/** The generic controller pattern (reference §2) for one collection. */
export class CrudRoutes {
  private readonly emu: OpnsenseEmulator;
  private readonly c: Collection;

  constructor(emu: OpnsenseEmulator, c: Collection) {
    this.emu = emu;
    this.c = c;
  }

  private get items(): Map<string, Item> {
    return this.emu.config[this.c.name]!;
  }

  handler(
    action: string,
    args: string[],
  ): ((method: string, body: Record<string, unknown>) => [number, unknown]) | undefined {
    const a = this.c.actions;
    if (action === norm(a.search)) return () => [200, this.search()];
    if (action === norm(a.get)) return () => [200, this.get(args[0])];
    if (action === norm(a.add))
      return (method, body) => (method === "POST" ? this.save(undefined, body) : [200, { result: "failed" }]);
    if (action === norm(a.set) && args[0])
      return (method, body) => (method === "POST" ? this.save(args[0], body) : [200, { result: "failed" }]);
    if (action === norm(a.del) && args[0])
      return (method) => (method === "POST" ? this.del(args[0]!) : [200, { result: "failed" }]);
    return undefined;
  }

  private search() {
    const rows = [...this.items].map(([id, item]) => {
      const row: Record<string, string> = { uuid: id };
      for (const [field, value] of Object.entries(item)) {
        if (field.startsWith("_")) continue;
        if (typeof value === "string") row[field] = field === "password" ? "" : value;
        else for (const [sub, v] of Object.entries(value)) row[`${field}.${sub}`] = v;
      }
      return row;
    });
    return { total: rows.length, rowCount: rows.length, current: 1, rows };
  }

  private render(item: Item): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(item)) {
      if (field.startsWith("_")) continue;
      if (field === "password") out[field] = "";
      else if (this.c.options?.[field] && typeof value === "string") {
        const chosen = value.split(",");
        out[field] = Object.fromEntries(
          this.c.options[field]!.map((key) => [
            key,
            { value: this.emu.groups[key] ?? key, selected: chosen.includes(key) ? 1 : 0 },
          ]),
        );
      } else if (this.c.relations?.[field] && typeof value === "string") {
        const chosen = value.split(",");
        const target = this.emu.config[this.c.relations[field]!]!;
        out[field] = Object.fromEntries(
          [...target].map(([id, t]) => [
            id,
            { value: String(t["name"] ?? t["subnet"] ?? id), selected: chosen.includes(id) ? 1 : 0 },
          ]),
        );
      } else out[field] = value;
    }
    return out;
  }

  private get(id: string | undefined): unknown {
    if (id === undefined) return { [this.c.key]: this.render(structuredClone(this.c.defaults)) };
    const item = this.items.get(id);
    return item ? { [this.c.key]: this.render(item) } : [];
  }

  private save(id: string | undefined, body: Record<string, unknown>): [number, unknown] {
    const input = body[this.c.key];
    if (!input || typeof input !== "object" || Array.isArray(input)) return [200, { result: "failed" }];
    if (
      id !== undefined &&
      !this.c.keyedByName &&
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
    )
      return [200, { result: "failed" }];
    const existing = id !== undefined ? this.items.get(id) : undefined;
    const item: Item = structuredClone(existing ?? this.c.defaults);
    for (const [field, value] of Object.entries(input as Record<string, unknown>)) {
      if (!(field in this.c.defaults) || field.startsWith("_")) continue; // unknown keys are ignored
      const since = this.c.ignoredBefore?.[field];
      if (since && !versionAtLeast(this.emu.version, since)) continue;
      const current = this.c.defaults[field];
      if (typeof current === "object") {
        if (!value || typeof value !== "object" || Array.isArray(value))
          throw new Error("scalar where an object was expected");
        item[field] = { ...(item[field] as Record<string, string>), ...(value as Record<string, string>) };
      } else {
        if (typeof value === "object" && value !== null) throw new Error("array sent for a scalar");
        item[field] = String(value);
      }
    }
    const newId = id ?? (this.c.keyedByName ? this.nextIfName() : this.emu.newId());
    const validations = this.c.validate?.(item, this.emu.config, newId) ?? {};
    if (Object.keys(validations).length > 0) return [200, { result: "failed", validations }];
    if (this.c.keyedByName) item["identifier"] = newId;
    this.c.complete?.(item, this.emu.config, newId);
    this.items.set(newId, item);
    this.emu.saved(`${this.c.controller} ${id ? "set" : "add"} ${newId}`);
    // Assignments answer add without the new name: clients find it by its device (reference §5).
    return [200, id || this.c.keyedByName ? { result: "saved" } : { result: "saved", uuid: newId }];
  }

  private nextIfName(): string {
    let n = 1;
    while (this.items.has(`opt${n}`)) n++;
    return `opt${n}`;
  }

  private del(ids: string): [number, unknown] {
    let result = "not found";
    for (const id of ids.split(",")) {
      const item = this.items.get(id);
      if (!item) {
        result = "not found";
        continue;
      }
      const user = this.c.inUse?.(id, item, this.emu.config);
      if (user) throw Object.assign(new Error(user), { userException: user });
      this.items.delete(id);
      result = "deleted";
    }
    if (result === "deleted") this.emu.saved(`${this.c.controller} del ${ids}`);
    return [200, { result }];
  }
}
