#!/usr/bin/env node
// client.mjs - the three requests of VoipNow's own UnifiedAPI client (the `calls` package
// of 4psa/mcp-voipnow, version 5.7.0), made as that client makes them, for
// tests/it_compat.c. Node.js 20, no dependencies; written from the client's source, not
// copied from it. What it reproduces:
//
//   token   generateToken (src/token/utils.ts): https.request POST of a
//           URLSearchParams form to ${host}/oauth/token.php
//   list    the phone-calls-list tool: native fetch GET of
//           ${url}/uapi/phoneCalls/${userId}/${extension}/[${phoneCallId}/][?query]
//   update  the phone-calls-update-start-stop-recording tool: native fetch PUT of a
//           JSON body to ${url}/uapi/phoneCalls/${userId}/${extension}/${phoneCallId}/
//
// Usage: node client.mjs [--url URL] [--token TOKEN] OP 'ARGS-JSON'
//   URL    the client's voipnowHost (= voipnowUrl), e.g. https://localhost:8443; default
//          $VOIPNOW_URL
//   TOKEN  the Bearer token of list and update; default $VOIPNOW_TOKEN
//   ARGS   the tool's arguments, checked as its zod schema checks them (defaults
//          applied, unknown keys and values outside an enum refused); for token,
//          {"appId":..., "appSecret":...}
// The certificate is verified as the client verifies it: trust a test CA with
// NODE_EXTRA_CA_CERTS, never by turning verification off.
//
// Prints one JSON line:
//   {"status":N,"body":"<raw body>","result":"<text>","headers":{...},"url":"<URL>"}
// url is the URL the client requested; status and body are null when no answer came (the client refused its arguments, or the
// connection failed; then "cause" may say why). result is the text the tool returns
// (list, update); for token, the access token the client keeps, or the message of the
// client's failure ("HTTP 401: Unauthorized - <body>"), with expires_in on success.
// Arguments the schema refuses: {"error": ...} and exit status 2 (the tool never runs).
// With $PC_RESP_LOG set, each exchange is also appended there as tests/http.c logs its
// own, for tools/openapi-check.
import https from "node:https";
import fs from "node:fs";

const VERSION = "5.7.0"; // calls/package.json
const USER_AGENT = `VoipNow Calls MCP/${VERSION}`;
const SHOWN_HEADERS = [
  "content-type", "content-length", "cache-control", "pragma", "x-request-id", "location",
  "www-authenticate", "retry-after", "allow", "strict-transport-security",
];

class ArgsError extends Error {}

// --- the tools' zod schemas, as far as these requests need them ---------------------------

function schema(args, fields) {
  if (args === null || typeof args !== "object" || Array.isArray(args))
    throw new ArgsError("arguments must be an object");
  for (const k of Object.keys(args))
    if (!(k in fields)) throw new ArgsError(`unrecognized key: ${k}`); // .strict()
  const out = {};
  for (const [k, f] of Object.entries(fields)) {
    let v = args[k];
    if (v === undefined && f.default !== undefined) v = f.default;
    if (v === undefined) {
      if (f.required) throw new ArgsError(`${k}: required`);
      continue;
    }
    if (f.array) {
      if (!Array.isArray(v) || v.some((e) => typeof e !== "string"))
        throw new ArgsError(`${k}: expected an array of strings`);
    } else if (typeof v !== "string") {
      throw new ArgsError(`${k}: expected a string`);
    }
    if (f.enum && !f.enum.includes(v)) throw new ArgsError(`${k}: not one of ${f.enum.join(", ")}`);
    out[k] = v;
  }
  return out;
}

const LIST_SCHEMA = {
  userId: { default: "@me" },
  extension: { required: true },
  phoneCallId: {},
  count: { default: "20" },
  filterBy: { enum: ["id", "published"] },
  filterOp: { enum: ["contains", "equals", "greaterThan", "inArray", "lessThan", "present", "startsWith"] },
  filterValue: {},
  startIndex: { default: "0" },
  fields: { array: true },
  sortOrder: { enum: ["ascending", "descending"] },
};

