/**
 * Holds a REST server to its own OpenAPI document, operation by operation, so that the two cannot
 * drift: each documented path is called with valid parameters (from fixtures) and then with one
 * parameter at a time replaced by values around its schema (wrong type, out of range, broken pattern,
 * bad checksum, unknown enum member, missing).
 *
 * For every call: the status must be one the operation documents and the body must validate against
 * the schema documented for that status. For a path or query parameter: a value the document refuses
 * must get 400 with code 3 (InvalidArgument), and a value it allows must never get that (404, or 400
 * code 9 for a state the chain is not in, are answers about the chain, not the input). For a body
 * field, values the document refuses must get 400 code 3 (whether the bytes are a transaction that runs
 * is beyond a schema). A JSON route must also answer a non-JSON body as documented.
 */

/** The subset of JSON Schema the routes' schemas use. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** OpenAPI 3.0's way to allow null besides `type`. */
  nullable?: boolean;
  $ref?: string;
}

interface Parameter {
  in: "path" | "query";
  name: string;
  required?: boolean;
  schema: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: Schema } } };
  responses: Record<string, { content?: { "application/json"?: { schema: Schema } } }>;
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Reply {
  status: number;
  body: unknown;
}

/** Sends one request: JSON `body` unless `contentType` says otherwise. */
export type Send = (method: string, url: string, body?: unknown, contentType?: string) => Promise<Reply>;

/** Valid values for one operation (`"GET /poq/v1/requests/{id}"`): path/query parameters, body, expected status. */
export interface OperationFixture {
  params?: Record<string, string>;
  body?: Record<string, unknown>;
  /** Status of the valid call; default 200. */
  status?: number;
}

export interface CheckOptions {
  /** Custom formats the document names (e.g. `poq-address`): name -> check. Unknown formats pass. */
  formats?: Record<string, (text: string) => boolean>;
}

/** Validation errors of `value` against `schema` (empty when it validates). Query values are strings. */
export function validate(
  schema: Schema,
  value: unknown,
  doc: OpenApiDoc,
  opts: CheckOptions,
  at = "",
  fromQuery = false,
): string[] {
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, "");
    const target = doc.components?.schemas?.[name];
    return target
      ? validate(target, value, doc, opts, at, fromQuery)
      : [`${at}: unresolved $ref ${schema.$ref}`];
  }
  let v = value;
  const types = schema.type === undefined ? [] : ([] as string[]).concat(schema.type);
  if (schema.nullable && types.length > 0) types.push("null");
  // Query strings carry numbers and booleans as text: read them as the server's coercion does.
  if (fromQuery && typeof v === "string") {
    if (types.includes("integer") && /^-?[0-9]+$/.test(v)) v = Number(v);
    else if (types.includes("boolean") && (v === "true" || v === "false")) v = v === "true";
  }
  const typeOf = (x: unknown): string =>
    x === null ? "null" : Array.isArray(x) ? "array" : Number.isInteger(x) ? "integer" : typeof x;
  if (types.length > 0) {
    const t = typeOf(v);
    if (!types.includes(t) && !(t === "integer" && types.includes("number")))
      return [`${at}: ${JSON.stringify(v)?.slice(0, 40)} is not ${types.join("|")}`];
  }
  const errs: string[] = [];
  if (schema.enum && !schema.enum.some((e) => e === v)) errs.push(`${at}: ${String(v)} not in enum`);
  if (typeof v === "string") {
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(v))
      errs.push(`${at}: does not match ${schema.pattern}`);
    if (schema.minLength !== undefined && [...v].length < schema.minLength) errs.push(`${at}: too short`);
    if (schema.maxLength !== undefined && [...v].length > schema.maxLength) errs.push(`${at}: too long`);
    const format = schema.format !== undefined ? opts.formats?.[schema.format] : undefined;
    if (format && !format(v)) errs.push(`${at}: not a ${schema.format}`);
  }
  if (typeof v === "number") {
    if (schema.minimum !== undefined && v < schema.minimum) errs.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && v > schema.maximum) errs.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(v) && schema.items)
    v.forEach((x, i) => errs.push(...validate(schema.items!, x, doc, opts, `${at}[${i}]`)));
  if (typeOf(v) === "object") {
    const obj = v as Record<string, unknown>;
    for (const r of schema.required ?? []) if (!(r in obj)) errs.push(`${at}.${r}: missing`);
    for (const [k, x] of Object.entries(obj)) {
      const sub = schema.properties?.[k];
      if (sub) errs.push(...validate(sub, x, doc, opts, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}.${k}: not in the schema`);
      else if (typeof schema.additionalProperties === "object")
        errs.push(...validate(schema.additionalProperties, x, doc, opts, `${at}.${k}`));
    }
  }
  return errs;
}

/** Values around a parameter's schema: the fixture's own, broken copies of it, and generic edge cases. */
function candidates(schema: Schema, valid: string | undefined): string[] {
  const out = new Set<string>(["x", "0", "-1", "1.5", "abc", "zz", "18446744073709551616", "9".repeat(20)]);
  out.add("A".repeat(11)).add("AAAA").add("AA==AA").add("***").add("A".repeat(2000));
  if (valid !== undefined && valid.length > 0) {
    out
      .add(valid + "x")
      .add(valid.toUpperCase())
      .add(valid.slice(0, -1));
    const last = valid.at(-1);
    out.add(valid.slice(0, -1) + (last === "q" ? "p" : "q"));
  }
  for (const e of schema.enum ?? []) out.add(String(e)).add(String(e).toLowerCase() + "x");
  if (schema.type === "integer")
    for (const n of [schema.minimum, schema.maximum])
      if (n !== undefined)
        out
          .add(String(n))
          .add(String(n + 1))
          .add(String(n - 1));
  if (schema.type === "boolean") out.add("true").add("false").add("yes");
  return [...out];
}

function urlOf(path: string, params: Record<string, string>, op: Operation): string {
  let url = path;
  const query: string[] = [];
  for (const p of op.parameters ?? []) {
    const v = params[p.name];
    if (v === undefined) continue;
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(v));
    else query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(v)}`);
  }
  return query.length > 0 ? `${url}?${query.join("&")}` : url;
}

