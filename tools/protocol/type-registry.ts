import { Ajv, type ValidateFunction } from "ajv";
import { ProviderError } from "./errors.ts";
import type { ResourceTypeInfo } from "./schemas.ts";
import type { ResourceTypeHandler } from "./type-handler.ts";

/**
 * Where a provider's types come from: the handlers it declares, plus those it builds on demand
 * (`resolveType`: any CloudFormation type, any manifest kind), and the prefix it is mounted under.
 */
export interface TypeSource {
  /** Provider name, for messages. */
  name: string;
  types: ResourceTypeHandler[];
  resolveType?(type: string): Promise<ResourceTypeHandler | undefined>;
  searchTypes?(query: string): Promise<string[]>;
  mountName?: string | undefined;
}

interface Entry {
  readonly handler: ResourceTypeHandler;
  readonly validate: ValidateFunction;
}

function prefixOf(type: string): string {
  const colon = type.indexOf(":");
  return colon < 0 ? type : type.slice(0, colon);
}

function withPrefix(type: string, prefix: string): string {
  const colon = type.indexOf(":");
  return colon < 0 ? type : `${prefix}${type.slice(colon)}`;
}

/**
 * Looks up handlers by type and translates between the canonical prefix the handlers declare
 * (`kubernetes:apps:deployment`) and the one the client mounts the server as (`prod:apps:deployment`),
 * so that one provider can serve two clusters or accounts under two names.
 */
export class TypeRegistry {
  private ajvInstance: Ajv | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly resolving = new Map<string, Promise<Entry | undefined>>();
  private readonly canonicalPrefix: string | undefined;
  private readonly mountPrefix: string | undefined;

  private readonly source: TypeSource;

  constructor(source: TypeSource) {
    this.source = source;
    for (const handler of source.types) this.entries.set(handler.type, this.compile(handler, "declared"));
    const first = source.types[0]?.type;
    this.canonicalPrefix = first ? prefixOf(first) : undefined;
    const mount = source.mountName;
    this.mountPrefix = mount && mount !== this.canonicalPrefix ? mount : undefined;
  }

  /**
   * Made on the first compile: a provider that is only initialized or described never needs one.
   * `validateSchema: false` skips checking each schema against the draft-07 meta-schema, whose own
   * compile was the larger part of a provider's first plan (~70 ms CPU): declared schemas are checked
   * by the conformance suite (`agent provider test`, run on every built-in provider by the tests), and
   * those resolved on demand are checked explicitly in `compile`. `optimize: false` drops a code-
   * generation pass that costs more than it saves for a validator run a few times per process.
   */
  private get ajv(): Ajv {
    this.ajvInstance ??= new Ajv({
      allErrors: true,
      strict: false,
      verbose: true,
      validateSchema: false,
      code: { optimize: false },
    });
    return this.ajvInstance;
  }

  /**
   * Compiled on first use: compiling every type's schema up front was most of a provider's start-up.
   * A schema resolved on demand (a CloudFormation type, a cluster's CRD) comes from outside the
   * provider's code, so it is checked against the meta-schema first, with Ajv's own error.
   */
  private compile(handler: ResourceTypeHandler, origin: "declared" | "resolved"): Entry {
    const ajvOf = () => this.ajv;
    let validate: ValidateFunction | undefined;
    return {
      handler,
      get validate() {
        if (!validate) {
          const ajv = ajvOf();
          // Throws on a schema that is not valid JSON Schema (a synchronous check: no $async here).
          if (origin === "resolved") void ajv.validateSchema(handler.properties, true);
          validate = ajv.compile(handler.properties);
        }
        return validate;
      },
    };
  }

  /** A type as the client names it → the name the handlers use. */
  canonical(type: string): string {
    if (this.mountPrefix && this.canonicalPrefix && prefixOf(type) === this.mountPrefix) {
      return withPrefix(type, this.canonicalPrefix);
    }
    return type;
  }

  /** A handler's type → the name the client routes by. */
  mounted(type: string): string {
    if (this.mountPrefix && this.canonicalPrefix && prefixOf(type) === this.canonicalPrefix) {
      return withPrefix(type, this.mountPrefix);
    }
    return type;
  }