const UPDATE_SCHEMA = {
  userId: { default: "@me" },
  extension: { required: true },
  phoneCallId: { required: true },
  action: { required: true, enum: ["StartRecording", "StopRecording"] },
  phoneCallViewId: { required: true },
  format: { default: "wav", enum: ["wav", "wav49"] },
};

// --- src/utils.ts --------------------------------------------------------------------------

const EXTENSION_RE = /^(?:\d{4}\*\d{3}|\d{3})$/;
const ERR_EXTENSION =
  "Invalid extension format. Please provide a valid extension in the format '1234*123', '123' or '@self'.";
const ERR_COUNT = "Invalid count value. Count must be between 1 and 4999.";
const ERR_START_INDEX = "Invalid startIndex value. startIndex must be between 0 and 4999";

const validExtension = (v) => EXTENSION_RE.test(v) || v === "@self";
const between = (v, lo, hi) => {
  const n = parseInt(v, 10);
  return n >= lo && n <= hi;
};

// Base without its trailing slash, path without its leading one, joined by one slash.
function createUrl(base, path) {
  const b = base.endsWith("/") ? base.slice(0, -1) : base;
  const p = path.startsWith("/") ? path.slice(1) : path;
  return `${b}/${p}`;
}

// 'me', 'viewer' and 'owner' get the '@' the client adds.
const withAt = (userId) =>
  ["me", "viewer", "owner"].includes(userId) && !userId.startsWith("@") ? "@" + userId : userId;

// --- what the client does with an answer ---------------------------------------------------

const exchange = { url: null, status: null, body: null, headers: {}, requestLine: null, allHeaders: [] };

async function send(url, init) {
  exchange.url = url;
  const response = await fetch(url, init);
  const u = new URL(url);
  exchange.requestLine = `${init.method} ${u.pathname}${u.search} HTTP/1.1`;
  exchange.status = response.status;
  exchange.body = await response.clone().text(); // the client's own read follows
  for (const [k, v] of response.headers) {
    exchange.allHeaders.push([k, v]);
    if (SHOWN_HEADERS.includes(k)) exchange.headers[k] = v;
  }
  return response;
}

// The tools' handling of an answer: the JSON text of a 2xx, else an Error whose message
// is the client's.
async function toolAnswer(response) {
  if (!response.ok) {
    const errorData = await response.json();
    if ([400, 401, 403, 500].includes(response.status))
      throw new Error(`{'code': ${errorData.error.code}, 'message': ${errorData.error.message}}`);
    // (the client's text, unbalanced brace included)
    throw new Error(
      `{'status': ${response.status}, 'statusText': ${response.statusText}}, 'body': ${JSON.stringify(errorData.error)}}`,
    );
  }
  const responseData = await response.json();
  return JSON.stringify(responseData);
}

const headersFor = (token) => ({
  "Content-Type": "application/json",
  "User-Agent": USER_AGENT,
  Authorization: `Bearer ${token}`,
});

const message = (error) => (error instanceof Error ? error.message : String(error));

// --- phone-calls-list ----------------------------------------------------------------------

async function list(cfg, raw) {
  const a = schema(raw, LIST_SCHEMA);
  try {
    const errors = [];
    if (!validExtension(a.extension)) errors.push(`extension: ${ERR_EXTENSION}`);
    const userId = withAt(a.userId);
    let path = "".concat(
      userId && a.extension ? `${userId}/${a.extension}/` : "",
      a.phoneCallId ? `${a.phoneCallId}/` : "",
    );
    const query = new URLSearchParams();
    const params = [
      { name: "count", value: a.count, ok: (v) => between(v, 1, 4999), error: ERR_COUNT },
      { name: "filterBy", value: a.filterBy },
      { name: "filterOp", value: a.filterOp },
      { name: "filterValue", value: a.filterValue },
      { name: "fields", value: a.fields?.join(",") },
      { name: "startIndex", value: a.startIndex, ok: (v) => between(v, 0, 4999), error: ERR_START_INDEX },
      { name: "sortOrder", value: a.sortOrder },
    ];
    for (const p of params) {
      if (!p.value) continue; // only the truthy ones
      if (p.ok && !p.ok(p.value)) errors.push(`${p.name}: ${p.error}`);
      query.append(p.name, p.value);
    }
    if (errors.length > 0) throw new Error(`Error validating query parameters: ${errors.join("; ")}`);
    if (query.size > 0) path = path.concat(`?${query}`);
    const response = await send(createUrl(`${cfg.url}`, `/uapi/phoneCalls/${path}`), {
      method: "GET",
      headers: headersFor(cfg.token),
      redirect: "manual",
    });
    return await toolAnswer(response);
  } catch (error) {
    noteCause(error);
    return `Error listing phone calls: ${message(error)}`;
  }
}