const isInvalidArgument = (r: Reply): boolean =>
  r.status === 400 && (r.body as { code?: unknown } | null)?.code === 3;

/**
 * Checks every operation of `doc` against the server behind `send`; returns the problems found
 * (empty when the server does exactly what the document says).
 *
 * @example
 * const problems = await checkOpenApi(doc, send, { "GET /poq/v1/nodes": {} }, { formats: restFormats });
 */
export async function checkOpenApi(
  doc: OpenApiDoc,
  send: Send,
  fixtures: Record<string, OperationFixture>,
  opts: CheckOptions = {},
): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const key = `${method.toUpperCase()} ${path}`;
      const fixture = fixtures[key];
      if (!fixture) {
        problems.push(`${key}: no fixture (every documented operation is checked)`);
        continue;
      }
      const call = async (what: string, url: string, body?: unknown, type?: string): Promise<Reply> => {
        const r = await send(method.toUpperCase(), url, body, type);
        const documented = op.responses[String(r.status)];
        if (!documented) problems.push(`${key} ${what}: status ${r.status} is not documented`);
        const schema = documented?.content?.["application/json"]?.schema;
        if (schema)
          for (const e of validate(schema, r.body, doc, opts, "body").slice(0, 3))
            problems.push(`${key} ${what}: ${r.status} answer does not fit its schema: ${e}`);
        return r;
      };
      const params = fixture.params ?? {};
      const valid = await call("valid call", urlOf(path, params, op), fixture.body);
      if (valid.status !== (fixture.status ?? 200))
        problems.push(`${key} valid call: ${valid.status} ${JSON.stringify(valid.body).slice(0, 160)}`);

      for (const p of op.parameters ?? []) {
        const accepts = (v: string): boolean => validate(p.schema, v, doc, opts, p.name, true).length === 0;
        if (params[p.name] !== undefined && !accepts(params[p.name]!))
          problems.push(`${key}: the document refuses the fixture's ${p.name}=${params[p.name]}`);
        const tries = candidates(p.schema, params[p.name]).filter((v) => v !== params[p.name]);
        if (p.in === "query" && p.required) tries.push("<missing>");
        for (const v of tries) {
          const missing = v === "<missing>";
          const rest = { ...params };
          if (missing) delete rest[p.name];
          else rest[p.name] = v;
          const r = await call(`${p.name}=${v.slice(0, 24)}`, urlOf(path, rest, op), fixture.body);
          const docAccepts = !missing && accepts(v);
          if (!docAccepts && !isInvalidArgument(r))
            problems.push(
              `${key}: ${p.name}=${v.slice(0, 24)} is refused by the document, the server answered ${r.status}`,
            );
          if (docAccepts && isInvalidArgument(r))
            problems.push(
              `${key}: ${p.name}=${v.slice(0, 24)} is allowed by the document, the server refused it: ${(r.body as { message?: string }).message}`,
            );
        }
      }

      const bodySchema = op.requestBody?.content["application/json"].schema;
      if (bodySchema && fixture.body) {
        for (const [field, sub] of Object.entries(bodySchema.properties ?? {})) {
          const base = fixture.body[field];
          const tries: unknown[] = [
            undefined,
            5,
            null,
            ...candidates(sub, typeof base === "string" ? base : undefined),
          ];
          for (const v of tries) {
            if (v === base) continue;
            const body = { ...fixture.body, [field]: v };
            if (v === undefined) delete body[field];
            if (validate(bodySchema, body, doc, opts, "body").length === 0) continue;
            const r = await call(`body ${field}=${String(v).slice(0, 24)}`, urlOf(path, params, op), body);
            if (!isInvalidArgument(r))
              problems.push(
                `${key}: body ${field}=${String(v).slice(0, 24)} is refused by the document, the server answered ${r.status}`,
              );
          }
        }
        await call("text body", urlOf(path, params, op), "not json", "text/plain");
      }
    }
  }
  return problems;
}
