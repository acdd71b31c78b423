import { ProviderError } from "../../protocol/index.ts";
import { type FieldNames, type OpnsenseClient, versionAtLeast } from "./client.ts";

/** Flat API fields: `field` or `parent.child` (d_nat's source/destination), all text. */
export type Fields = Record<string, string>;

/** One MVC collection of the API: where its actions are, its JSON key, how it is applied. */
export interface Collection {
  /** `module/controller` */
  controller: string;
  search: string;
  get: string;
  add: string;
  set: string;
  del: string;
  key: string;
  /** `module/controller/action` that makes staged changes take effect; none = at once. */
  apply?: string;
  /** First release with this API, for a clear UNSUPPORTED. */
  since?: string;
  /** What needs it, in words, for the UNSUPPORTED message (`the os-haproxy plugin`). */
  needs?: string;
}

export const crud = (
  controller: string,
  suffix: string,
  key: string,
  extra: Partial<Collection> = {},
  plural = suffix,
): Collection => ({
  controller,
  search: `search_${plural}`,
  get: `get_${suffix}`,
  add: `add_${suffix}`,
  set: `set_${suffix}`,
  del: `del_${suffix}`,
  key,
  ...extra,
});

function isOptionMap(value: unknown): value is Record<string, { selected?: unknown }> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const entries = Object.values(value);
  return (
    entries.length > 0 && entries.every((entry) => entry && typeof entry === "object" && "selected" in entry)
  );
}

/** get_* answers option fields as `{key:{value,selected}}` maps: keep the selected keys, csv, as search does. */
export function flatten(item: Record<string, unknown>, prefix = ""): Fields {
  const out: Fields = {};
  for (const [field, value] of Object.entries(item)) {
    const name = `${prefix}${field}`;
    if (isOptionMap(value)) {
      out[name] = Object.entries(value)
        .filter(([, option]) => Number(option.selected) === 1)
        .map(([key]) => key)
        .join(",");
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      if (Object.keys(value).length === 0) out[name] = "";
      else Object.assign(out, flatten(value as Record<string, unknown>, `${name}.`));
    } else out[name] = value === null || value === undefined ? "" : String(value);
  }
  return out;
}

/** Nests `parent.child` fields back into objects for add/set bodies. */
export function nest(fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    const dot = field.indexOf(".");
    if (dot < 0) out[field] = value;
    else {
      const parent = field.slice(0, dot);
      out[parent] = { ...((out[parent] as object) ?? {}), [field.slice(dot + 1)]: value };
    }
  }
  return out;
}

/** The generic controller pattern (reference §2) over one collection, applied after every change. */
export class CollectionApi {
  readonly client: OpnsenseClient;
  readonly c: Collection;

  constructor(client: OpnsenseClient, collection: Collection) {
    this.client = client;
    this.c = collection;
  }

  private path(action: string, id?: string): string {
    return `${this.c.controller}/${action}${id === undefined ? "" : `/${encodeURIComponent(id)}`}`;
  }

  /** UNSUPPORTED naming the release, when this firewall's release lacks the API. */
  async requireRelease(what: string): Promise<void> {
    if (!this.c.since) return;
    const version = await this.client.version();
    if (!versionAtLeast(version, this.c.since))
      throw new ProviderError(
        "UNSUPPORTED",
        `${what} needs OPNsense ${this.c.since} or later (${this.c.needs ?? `the /api/${this.c.controller} API`}); this firewall runs ${version}`,
        { details: { release: version, needs: this.c.since } },
      );
  }

  async search(): Promise<(Fields & { uuid: string })[]> {
    const body = (await this.client.post(this.path(this.c.search), {
      current: 1,
      rowCount: -1,
      searchPhrase: "",
    })) as {
      rows?: Record<string, unknown>[];
    };
    return (body.rows ?? []).map((row) => flatten(row) as Fields & { uuid: string });
  }

  /** The item, or undefined when the API answers `[]` (unknown uuid). */
  async get(id: string): Promise<Fields | undefined> {
    const body = await this.client.get(this.path(this.c.get, id));
    if (Array.isArray(body) || !body || typeof body !== "object") return undefined;
    const item = (body as Record<string, unknown>)[this.c.key];
    if (!item || typeof item !== "object") return undefined;
    return flatten(item as Record<string, unknown>);
  }

  /** Defaults for a new item (get without uuid): option labels live here. */
  async defaults(): Promise<Record<string, unknown>> {
    const body = (await this.client.get(this.path(this.c.get))) as Record<string, unknown>;
    return (body[this.c.key] as Record<string, unknown>) ?? {};
  }

  async add(fields: Fields, names?: FieldNames): Promise<string | undefined> {
    const body = (await this.client.post(this.path(this.c.add), { [this.c.key]: nest(fields) }, names)) as {
      uuid?: string;
    };
    return body.uuid;
  }

  /** set_* on a well-formed unknown uuid creates the item under it (upsert): rollback relies on that. */
  async set(id: string, fields: Fields, names?: FieldNames): Promise<void> {
    await this.client.post(this.path(this.c.set, id), { [this.c.key]: nest(fields) }, names);
  }

  /** false when the API says "not found". */
  async del(id: string): Promise<boolean> {
    const body = (await this.client.post(this.path(this.c.del, id))) as { result?: string };
    return body.result === "deleted";
  }

  async apply(): Promise<void> {
    if (!this.c.apply) return;
    const body = (await this.client.post(this.c.apply, {})) as { status?: unknown };
    const status = String(body?.status ?? "")
      .trim()
      .toLowerCase();
    if (status !== "ok")
      throw new ProviderError("UNAVAILABLE", `${this.c.apply} answered ${JSON.stringify(body)}`);
  }
}
