/**
 * Human text for requests and nodes, as `poq query` and `poq tx infer --wait` print them.
 */
import type { NodeRecord, RequestRecord, ResponseView } from "../app/modules/poq/state.js";

const coin = (c: { amount: string; denom: string }) => `${c.amount}${c.denom}`;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
/** All of a text (answers are the point of a request), its later lines indented under the first. */
const block = (s: string, indent = 13) => s.trim().replace(/\r?\n/g, `\n${" ".repeat(indent)}`);

/**
 * A request's details: status, parties, heights, the consensus score with each validator's
 * revealed score, and the payouts.
 *
 * @example
 * process.stdout.write(requestText(request) + "\n");
 */
export function requestText(r: RequestRecord & { responses?: ResponseView[] }): string {
  const heights = [
    ["created", r.created_height],
    ["assigned", r.assigned_height],
    ["responded", r.responded_height],
    ["finalized", r.finalized_height],
  ]
    .filter(([, h]) => h !== "0")
    .map(([name, h]) => `${name} ${h}`)
    .join(", ");
  const lines = [
    `request ${r.id}: ${r.status}`,
    `  model      ${r.model}   fee ${coin(r.fee)}   min_quality ${r.min_quality} bp   max_tokens ${r.max_tokens}`,
    `  requester  ${r.requester}`,
    `  node       ${r.node || "(none yet)"}`,
    `  prompt     ${block(r.prompt)}`,
    `  response   ${r.response ? block(r.response) : "(none yet)"}`,
    `  heights    ${heights}${r.status === "ASSIGNED" ? ` (response due by ${r.response_deadline})` : ""}`,
  ];
  if (r.quality) {
    const q = r.quality;
    lines.push(
      `  quality    ${q.score} bp (consensus of ${q.scores.length} revealed score(s), power ${q.revealed_power} of ${q.committee_power})`,
    );
    // A revealed score's `power` is the validator's trust when the request finalized: seats weigh
    // the same in the median, and trust weighs its pay.
    for (const s of q.scores)
      lines.push(`    ${s.validator}  ${String(s.score).padStart(5)} bp  trust ${s.power} bp`);
  } else if (r.committee.length > 0) {
    lines.push(`  committee  ${r.committee.map((c) => c.validator).join(", ")}`);
  }
  if (r.replicas >= 2) lines.push(...answerLines(r, r.responses ?? []));
  if (r.payout) {
    const p = r.payout;
    const denom = r.fee.denom;
    lines.push(
      `  payout     node ${p.node}${denom}, refund ${p.refund}${denom}${p.slashed !== "0" ? `, node slashed ${p.slashed}${denom}` : ""}`,
    );
    // A replicated request lists each validator once per answer it scored: one line each, summed.
    const paid = new Map<string, { amount: bigint; answers: number }>();
    for (const v of p.validators) {
      const seen = paid.get(v.operator) ?? { amount: 0n, answers: 0 };
      paid.set(v.operator, { amount: seen.amount + BigInt(v.amount), answers: seen.answers + 1 });
    }
    for (const [operator, v] of paid)
      lines.push(
        `    validator ${operator}  ${v.amount}${denom}${v.answers > 1 ? ` (${v.answers} answers)` : ""}`,
      );
  } else if (r.status === "EXPIRED") {
    // Expiry pays nobody: the whole escrowed fee goes back to the requester (poq/requests.ts expire).
    lines.push(`  payout     refund ${coin(r.fee)} to the requester (no answer in time)`);
  }
  return lines.join("\n");
}

/**
 * Every answer of a replicated request with its node, score and payout; `*` marks the best-scored
 * one (the request's `node`, `response` and `quality`).
 */
function answerLines(r: RequestRecord, responses: readonly ResponseView[]): string[] {
  const lines = [`  answers    ${responses.length} of ${r.replicas} (* best)`];
  for (const a of responses) {
    const best = r.status === "FINALIZED" && a.node === r.node && a.response === r.response;
    const score = a.quality ? `${a.quality.score} bp` : "-";
    const paid = a.payout ? `paid ${a.payout.node}${r.fee.denom}` : "";
    lines.push(
      `  ${best ? "*" : " "} ${a.id.padStart(5)}  ${a.status.padEnd(9)}  ${score.padStart(8)}  ${a.node}  ${paid}`,
      `           ${a.response ? block(a.response, 11) : "(not revealed)"}`,
    );
  }
  return lines;
}

/** One line per request. */
export function requestLine(r: RequestRecord): string {
  const score = r.quality ? `${r.quality.score} bp` : "-";
  const model = r.replicas >= 2 ? `${r.model} x${r.replicas}` : r.model;
  return `${r.id.padStart(5)}  ${r.status.padEnd(9)}  ${score.padStart(8)}  ${model}  ${clip(oneLine(r.prompt), 60)}`;
}

/** One line per inference node. */
export function nodeLine(n: NodeRecord & { average_quality?: number }): string {
  return [
    n.operator,
    n.moniker || "-",
    // Jailed nodes get no new requests until `poq tx node unjail`.
    n.jailed ? "JAILED" : n.status,
    `stake ${coin(n.stake)}`,
    `served ${n.served}`,
    `avg quality ${n.average_quality ?? 0} bp`,
    `earned ${n.earnings}`,
    `slashes ${n.slashes}`,
    `models ${n.models.join(",")}`,
  ].join("  ");
}
