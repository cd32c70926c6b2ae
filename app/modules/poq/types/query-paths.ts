/**
 * The ABCI query paths of the poq module (`/poq.v1.Query/*`, JSON in and out; see ../queries.ts).
 * The module registers its handlers under these names and every reader (REST, CLI, client, inference
 * node) asks by them, so a path is written once.
 *
 * @example
 * await comet.abciQuery({ path: PoqQueryPath.Request, data: encodeUtf8(JSON.stringify({ id: "1" })) });
 */
export const PoqQueryPath = {
  Params: "/poq.v1.Query/Params",
  Request: "/poq.v1.Query/Request",
  Requests: "/poq.v1.Query/Requests",
  Node: "/poq.v1.Query/Node",
  Nodes: "/poq.v1.Query/Nodes",
  Validators: "/poq.v1.Query/Validators",
} as const;
