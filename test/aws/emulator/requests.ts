import { randomUUID } from "node:crypto";

export type Operation = "CREATE" | "UPDATE" | "DELETE";
export type Status =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESS"
  | "FAILED"
  | "CANCEL_IN_PROGRESS"
  | "CANCEL_COMPLETE";

/** A ProgressEvent as the wire carries it (timestamps in epoch seconds). */
export interface ProgressEvent {
  TypeName: string;
  Identifier?: string;
  RequestToken: string;
  Operation: Operation;
  OperationStatus: Status;
  EventTime: number;
  ResourceModel?: string;
  StatusMessage?: string;
  ErrorCode?: string;
  RetryAfter?: number;
}

/** One asynchronous resource request: advances on polls, or on the clock when nobody polls. */
export interface ResourceRequest {
  event: ProgressEvent;
  pollsLeft: number;
  /** The resource it works on, once known (busy while the request runs). */
  resourceId?: string;
  /** Carries out the change; returns the finished event's fields. */
  finish(): Pick<
    ProgressEvent,
    "OperationStatus" | "Identifier" | "ResourceModel" | "StatusMessage" | "ErrorCode"
  >;
  timer?: NodeJS.Timeout;
}

export function newEvent(typeName: string, operation: Operation, identifier?: string): ProgressEvent {
  return {
    TypeName: typeName,
    RequestToken: randomUUID(),
    Operation: operation,
    OperationStatus: "IN_PROGRESS",
    EventTime: Date.now() / 1000,
    ...(identifier ? { Identifier: identifier } : {}),
  };
}

export function isRunning(event: ProgressEvent): boolean {
  return event.OperationStatus === "PENDING" || event.OperationStatus === "IN_PROGRESS";
}

/** Settles a running request now. */
export function settle(request: ResourceRequest): void {
  if (!isRunning(request.event)) return;
  clearTimeout(request.timer);
  const outcome = request.finish();
  const event = request.event;
  event.OperationStatus = outcome.OperationStatus;
  delete event.RetryAfter;
  for (const key of ["Identifier", "ResourceModel", "StatusMessage", "ErrorCode"] as const) {
    const value = outcome[key];
    if (value !== undefined) event[key] = value;
  }
}
