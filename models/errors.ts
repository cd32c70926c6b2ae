import { BaseError } from "../app/errors.js";

/**
 * Any failure of the quality evaluator: missing or mismatched model files, a bad manifest, an input
 * that cannot be scored. The message says what went wrong and, where it can, how to fix it.
 */
export class EvaluatorError extends BaseError {
  override name = "EvaluatorError" as const;
}

/** A model file is missing, or its sha256 differs from the manifest or the pinned hash. */
export class ModelFilesError extends BaseError {
  override name = "ModelFilesError" as const;
}

/** A download from the model hub failed (HTTP status, connection, or hash). */
export class ModelPullError extends BaseError {
  override name = "ModelPullError" as const;
}
