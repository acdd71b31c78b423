import { createHash } from "node:crypto";
import type { CloudControlClient, ProgressEvent } from "@aws-sdk/client-cloudcontrol";
import { type PropertyMap, ProviderError } from "../../protocol/index.ts";
import { errorName, fromFailedEvent, fromSdkError, isThrottling } from "./errors.ts";

/** Polling starts well under a second and backs off: peers poll every 5 s and users notice (§7). */
export interface PollSettings {
  firstMs: number;
  factor: number;
  maxMs: number;
}

export const DEFAULT_POLL: PollSettings = { firstMs: 200, factor: 1.5, maxMs: 5_000 };
const MIN_POLL_MS = 20;
const THROTTLE_ATTEMPTS = 6;
const THROTTLE_BASE_MS = 100;
const THROTTLE_CAP_MS = 4_000;
/** GetResource right after SUCCESS may not see the resource yet (eventual consistency). */
const VISIBLE_ATTEMPTS = 6;
/** A spent ClientToken (its request FAILED, or its resource is gone) is followed by a derived one. */
const TOKEN_GENERATIONS = 5;

export interface OperationContext {
  /** What to say in progress and errors: `AWS::EC2::VPC vpc (create)`. */
  label: string;
  /** The idempotency seed: the change's operationId, else something deterministic per change. */
  tokenSeed: string;
  progress?: ((message: string) => void) | undefined;
}

export interface ResourceModel {
  id: string;
  model: PropertyMap;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function running(event: ProgressEvent | undefined): boolean {
  return event?.OperationStatus === "PENDING" || event?.OperationStatus === "IN_PROGRESS";
}

/** A ClientToken is 1–128 chars of [-A-Za-z0-9+/=]; a digest of the seed always fits. */
export function clientToken(seed: string, generation = 0): string {
  const digest = createHash("sha256").update(seed).digest("hex").slice(0, 48);
  return generation === 0 ? digest : `${digest}-${generation}`;
}

function parseModel(text: string | undefined): PropertyMap {
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as PropertyMap) : {};
  } catch {
    return {};
  }
}

type CloudControlSdk = typeof import("@aws-sdk/client-cloudcontrol");

/** Cloud Control through the official SDK: each change polled to completion, throttling absorbed. */
export class CloudControl {
  readonly poll: PollSettings;
  private readonly given: CloudControlClient | undefined;
  private connecting: Promise<{ sdk: CloudControlSdk; client: CloudControlClient }> | undefined;

  constructor(client?: CloudControlClient, poll: PollSettings = DEFAULT_POLL) {
    this.given = client;
    this.poll = poll;
  }

  /**
   * Calls the SDK, imported on the first call: it is a few hundred modules, ~0.1 s of a start that
   * only describes or validates. Region, credentials and endpoint (AWS_ENDPOINT_URL_CLOUDCONTROL)
   * come from the SDK's default chain.
   */
  private async call<T>(make: (sdk: CloudControlSdk, client: CloudControlClient) => Promise<T>): Promise<T> {
    this.connecting ??= import("@aws-sdk/client-cloudcontrol").then((sdk) => ({
      sdk,
      client: this.given ?? new sdk.CloudControlClient({}),
    }));
    const { sdk, client } = await this.connecting;
    return make(sdk, client);
  }

