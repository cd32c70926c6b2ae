/**
 * Errors with a codespace and a numbered code, as ABCI results carry them.
 *
 * Each module registers its codes once with {@link registerError}; a code is never reused for a
 * different meaning. A rejected transaction is a result code, not a crash: handlers throw a
 * {@link ChainError} and the app turns it into `{code, codespace, log}`.
 */

/** The base error class: a short message, optional details, and a cause chain. */
export class BaseError extends Error {
  override name = "BaseError";
  readonly details: string | undefined;

  constructor(message: string, opts: { details?: string; cause?: unknown } = {}) {
    super(opts.details ? `${message}: ${opts.details}` : message, { cause: opts.cause });
    this.details = opts.details;
  }
}

/** A registered error kind: codespace + code + a short description. */
export interface ErrorKind {
  readonly codespace: string;
  readonly code: number;
  readonly description: string;
}

/** An error that becomes an ABCI result code. */
export class ChainError extends BaseError {
  override name = "ChainError" as const;
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, details?: string, cause?: unknown) {
    super(kind.description, { ...(details !== undefined ? { details } : {}), cause });
    this.kind = kind;
  }

  get codespace(): string {
    return this.kind.codespace;
  }

  get code(): number {
    return this.kind.code;
  }
}

const registry = new Map<string, ErrorKind>();

/**
 * Registers an error kind. Throws when the (codespace, code) pair is already taken, so two
 * meanings can never share a number.
 *
 * @example
 * const ErrInsufficientFunds = registerError("sdk", 5, "insufficient funds");
 * throw new ChainError(ErrInsufficientFunds, "10upoq is smaller than 20upoq");
 */
export function registerError(codespace: string, code: number, description: string): ErrorKind {
  if (code === 0) throw new BaseError("error code 0 is reserved for success");
  const id = `${codespace}/${code}`;
  if (registry.has(id)) throw new BaseError(`error ${id} is already registered`);
  const kind: ErrorKind = Object.freeze({ codespace, code, description });
  registry.set(id, kind);
  return kind;
}

/** All registered error kinds, sorted by codespace then code (for docs and their check). */
export function registeredErrors(): ErrorKind[] {
  return [...registry.values()].sort((a, b) =>
    a.codespace === b.codespace ? a.code - b.code : a.codespace < b.codespace ? -1 : 1,
  );
}

/**
 * A genesis `app_state` section that cannot be used: says which module, which field and why, so
 * that whoever wrote the genesis file can fix it. Thrown by `Module.validateGenesis`.
 *
 * @example
 * throw new GenesisError("bank", "balances[2].coins[0].amount", "must be a non-negative integer string");
 */
export class GenesisError extends BaseError {
  override name = "GenesisError" as const;
  readonly module: string;
  readonly field: string;

  constructor(module: string, field: string, reason: string, cause?: unknown) {
    super(`invalid genesis app_state.${module}${field === "" ? "" : `.${field}`}`, {
      details: reason,
      cause,
    });
    this.module = module;
    this.field = field;
  }
}