  /** The handler for a type (mounted or canonical name), or undefined when this server does not serve it. */
  async find(type: string): Promise<Entry | undefined> {
    const canonical = this.canonical(type);
    const known = this.entries.get(canonical);
    if (known) return known;
    const resolveType = this.source.resolveType;
    if (!resolveType) return undefined;
    if (this.canonicalPrefix && prefixOf(canonical) !== this.canonicalPrefix) return undefined;
    let pending = this.resolving.get(canonical);
    if (!pending) {
      pending = resolveType(canonical).then(
        (handler) => {
          if (!handler) {
            // Not served now may be served later (a CRD applied in this very run): ask again next time.
            this.resolving.delete(canonical);
            return undefined;
          }
          const entry = this.compile(handler, "resolved");
          this.entries.set(canonical, entry);
          return entry;
        },
        (error: unknown) => {
          // A failed lookup (the registry was unreachable) may pass next time.
          this.resolving.delete(canonical);
          throw error;
        },
      );
      this.resolving.set(canonical, pending);
    }
    return pending;
  }

  /** Like find, but a type this server does not serve is an UNSUPPORTED error naming it. */
  async require(type: string): Promise<Entry> {
    const entry = await this.find(type);
    if (entry) return entry;
    throw new ProviderError("UNSUPPORTED", this.unsupportedMessage(type), {
      details: { type, supported: this.declared() },
    });
  }

  unsupportedMessage(type: string): string {
    const some = this.declared().slice(0, 12).join(", ");
    const more = this.source.resolveType ? " (and others described on demand)" : "";
    return `${this.source.name} does not serve resources of type ${type}; it serves ${some}${more}`;
  }

  /** The declared types, under their mounted names. */
  declared(): string[] {
    return this.source.types.map((handler) => this.mounted(handler.type));
  }

  info(handler: ResourceTypeHandler): ResourceTypeInfo {
    const info: ResourceTypeInfo = {
      type: this.mounted(handler.type),
      description: handler.description,
      properties: handler.properties,
      outputs: handler.outputs,
      replaceOnChange: handler.replaceOnChange ?? [],
      secretProperties: handler.secretProperties ?? [],
    };
    if (handler.secretOutputs) info.secretOutputs = handler.secretOutputs;
    if (handler.stateful) info.stateful = true;
    return info;
  }

  /**
   * describeResourceTypes: with neither `types` nor `query`, every declared type; otherwise the
   * named ones (each resolved on demand; one this server does not serve is UNSUPPORTED) and those
   * matching the query.
   */
  async describe(input: {
    types?: string[] | undefined;
    query?: string | undefined;
  }): Promise<ResourceTypeInfo[]> {
    if (!input.types && input.query === undefined)
      return this.source.types.map((handler) => this.info(handler));
    const wanted: string[] = [...(input.types ?? [])];
    if (input.query !== undefined) wanted.push(...(await this.search(input.query)));
    const seen = new Set<string>();
    const infos: ResourceTypeInfo[] = [];
    const missing: string[] = [];
    for (const type of wanted) {
      const canonical = this.canonical(type);
      if (seen.has(canonical)) continue;
      seen.add(canonical);
      const entry = await this.find(type);
      if (entry) infos.push(this.info(entry.handler));
      else missing.push(type);
    }
    if (missing.length > 0) {
      throw new ProviderError(
        "UNSUPPORTED",
        missing.map((type) => this.unsupportedMessage(type)).join("; "),
        {
          details: { types: missing },
        },
      );
    }
    return infos;
  }

  /** Declared types whose name or description holds every word of the query, then the provider's own search. */
  private async search(query: string): Promise<string[]> {
    const words = query
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    const matches = (text: string) => words.every((word) => text.includes(word));
    const found = this.source.types
      .filter((handler) => matches(`${this.mounted(handler.type)} ${handler.description}`.toLowerCase()))
      .map((handler) => handler.type);
    if (this.source.searchTypes && query.trim()) found.push(...(await this.source.searchTypes(query)));
    return found;
  }
}
