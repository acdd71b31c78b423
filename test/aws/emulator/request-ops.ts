import { ApiException } from "./errors.ts";
import { isRunning, type ProgressEvent, type ResourceRequest, settle } from "./requests.ts";
import { type Input, page, requireString } from "./wire.ts";

/** The operations on request tokens: status (each poll advances the request), listing, cancelling. */

function request_(requests: Map<string, ResourceRequest>, input: Input): ResourceRequest {
  const token = requireString(input, "RequestToken");
  const request = requests.get(token);
  if (!request)
    throw new ApiException("RequestTokenNotFoundException", `Request with token ${token} was not found`);
  return request;
}

export function requestStatus(
  requests: Map<string, ResourceRequest>,
  input: Input,
  withRetryAfter: (event: ProgressEvent) => ProgressEvent,
): unknown {
  const request = request_(requests, input);
  if (isRunning(request.event)) {
    request.pollsLeft--;
    if (request.pollsLeft <= 0) settle(request);
  }
  return { ProgressEvent: withRetryAfter({ ...request.event }) };
}

export function listRequests(requests: Map<string, ResourceRequest>, order: string[], input: Input): unknown {
  const filter = (input["ResourceRequestStatusFilter"] ?? {}) as {
    Operations?: string[];
    OperationStatuses?: string[];
  };
  const events = order
    .map((token) => requests.get(token)!.event)
    .filter((event) => !filter.Operations?.length || filter.Operations.includes(event.Operation))
    .filter(
      (event) =>
        !filter.OperationStatuses?.length || filter.OperationStatuses.includes(event.OperationStatus),
    )
    .reverse();
  const { items, NextToken } = page(events, input, 20);
  return { ResourceRequestStatusSummaries: items, ...(NextToken ? { NextToken } : {}) };
}

export function cancelRequest(requests: Map<string, ResourceRequest>, input: Input): unknown {
  const request = request_(requests, input);
  if (!isRunning(request.event))
    throw new ApiException(
      "ConcurrentModificationException",
      `Request ${request.event.RequestToken} is ${request.event.OperationStatus} and cannot be cancelled`,
    );
  clearTimeout(request.timer);
  request.event.OperationStatus = "CANCEL_COMPLETE";
  return { ProgressEvent: { ...request.event } };
}
