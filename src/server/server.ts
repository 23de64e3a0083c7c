// `medtune serve`: an OpenAI-compatible HTTP server (node:http) over any Model: GET /v1/models, POST
// /v1/chat/completions (streaming), POST /v1/completions (logprobs + echo for scoring). Optional Bearer API key
// (401), a body size limit (413), bounded concurrency with a bounded queue (429 when full), OpenAI-shaped errors,
// and a graceful close that lets running requests finish.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import { MedtuneError, errorMessage, log } from "../core/index.ts";
import { Limiter, type Model } from "../providers/index.ts";
import { ApiError, readJsonBody, sendError, sendJson } from "./http-io.ts";
import { handleCompletions } from "./completions.ts";
import { handleChatCompletions } from "./chat-completions.ts";
import { nowSeconds, type RouteContext } from "./route-context.ts";

/** Options of startServer. */
export interface ServerOptions {
  model: Model;
  /** 0 (default) = an ephemeral port */
  port?: number;
  /** default 127.0.0.1 (loopback only) */
  host?: string;
  /** when set, every /v1 request needs `Authorization: Bearer <apiKey>` */
  apiKey?: string;
  /** largest request body (default 1 MiB) */
  maxBodyBytes?: number;
  /** requests running at once (default 1) */
  maxConcurrent?: number;
  /** requests waiting for a slot; more are answered 429 (default 32) */
  maxQueue?: number;
  /** the name on /v1/models and in answers (default the model's id) */
  modelName?: string;
  /** max_tokens when a chat request gives none (default 512) */
  defaultMaxTokens?: number;
  /** how long close() lets running requests finish before cutting them (default 10 s) */
  closeTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 (the OpenAI base URL is this + "/v1") */
  url: string;
  port: number;
  /** Stops accepting, lets running requests finish (up to closeTimeoutMs), then closes every connection. */
  close(): Promise<void>;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

function checkInt(name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new MedtuneError("serve.bad-option", `${name} must be an integer >= ${min}, got ${v}`, { where: name });
}

/** Starts the server; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 0;
  const maxBodyBytes = opts.maxBodyBytes ?? 1 << 20;
  const maxConcurrent = opts.maxConcurrent ?? 1;
  const maxQueue = opts.maxQueue ?? 32;
  const defaultMaxTokens = opts.defaultMaxTokens ?? 512;
  const closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  checkInt("port", port, 0);
  if (port > 65535) throw new MedtuneError("serve.bad-option", `port must be at most 65535, got ${port}`, { where: "port" });
  checkInt("maxBodyBytes", maxBodyBytes, 1);
  checkInt("maxConcurrent", maxConcurrent, 1);
  checkInt("maxQueue", maxQueue, 0);
  checkInt("defaultMaxTokens", defaultMaxTokens, 1);
  if (opts.apiKey !== undefined && opts.apiKey.length === 0) throw new MedtuneError("serve.bad-option", "apiKey is empty", { where: "apiKey", hint: "leave it out to serve without a key" });
  const info = opts.model.info();
  const modelName = opts.modelName ?? info.id;
  const keyDigest = opts.apiKey === undefined ? undefined : digest(opts.apiKey);
  const limiter = new Limiter(maxConcurrent, maxQueue);
  const inflight = new Set<AbortController>();
  let closing = false;
  let drained: (() => void) | undefined;

  const authorized = (req: IncomingMessage): boolean => {
    if (!keyDigest) return true;
    const h = req.headers.authorization ?? "";
    const m = /^Bearer\s+(.+)$/i.exec(h);
    return m !== null && timingSafeEqual(digest(m[1].trim()), keyDigest);
  };

  // `medtune` carries the served model's own fingerprint, so a medtune client's request cache follows the weights
  // exactly (other servers only describe the model loosely, or not at all).
  const modelObject = {
    id: modelName,
    object: "model",
    created: nowSeconds(),
    owned_by: "medtune",
    ...(info.contextLength ? { context_length: info.contextLength } : {}),
    ...(info.fingerprint ? { medtune: { provider: info.provider, fingerprint: info.fingerprint } } : {}),
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (closing) throw new ApiError(503, "the server is shutting down");
    if (path === "/health" && req.method === "GET") return sendJson(res, 200, { status: "ok" });
    const routes: Record<string, string> = { "/v1/models": "GET", "/v1/completions": "POST", "/v1/chat/completions": "POST" };
    const isModel = path.startsWith("/v1/models/");
    const method = routes[path] ?? (isModel ? "GET" : undefined);
    if (!method) throw new ApiError(404, `no route ${req.method} ${path}; this server has GET /v1/models, POST /v1/completions, POST /v1/chat/completions`);
    if (req.method !== method) throw new ApiError(405, `${path} takes ${method}, not ${req.method}`);
    if (!authorized(req)) throw new ApiError(401, "missing or incorrect API key: send Authorization: Bearer <key>", "authentication_error", null, "invalid_api_key");
    if (path === "/v1/models") return sendJson(res, 200, { object: "list", data: [modelObject] });
    if (isModel) {
      const id = decodeURIComponent(path.slice("/v1/models/".length));
      if (id !== modelName) throw new ApiError(404, `model ${JSON.stringify(id)} is not served here; this server serves ${JSON.stringify(modelName)}`, "invalid_request_error", "model", "model_not_found");
      return sendJson(res, 200, modelObject);
    }
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBodyBytes) throw new ApiError(413, `request body is ${declared} bytes; this server accepts at most ${maxBodyBytes}`, "invalid_request_error", null, "request_too_large");
    const slot = limiter.tryAcquire();
    if (!slot) throw new ApiError(429, `the server is busy: ${maxConcurrent} running and ${maxQueue} waiting; retry later`, "rate_limit_error", null, "queue_full");
    const release = await slot;
    if (closing) {
      release();
      throw new ApiError(503, "the server is shutting down");
    }
    const ctl = new AbortController();
    inflight.add(ctl);
    const onClose = () => {
      if (!res.writableFinished) ctl.abort(new Error("client disconnected"));
    };
    res.on("close", onClose);
    try {
      const body = await readJsonBody(req, maxBodyBytes);
      const asked = body.model;
      if (asked !== undefined && asked !== null && typeof asked !== "string") throw new ApiError(400, "model must be a string", "invalid_request_error", "model");
      const ctx: RouteContext = { model: opts.model, modelName, defaultMaxTokens, signal: ctl.signal };
      if (path === "/v1/completions") await handleCompletions(ctx, body, res);
      else await handleChatCompletions(ctx, body, res);
    } finally {
      res.off("close", onClose);
      inflight.delete(ctl);
      release();
      if (closing && inflight.size === 0) drained?.();
    }
  }

  const server = createServer((req, res) => {
    const t0 = Date.now();
    res.on("finish", () => log.debug(`serve: ${req.method} ${req.url} ${res.statusCode} ${Date.now() - t0} ms`));
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof ApiError ? e : new ApiError(500, `internal error: ${errorMessage(e)}`);
      if (!(e instanceof ApiError)) log.error(`serve: ${req.method} ${req.url}: ${errorMessage(e)}`);
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      const headers: Record<string, string> = {};
      if (err.status === 429 || err.status === 503) headers["retry-after"] = "1";
      if (err.status === 413 || closing) headers.connection = "close";
      sendError(res, err, headers);
      if (err.status === 413) req.resume();
    });
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // generation can take long; clients set their own timeouts

  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(new MedtuneError("serve.listen", `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, { where: "--host/--port", hint: e.code === "EADDRINUSE" ? "the port is taken; choose another or 0 for any free port" : undefined })),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === "IPv6" || addr.address.includes(":") ? `[${addr.address}]` : addr.address;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    close: () => {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        if (inflight.size > 0) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([new Promise<void>((r) => (drained = r)), new Promise<void>((r) => (timer = setTimeout(r, closeTimeoutMs)))]);
          clearTimeout(timer);
          for (const c of inflight) c.abort(new Error("server closing"));
        }
        server.closeAllConnections();
        await stopped;
      })();
      return closed;
    },
  };
}
