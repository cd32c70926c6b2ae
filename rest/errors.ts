/**
 * The REST error catalogue: every error the server answers with, as `{code, message, details}`.
 *
 * `code` is a gRPC status code, as the Cosmos SDK's gateway returns (so a missing account is
 * `404 {"code": 5, ...}` here as there); `details` is always an empty array, as in grpc-gateway.
 * Bad input is always a 4xx. rest/README.md lists the same entries; a test keeps the two in step.
 */
import { BaseError } from "../app/errors.js";

/** One entry of the catalogue. */
export interface RestErrorKind {
  /** Stable name, used in docs and logs. */
  readonly name: string;
  /** gRPC status code carried in the body. */
  readonly code: number;
  /** HTTP status. */
  readonly http: number;
  /** When it is returned. */
  readonly description: string;
}

function kind(name: string, code: number, http: number, description: string): RestErrorKind {
  return Object.freeze({ name, code, http, description });
}

/** Every error the REST server returns. The order is the order of the README table. */
export const RestErrors = {
  InvalidArgument: kind(
    "InvalidArgument",
    3,
    400,
    "malformed input: a path parameter, query parameter or body failed validation",
  ),
  NotFound: kind("NotFound", 5, 404, "the route, account, transaction, request or node does not exist"),
  PayloadTooLarge: kind("PayloadTooLarge", 3, 413, "the request body is larger than the server accepts"),
  UnsupportedMediaType: kind("UnsupportedMediaType", 3, 415, "the request body is not JSON"),
  MethodNotAllowed: kind("MethodNotAllowed", 12, 405, "the route exists but not with this HTTP method"),
  RateLimited: kind("RateLimited", 8, 429, "too many requests from this client; retry after the given delay"),
  FailedPrecondition: kind(
    "FailedPrecondition",
    9,
    400,
    "the chain rejected the query for a reason of state (for example a height it does not have)",
  ),
  Unavailable: kind("Unavailable", 14, 503, "the node's CometBFT RPC could not be reached or timed out"),
  Internal: kind("Internal", 13, 500, "a bug in the server or the node; never caused by input alone"),
} as const satisfies Record<string, RestErrorKind>;

export type RestErrorName = keyof typeof RestErrors;

/** The JSON body of every error response. */
export interface RestErrorBody {
  code: number;
  message: string;
  details: unknown[];
}

/**
 * An error the REST layer answers with; the error handler turns it into its catalogue entry.
 *
 * @example
 * throw new RestError("NotFound", `account ${address} not found`);
 */
export class RestError extends BaseError {
  override name = "RestError" as const;
  readonly kind: RestErrorKind;

  constructor(name: RestErrorName, message: string, cause?: unknown) {
    super(message, { cause });
    this.kind = RestErrors[name];
  }

  /** The JSON body for this error. */
  body(): RestErrorBody {
    return { code: this.kind.code, message: this.message, details: [] };
  }
}

/** JSON schema of {@link RestErrorBody}, shared by every route's 4xx/5xx responses. */
export const errorBodySchema = {
  $id: "RestError",
  type: "object",
  description: "An error: a gRPC status code and a message",
  properties: {
    code: { type: "integer", description: "gRPC status code (3 invalid argument, 5 not found, ...)" },
    message: { type: "string" },
    details: { type: "array", items: {} },
  },
  required: ["code", "message", "details"],
} as const;