// --- phone-calls-update-start-stop-recording -----------------------------------------------

async function update(cfg, raw) {
  const a = schema(raw, UPDATE_SCHEMA);
  try {
    if (!validExtension(a.extension)) throw new Error(ERR_EXTENSION);
    const userId = withAt(a.userId);
    const path = userId && a.extension && a.phoneCallId ? `${userId}/${a.extension}/${a.phoneCallId}/` : "";
    const payload =
      a.action === "StartRecording"
        ? { action: a.action, phoneCallViewId: a.phoneCallViewId, format: a.format }
        : { action: a.action, phoneCallViewId: a.phoneCallViewId };
    const response = await send(createUrl(`${cfg.url}`, `/uapi/phoneCalls/${path}`), {
      method: "PUT",
      headers: headersFor(cfg.token),
      body: JSON.stringify(payload),
      redirect: "manual",
    });
    return await toolAnswer(response);
  } catch (error) {
    noteCause(error);
    return `Error updating phone call for ${a.action}: ${message(error)}`;
  }
}

// --- generateToken -------------------------------------------------------------------------

function token(cfg, raw) {
  const a = schema(raw, { appId: { required: true }, appSecret: { required: true } });
  const params = new URLSearchParams();
  params.append("client_id", a.appId);
  params.append("client_secret", a.appSecret);
  params.append("grant_type", "client_credentials");
  params.append("type", "unifiedapi");
  params.append("redirect_uri", `${cfg.url}/ouath/token.php`); // the client's spelling
  const body = params.toString();
  const url = new URL(`${cfg.url}/oauth/token.php`);
  exchange.url = url.href;
  return new Promise((resolve) => {
    const req = https.request(
      {
        hostname: url.hostname,
        port: url.port || 443,
        path: url.pathname + url.search,
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "User-Agent": USER_AGENT,
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let data = "";
        res.on("data", (chunk) => (data += chunk));
        res.on("end", () => {
          exchange.requestLine = `POST ${url.pathname}${url.search} HTTP/1.1`;
          exchange.status = res.statusCode;
          exchange.body = data;
          for (const [k, v] of Object.entries(res.headers)) {
            const value = Array.isArray(v) ? v.join(", ") : v;
            exchange.allHeaders.push([k, value]);
            if (SHOWN_HEADERS.includes(k)) exchange.headers[k] = value;
          }
          // Every failure of generateToken reaches the client's caller through checkCert.
          try {
            const parsed = JSON.parse(data);
            if (res.statusCode && res.statusCode >= 400) {
              const failure = new Error(`HTTP ${res.statusCode}: ${res.statusMessage} - ${data}`);
              return resolve({ result: checkCert(failure).message });
            }
            resolve(kept(parsed));
          } catch (error) {
            resolve({ result: checkCert(new Error(`Failed to parse token response: ${error}`)).message });
          }
        });
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error("Token generation request timeout after 30 seconds")));
    req.on("error", (error) => {
      noteCause(error);
      resolve({ result: checkCert(error).message });
    });
    req.write(body);
    req.end();
  });
}

