import { ApiException } from "./errors.ts";
import { applyPatch, type PatchError, type PatchOperation, touchedProperties } from "./json-patch.ts";
import { cancelRequest, listRequests, requestStatus } from "./request-ops.ts";
import {
  isRunning,
  newEvent,
  type Operation,
  type ProgressEvent,
  type ResourceRequest,
  settle,
} from "./requests.ts";
import { TYPE_RULES } from "./rules.ts";
import type { HandlerFailure, Lookup, Model, TypeRule } from "./type-rules.ts";
import { checkModel, type Input, notFound, page, parseJson, requireString } from "./wire.ts";

/** Switches a test flips to make the service misbehave the documented ways. */
export interface Faults {
  /** The next N API calls answer ThrottlingException (HTTP 429). */
  throttleNext: number;
  /** Every Nth API call answers ThrottlingException (0: never). */
  throttleEvery: number;
  /** The next matching operations end FAILED with this handler error code (consumed one by one). */
  failNext: Array<{ typeName?: string; operation?: Operation; code: string; message?: string }>;
  /** GetResource answers NotFound this many times right after a create's SUCCESS (eventual consistency). */
  notFoundAfterCreate: number;
  /** Polls a request of this type stays IN_PROGRESS for (a slow RDS instance). */
  slowTypes: Record<string, number>;
}

export interface EmulatorOptions {
  /** Polls of GetResourceRequestStatus a request answers IN_PROGRESS before it settles; default 2. */
  polls?: number;
  /** A request nobody polls settles after this many ms, as the real service works on without a client; default 3000. */
  settleMs?: number;
  /** RetryAfter (ms from now) on IN_PROGRESS events; default none. */
  retryAfterMs?: number;
  /** ListResources page size; default 100 (the real maximum). */
  pageSize?: number;
}

export const DEFAULT_VPC = "vpc-0a1b2c3d4e5f67890";
export const DEFAULT_SUBNETS = ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"];

/**
 * The Cloud Control API's behaviour over an in-memory account: the eight operations, asynchronous
 * requests, ClientToken replay, JSON Patch, per-type schema rules, and fault switches.
 */