  /** Sends one command; ThrottlingException is retried with full jitter, then THROTTLED. */
  async send<T>(doing: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (isThrottling(error) && attempt < THROTTLE_ATTEMPTS) {
          await sleep(Math.random() * Math.min(THROTTLE_CAP_MS, THROTTLE_BASE_MS * 2 ** attempt));
          continue;
        }
        throw fromSdkError(error, doing);
      }
    }
  }

  /** Polls a request until it settles, honouring RetryAfter, and reports progress on each poll. */
  async wait(first: ProgressEvent | undefined, context: OperationContext): Promise<ProgressEvent> {
    let event = first;
    let delay = this.poll.firstMs;
    const started = Date.now();
    while (running(event)) {
      // The service's RetryAfter knows better than our backoff; without one, back off from well under a second.
      const retryAfter = event?.RetryAfter ? event.RetryAfter.getTime() - Date.now() : undefined;
      if (retryAfter === undefined) {
        await sleep(delay);
        delay = Math.min(this.poll.maxMs, delay * this.poll.factor);
      } else await sleep(Math.min(this.poll.maxMs, Math.max(MIN_POLL_MS, retryAfter)));
      const token = event?.RequestToken;
      const answer = await this.send(`${context.label}: polling`, () =>
        this.call((sdk, client) =>
          client.send(new sdk.GetResourceRequestStatusCommand({ RequestToken: token })),
        ),
      );
      event = answer.ProgressEvent;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      context.progress?.(`${context.label}: ${event?.OperationStatus ?? "?"} after ${seconds} s`);
    }
    if (!event)
      throw new ProviderError("INTERNAL", `${context.label}: Cloud Control returned no progress event`);
    return event;
  }

  /** GetResource; null when it does not exist. */
  async get(typeName: string, id: string): Promise<PropertyMap | null> {
    try {
      const answer = await this.send(`reading ${typeName} ${id}`, () =>
        this.call((sdk, client) =>
          client.send(new sdk.GetResourceCommand({ TypeName: typeName, Identifier: id })),
        ),
      );
      return parseModel(answer.ResourceDescription?.Properties);
    } catch (error) {
      if (ProviderError.isInstance(error) && error.code === "NOT_FOUND") return null;
      throw error;
    }
  }

  /** GetResource after a SUCCESS: NotFound is retried for a while before it counts. */
  async getVisible(typeName: string, id: string): Promise<PropertyMap | null> {
    for (let attempt = 1; attempt <= VISIBLE_ATTEMPTS; attempt++) {
      const model = await this.get(typeName, id);
      if (model) return model;
      if (attempt < VISIBLE_ATTEMPTS) await sleep(this.poll.firstMs * attempt);
    }
    return null;
  }

  /**
   * CreateResource polled to SUCCESS. The ClientToken comes from the context's seed, so a create sent
   * again after a crash or a retry is replayed by the service instead of making a second resource.
   */
  async create(typeName: string, desired: PropertyMap, context: OperationContext): Promise<ResourceModel> {
    const desiredState = JSON.stringify(desired);
    for (let generation = 0; generation < TOKEN_GENERATIONS; generation++) {
      const token = clientToken(`${context.tokenSeed}|create|${typeName}`, generation);
      const answer = await this.send(`${context.label}: CreateResource`, () =>
        this.call((sdk, client) =>
          client.send(
            new sdk.CreateResourceCommand({
              TypeName: typeName,
              DesiredState: desiredState,
              ClientToken: token,
            }),
          ),
        ),
      );
      const replayed = !running(answer.ProgressEvent);
      const event = await this.wait(answer.ProgressEvent, context);
      if (event.OperationStatus !== "SUCCESS") {
        // A replayed failure is history; a throttled handler is worth a fresh attempt.
        if (replayed || event.ErrorCode === "Throttling") continue;
        throw fromFailedEvent(event, context.label);
      }
      const id = event.Identifier;
      if (!id) throw new ProviderError("INTERNAL", `${context.label}: SUCCESS without an Identifier`);
      const model = await this.getVisible(typeName, id);
      if (model) return { id, model };
      // A replayed success whose resource is gone since: the token is spent, make it anew.
      if (replayed) continue;
      throw new ProviderError("NOT_FOUND", `${context.label}: ${id} reported created but cannot be read`, {
        retryable: true,
      });
    }
    throw new ProviderError(
      "CONFLICT",
      `${context.label}: every client token for this change is spent; retry with a new change`,
    );
  }

  async update(
    typeName: string,
    id: string,
    patch: unknown[],
    context: OperationContext,
  ): Promise<PropertyMap> {
    const patchDocument = JSON.stringify(patch);
    for (let generation = 0; ; generation++) {
      const token = clientToken(`${context.tokenSeed}|update|${typeName}|${id}|${patchDocument}`, generation);
      const answer = await this.send(`${context.label}: UpdateResource`, () =>
        this.call((sdk, client) =>
          client.send(
            new sdk.UpdateResourceCommand({
              TypeName: typeName,
              Identifier: id,
              PatchDocument: patchDocument,
              ClientToken: token,
            }),
          ),
        ),
      );
      const replayed = !running(answer.ProgressEvent);
      const event = await this.wait(answer.ProgressEvent, context);
      if (event.OperationStatus === "SUCCESS") break;
      // A retry of an update that failed before replays that failure: send it anew under the next token.
      if ((replayed || event.ErrorCode === "Throttling") && generation + 1 < TOKEN_GENERATIONS) continue;
      throw fromFailedEvent(event, context.label);
    }
    const model = await this.getVisible(typeName, id);
    if (!model) throw new ProviderError("NOT_FOUND", `${context.label}: ${id} does not exist any more`);
    return model;
  }

  async delete(typeName: string, id: string, context: OperationContext): Promise<void> {
    for (let generation = 0; generation < TOKEN_GENERATIONS; generation++) {
      const token = clientToken(`${context.tokenSeed}|delete|${typeName}|${id}`, generation);
      const answer = await this.send(`${context.label}: DeleteResource`, () =>
        this.call((sdk, client) =>
          client.send(
            new sdk.DeleteResourceCommand({ TypeName: typeName, Identifier: id, ClientToken: token }),
          ),
        ),
      );
      const replayed = !running(answer.ProgressEvent);
      const event = await this.wait(answer.ProgressEvent, context);
      if (event.OperationStatus === "SUCCESS") return;
      if (event.ErrorCode === "NotFound") throw fromFailedEvent(event, context.label);
      if (replayed || event.ErrorCode === "Throttling") continue;
      throw fromFailedEvent(event, context.label);
    }
  }

  /** Every resource of a type, page by page (a parent model for types whose list handler needs one). */
  async list(typeName: string, parent?: PropertyMap): Promise<ResourceModel[]> {
    const out: ResourceModel[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const answer = await this.send(`listing ${typeName}`, () =>
        this.call((sdk, client) =>
          client.send(
            new sdk.ListResourcesCommand({
              TypeName: typeName,
              ...(token ? { NextToken: token } : {}),
              ...(parent ? { ResourceModel: JSON.stringify(parent) } : {}),
            }),
          ),
        ),
      );
      for (const item of answer.ResourceDescriptions ?? [])
        if (item.Identifier) out.push({ id: item.Identifier, model: parseModel(item.Properties) });
      nextToken = answer.NextToken;
    } while (nextToken);
    return out;
  }

  /** Whether Cloud Control knows the type: TypeNotFoundException says no, anything else yes. */
  async typeExists(typeName: string): Promise<boolean> {
    try {
      await this.call((sdk, client) =>
        client.send(new sdk.ListResourcesCommand({ TypeName: typeName, MaxResults: 1 })),
      );
      return true;
    } catch (error) {
      return errorName(error) !== "TypeNotFoundException";
    }
  }
}
