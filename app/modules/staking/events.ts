/**
 * Staking event types and attribute keys (the SDK's names), and their constructors.
 */
import type { Event } from "../../../abci/application.js";

export const EventCreateValidator = "create_validator";
export const EventEditValidator = "edit_validator";
export const EventDelegate = "delegate";
export const EventUnbond = "unbond";
export const EventRedelegate = "redelegate";

const attr = (key: string, value: string) => ({ key, value, index: true });

const pad = (n: bigint, width: number): string => n.toString().padStart(width, "0");

/**
 * RFC 3339 UTC of a block time in nanoseconds, as Go prints a `time.Time` (no clock is read: the
 * calendar is computed from the days since 1970, Howard Hinnant's civil-from-days).
 */
export function rfc3339(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n;
  const frac = nanos % 1_000_000_000n;
  const days = seconds / 86_400n;
  const rem = seconds % 86_400n;
  const z = days + 719_468n;
  const era = z / 146_097n;
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1_460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  const year = yoe + era * 400n + (month <= 2n ? 1n : 0n);
  const base = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(rem / 3600n, 2)}:${pad((rem % 3600n) / 60n, 2)}:${pad(rem % 60n, 2)}`;
  return frac === 0n ? `${base}Z` : `${base}.${pad(frac, 9).replace(/0+$/, "")}Z`;
}

export const createValidatorEvent = (validator: string, amount: string): Event => ({
  type: EventCreateValidator,
  attributes: [attr("validator", validator), attr("amount", amount)],
});

export const editValidatorEvent = (commissionRate: string, minSelfDelegation: string): Event => ({
  type: EventEditValidator,
  attributes: [attr("commission_rate", commissionRate), attr("min_self_delegation", minSelfDelegation)],
});

export const delegateEvent = (
  validator: string,
  delegator: string,
  amount: string,
  newShares: string,
): Event => ({
  type: EventDelegate,
  attributes: [
    attr("validator", validator),
    attr("delegator", delegator),
    attr("amount", amount),
    attr("new_shares", newShares),
  ],
});

export const unbondEvent = (
  validator: string,
  delegator: string,
  amount: string,
  completion: bigint,
): Event => ({
  type: EventUnbond,
  attributes: [
    attr("validator", validator),
    attr("delegator", delegator),
    attr("amount", amount),
    attr("completion_time", rfc3339(completion)),
  ],
});

export const redelegateEvent = (src: string, dst: string, amount: string, completion: bigint): Event => ({
  type: EventRedelegate,
  attributes: [
    attr("source_validator", src),
    attr("destination_validator", dst),
    attr("amount", amount),
    attr("completion_time", rfc3339(completion)),
  ],
});