export class CloudControlState {
  readonly resources = new Map<string, Map<string, Model>>();
  readonly requests = new Map<string, ResourceRequest>();
  readonly order: string[] = [];
  readonly faults: Faults = {
    throttleNext: 0,
    throttleEvery: 0,
    failNext: [],
    notFoundAfterCreate: 0,
    slowTypes: {},
  };
  /** How many times each operation was called (throttled calls included). */
  readonly calls: Record<string, number> = {};
  private readonly clientTokens = new Map<string, { requestToken: string; input: string }>();
  private readonly busy = new Map<string, string>();
  private readonly notFoundLeft = new Map<string, number>();
  private callCount = 0;
  readonly options: Required<Omit<EmulatorOptions, "retryAfterMs">> & { retryAfterMs?: number };

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      polls: options.polls ?? 2,
      settleMs: options.settleMs ?? 3000,
      pageSize: options.pageSize ?? 100,
    };
    if (options.retryAfterMs !== undefined) this.options.retryAfterMs = options.retryAfterMs;
    // Every account has a default VPC with subnets; the catalog's examples point at them.
    this.table("AWS::EC2::VPC").set(DEFAULT_VPC, { VpcId: DEFAULT_VPC, CidrBlock: "172.31.0.0/16" });
    for (const [index, id] of DEFAULT_SUBNETS.entries()) {
      this.table("AWS::EC2::Subnet").set(id, {
        SubnetId: id,
        VpcId: DEFAULT_VPC,
        CidrBlock: `172.31.${index * 16}.0/20`,
        AvailabilityZone: `us-east-1${"ab"[index]}`,
      });
    }
  }

  private table(type: string): Map<string, Model> {
    let table = this.resources.get(type);
    if (!table) {
      table = new Map();
      this.resources.set(type, table);
    }
    return table;
  }

  private readonly lookup: Lookup = {
    get: (type, id) => this.resources.get(type)?.get(id),
    all: (type) =>
      [...(this.resources.get(type) ?? new Map<string, Model>())].map(([id, model]) => ({ id, model })),
  };

  /** Every resource as `type id`, for before/after comparisons in tests. */
  inventory(): string[] {
    return [...this.resources]
      .flatMap(([type, table]) => [...table.keys()].map((id) => `${type} ${id}`))
      .sort();
  }

  /** Settles every running request and stops their clocks. */
  close(): void {
    for (const request of this.requests.values()) clearTimeout(request.timer);
  }

  /** One API call by its X-Amz-Target operation name. */
  call(operation: string, input: Input): unknown {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
    this.callCount++;
    const every = this.faults.throttleEvery;
    if (this.faults.throttleNext > 0 || (every > 0 && this.callCount % every === 0)) {
      if (this.faults.throttleNext > 0) this.faults.throttleNext--;
      throw new ApiException("ThrottlingException", "Rate exceeded");
    }
    switch (operation) {
      case "CreateResource":
        return this.create(input);
      case "UpdateResource":
        return this.update(input);
      case "DeleteResource":
        return this.remove(input);
      case "GetResource":
        return this.get(input);
      case "ListResources":
        return this.list(input);
      case "GetResourceRequestStatus":
        return requestStatus(this.requests, input, (event) => this.withRetryAfter(event));
      case "ListResourceRequests":
        return listRequests(this.requests, this.order, input);
      case "CancelResourceRequest":
        return cancelRequest(this.requests, input);
      default:
        throw new ApiException("UnknownOperationException", `unknown operation ${operation}`);
    }
  }

  private rule(input: Input): { typeName: string; rule: TypeRule } {
    const typeName = requireString(input, "TypeName");
    const rule = TYPE_RULES[typeName];
    if (!rule) throw new ApiException("TypeNotFoundException", `The type '${typeName}' cannot be found.`);
    return { typeName, rule };
  }

  /** ClientToken replay: the same token and input return the original request; another input is a conflict. */
  private replay(input: Input, operation: string): ProgressEvent | undefined {
    const token = input["ClientToken"];
    if (typeof token !== "string") return undefined;
    const key = JSON.stringify([
      operation,
      input["TypeName"],
      input["Identifier"],
      input["DesiredState"],
      input["PatchDocument"],
    ]);
    const known = this.clientTokens.get(token);
    if (!known) return undefined;
    if (known.input !== key)
      throw new ApiException(
        "ClientTokenConflictException",
        `ClientToken ${token} was used by a different request`,
      );
    return { ...this.requests.get(known.requestToken)!.event };
  }

  private start(input: Input, operation: string, request: ResourceRequest): { ProgressEvent: ProgressEvent } {
    const token = input["ClientToken"];
    if (typeof token === "string") {
      const key = JSON.stringify([
        operation,
        input["TypeName"],
        input["Identifier"],
        input["DesiredState"],
        input["PatchDocument"],
      ]);
      this.clientTokens.set(token, { requestToken: request.event.RequestToken, input: key });
    }
    this.requests.set(request.event.RequestToken, request);
    this.order.push(request.event.RequestToken);
    if (request.resourceId) this.busy.set(request.resourceId, request.event.RequestToken);
    request.timer = setTimeout(() => settle(request), this.options.settleMs);
    request.timer.unref();
    return { ProgressEvent: this.withRetryAfter({ ...request.event }) };
  }

  private withRetryAfter(event: ProgressEvent): ProgressEvent {
    if (isRunning(event) && this.options.retryAfterMs !== undefined)
      event.RetryAfter = (Date.now() + this.options.retryAfterMs) / 1000;
    return event;
  }

  private pollsFor(typeName: string): number {
    return this.faults.slowTypes[typeName] ?? this.options.polls;
  }

  private injected(typeName: string, operation: Operation): HandlerFailure | undefined {
    const index = this.faults.failNext.findIndex(
      (fault) =>
        (!fault.typeName || fault.typeName === typeName) &&
        (!fault.operation || fault.operation === operation),
    );
    if (index < 0) return undefined;
    const [fault] = this.faults.failNext.splice(index, 1);
    return { code: fault!.code, message: fault!.message ?? "" };
  }

  private create(input: Input): unknown {
    const { typeName, rule } = this.rule(input);
    const replayed = this.replay(input, "CREATE");
    if (replayed) return { ProgressEvent: this.withRetryAfter(replayed) };
    const desired = checkModel(rule, parseJson(requireString(input, "DesiredState"), "DesiredState"));
    const readOnly = Object.keys(desired).filter(
      (key) => rule.readOnly.includes(key) && key !== rule.primary,
    );
    if (readOnly.length > 0)
      throw new ApiException(
        "ValidationException",
        `Model validation failed (#: read-only key [${readOnly[0]}] cannot be set)`,
      );
    const event = newEvent(typeName, "CREATE");
    const request: ResourceRequest = {
      event,
      pollsLeft: this.pollsFor(typeName),
      finish: () => {
        const failure = this.injected(typeName, "CREATE") ?? rule.checkCreate?.(desired, this.lookup);
        if (failure)
          return { OperationStatus: "FAILED", ErrorCode: failure.code, StatusMessage: failure.message };
        const id = rule.newId(desired);
        if (this.table(typeName).has(id))
          return {
            OperationStatus: "FAILED",
            ErrorCode: "AlreadyExists",
            StatusMessage: `${id} already exists`,
          };
        const model = { ...desired, ...rule.outputs?.(desired, id), [rule.primary]: id };
        this.table(typeName).set(id, model);
        if (this.faults.notFoundAfterCreate > 0)
          this.notFoundLeft.set(`${typeName} ${id}`, this.faults.notFoundAfterCreate);
        return {
          OperationStatus: "SUCCESS",
          Identifier: id,
          ResourceModel: JSON.stringify(this.visible(rule, model)),
        };
      },
    };
    return this.start(input, "CREATE", request);
  }

  private existing(typeName: string, id: string): Model {
    const model = this.resources.get(typeName)?.get(id);
    if (!model) throw notFound(typeName, id);
    return model;
  }

  private notBusy(id: string): void {
    const token = this.busy.get(id);
    if (token && isRunning(this.requests.get(token)!.event))
      throw new ApiException(
        "ConcurrentOperationException",
        `Another resource operation (${token}) is in progress on ${id}`,
      );
  }

  private update(input: Input): unknown {
    const { typeName, rule } = this.rule(input);
    const replayed = this.replay(input, "UPDATE");
    if (replayed) return { ProgressEvent: this.withRetryAfter(replayed) };
    const id = requireString(input, "Identifier");
    const current = this.existing(typeName, id);
    this.notBusy(id);
    const operations = parseJson(requireString(input, "PatchDocument"), "PatchDocument") as PatchOperation[];
    let next: Model;
    try {
      next = applyPatch(current, operations);
    } catch (error) {
      throw new ApiException("ValidationException", (error as PatchError).message);
    }
    const touched = touchedProperties(operations);
    const createOnly = touched.find(
      (key) => rule.createOnly?.includes(key) && JSON.stringify(next[key]) !== JSON.stringify(current[key]),
    );
    if (createOnly)
      throw new ApiException(
        "NotUpdatableException",
        `Invalid patch update: createOnlyProperties [/properties/${createOnly}] cannot be updated`,
      );
    const readOnly = touched.find(
      (key) => rule.readOnly.includes(key) && JSON.stringify(next[key]) !== JSON.stringify(current[key]),
    );
    if (readOnly)
      throw new ApiException(
        "ValidationException",
        `Invalid patch update: readOnlyProperties [/properties/${readOnly}] cannot be updated`,
      );
    const outputs = Object.fromEntries(rule.readOnly.map((key) => [key, current[key]]));
    checkModel(rule, Object.fromEntries(Object.entries(next).filter(([key]) => !(key in outputs))));
    const request: ResourceRequest = {
      event: newEvent(typeName, "UPDATE", id),
      pollsLeft: this.pollsFor(typeName),
      resourceId: id,
      finish: () => {
        const failure = this.injected(typeName, "UPDATE");
        if (failure)
          return { OperationStatus: "FAILED", ErrorCode: failure.code, StatusMessage: failure.message };
        if (!this.table(typeName).has(id))
          return { OperationStatus: "FAILED", ErrorCode: "NotFound", StatusMessage: `${id} not found` };
        this.table(typeName).set(id, next);
        return { OperationStatus: "SUCCESS", ResourceModel: JSON.stringify(this.visible(rule, next)) };
      },
    };
    return this.start(input, "UPDATE", request);
  }

  private remove(input: Input): unknown {
    const { typeName, rule } = this.rule(input);
    const replayed = this.replay(input, "DELETE");
    if (replayed) return { ProgressEvent: this.withRetryAfter(replayed) };
    const id = requireString(input, "Identifier");
    this.notBusy(id);
    const request: ResourceRequest = {
      event: newEvent(typeName, "DELETE", id),
      pollsLeft: this.pollsFor(typeName),
      resourceId: id,
      finish: () => {
        const failure = this.injected(typeName, "DELETE");
        if (failure)
          return { OperationStatus: "FAILED", ErrorCode: failure.code, StatusMessage: failure.message };
        if (!this.table(typeName).has(id))
          return {
            OperationStatus: "FAILED",
            ErrorCode: "NotFound",
            StatusMessage: `${typeName} ${id} not found`,
          };
        const blocked = rule.checkDelete?.(id, this.lookup);
        if (blocked)
          return { OperationStatus: "FAILED", ErrorCode: blocked.code, StatusMessage: blocked.message };
        this.table(typeName).delete(id);
        return { OperationStatus: "SUCCESS" };
      },
    };
    return this.start(input, "DELETE", request);
  }

  /** What Get and List show: write-only properties never come back. */
  private visible(rule: TypeRule, model: Model): Model {
    const out = { ...model };
    for (const key of rule.writeOnly ?? []) delete out[key];
    return out;
  }

  private get(input: Input): unknown {
    const { typeName, rule } = this.rule(input);
    const id = requireString(input, "Identifier");
    const key = `${typeName} ${id}`;
    const left = this.notFoundLeft.get(key) ?? 0;
    if (left > 0) {
      this.notFoundLeft.set(key, left - 1);
      throw notFound(typeName, id);
    }
    const model = this.existing(typeName, id);
    return {
      TypeName: typeName,
      ResourceDescription: { Identifier: id, Properties: JSON.stringify(this.visible(rule, model)) },
    };
  }

  private list(input: Input): unknown {
    const { typeName, rule } = this.rule(input);
    let entries = [...this.table(typeName)];
    if (rule.listNeeds) {
      const parent =
        typeof input["ResourceModel"] === "string"
          ? (parseJson(input["ResourceModel"], "ResourceModel") as Model)
          : {};
      if (parent[rule.listNeeds] === undefined)
        throw new ApiException(
          "InvalidRequestException",
          `Missing Or Invalid ResourceModel property in ${typeName} list handler request input. Required property: [${rule.listNeeds}]`,
        );
      entries = entries.filter(([, model]) => model[rule.listNeeds!] === parent[rule.listNeeds!]);
    }
    const { items, NextToken } = page(entries, input, this.options.pageSize);
    return {
      TypeName: typeName,
      ResourceDescriptions: items.map(([id, model]) => ({
        Identifier: id,
        Properties: JSON.stringify(this.visible(rule, model)),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  }
}
