/** A synchronous Cloud Control exception: the `__type` and HTTP status of the service model. */
export class ApiException extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string) {
    super(message);
    this.name = "ApiException";
    this.type = type;
    this.status = STATUS[type] ?? 400;
  }
}

/** HTTP codes from the model's httpError traits (reference §3); ResourceNotFound is 400 live (§7). */
const STATUS: Record<string, number> = {
  AlreadyExistsException: 400,
  ClientTokenConflictException: 409,
  ConcurrentModificationException: 500,
  ConcurrentOperationException: 409,
  GeneralServiceException: 400,
  HandlerFailureException: 502,
  HandlerInternalFailureException: 502,
  InvalidCredentialsException: 401,
  InvalidRequestException: 400,
  NetworkFailureException: 502,
  NotStabilizedException: 400,
  NotUpdatableException: 400,
  PrivateTypeException: 400,
  RequestTokenNotFoundException: 404,
  ResourceConflictException: 409,
  ResourceNotFoundException: 400,
  ServiceInternalErrorException: 502,
  ServiceLimitExceededException: 400,
  ThrottlingException: 429,
  TypeNotFoundException: 404,
  UnsupportedActionException: 405,
  ValidationException: 400,
};