// What the client keeps of a token answer: it writes "created:expires:token" to its token
// file (generateToken) and uses the token it reads back, if that passes its checks
// (src/index.ts, extractTokenFromFile).
function kept(data) {
  const now = Date.now();
  const file = `${now}:${now + data.expires_in * 1000}:${data.access_token}`;
  try {
    const parts = file.trim().split(":");
    if (parts.length !== 3) throw new Error(`Invalid token format: expected exactly 3 parts, got ${parts.length}`);
    const [createdStr, expiresStr, t] = parts;
    const created = parseInt(createdStr, 10);
    const expires = parseInt(expiresStr, 10);
    if (isNaN(created) || isNaN(expires)) throw new Error("Invalid timestamp format in token file");
    if (created > expires) throw new Error("Token created timestamp is after expiry timestamp");
    if (expires < Date.now()) throw new Error("Token has expired");
    if (!t || t.length < 10) throw new Error("Token is invalid or too short");
    if (!/^[A-Za-z0-9_\-.]+$/.test(t)) throw new Error("Token contains invalid characters");
    return { result: t, expires_in: data.expires_in };
  } catch (error) {
    return { result: `Failed to extract token from file: ${error.message}` };
  }
}

// The client's rewording of a failed token request (src/utils.ts checkCert).
function checkCert(error) {
  const codes = ["CERT_HAS_EXPIRED", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN",
    "DEPTH_ZERO_SELF_SIGNED_CERT", "UNABLE_TO_GET_ISSUER_CERT"];
  const insecure = `set "insecure": true in config.json`;
  if (error.cause?.cert) {
    const c = error.cause;
    return new Error(
      `SSL Certificate Error ${c.code}: ${c.reason}\n` +
        `Certificate: ${c.cert.subject?.CN || "unknown"}\n` +
        `Issuer: ${c.cert.issuer?.CN || "unknown"}\n` +
        `Valid from: ${c.cert.valid_from} to ${c.cert.valid_to}\n\n` +
        `To bypass certificate validation (NOT RECOMMENDED for production), ${insecure}`,
    );
  }
  if (error.code && codes.includes(error.code))
    return new Error(
      `SSL Certificate Error: ${error.code} - ${error.message}\n` +
        `To bypass certificate validation (NOT RECOMMENDED for production), ${insecure}`,
    );
  if (error.message && /certificate|ssl|tls/i.test(error.message))
    return new Error(
      `Possible SSL/TLS Error: ${error.message}\n` +
        `If this is a certificate issue, you can ${insecure} (NOT RECOMMENDED for production)`,
    );
  return error;
}

// --- the test harness's side ---------------------------------------------------------------

let cause = null;
function noteCause(error) {
  const c = error && error.cause ? error.cause : error;
  if (c && (c.code || error.cause)) cause = `${c.code || ""} ${c.message || c}`.trim();
}

// One line of $PC_RESP_LOG in tests/http.c's form (every string in base64).
function logExchange() {
  const file = process.env.PC_RESP_LOG;
  if (!file || exchange.status === null) return;
  const b64 = (s) => Buffer.from(s, "latin1").toString("base64");
  const line = JSON.stringify({
    request: b64(exchange.requestLine),
    no_body: false,
    status: exchange.status,
    headers: exchange.allHeaders.map(([k, v]) => [b64(k), b64(v)]),
    body: Buffer.from(exchange.body, "utf8").toString("base64"),
  });
  fs.appendFileSync(file, line + "\n");
}

async function main(argv) {
  const cfg = { url: process.env.VOIPNOW_URL || "", token: process.env.VOIPNOW_TOKEN || "" };
  while (argv[0] === "--url" || argv[0] === "--token") {
    cfg[argv[0].slice(2)] = argv[1] ?? "";
    argv = argv.slice(2);
  }
  const [op, json = "{}"] = argv;
  const ops = { token, list, update };
  if (!ops[op] || !cfg.url) {
    process.stderr.write("usage: client.mjs [--url URL] [--token TOKEN] token|list|update 'ARGS-JSON'\n");
    return 2;
  }
  let out;
  try {
    const r = await ops[op](cfg, JSON.parse(json));
    out = typeof r === "string" ? { result: r } : r;
  } catch (error) {
    if (!(error instanceof ArgsError || error instanceof SyntaxError)) throw error;
    process.stdout.write(JSON.stringify({ error: `invalid arguments: ${error.message}` }) + "\n");
    return 2;
  }
  logExchange();
  const line = { status: exchange.status, body: exchange.body, result: out.result, headers: exchange.headers,
    url: exchange.url };
  if (out.expires_in !== undefined) line.expires_in = out.expires_in;
  if (cause !== null) line.cause = cause;
  process.stdout.write(JSON.stringify(line) + "\n");
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
