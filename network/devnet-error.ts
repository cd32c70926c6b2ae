/** Kept apart from devnet.ts so that the CLI's exit-code mapping does not load the whole devnet. */
import { BaseError } from "../app/errors.js";

/** The devnet's flags or folder do not allow what was asked (a usage error: exit code 2). */
export class DevnetError extends BaseError {
  override name = "DevnetError" as const;
}
