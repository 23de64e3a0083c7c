// `medtune serve`: flags to a llama.cpp model (GGUF + GGUF LoRA adapters) served over the OpenAI-compatible API
// until SIGINT/SIGTERM. Shaped like cli/args.ts `CommandSpec` (words, summary, usage, flags, run) without importing
// it, since cli/ and server/ are siblings; the CLI lists it beside its own commands.
import { MedtuneError, log } from "../core/index.ts";
import { openLlamaCpp, type Model } from "../providers/index.ts";
import { startServer, type RunningServer } from "./server.ts";

/** One flag, as cli/args.ts `FlagSpec`. */
interface ServeFlag {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  value?: string;
  description: string;
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function intFlag(flags: Record<string, unknown>, name: string, min: number): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new MedtuneError("cli.usage", `--${name} expects an integer >= ${min}, got "${String(v)}"`, { where: "medtune serve", hint: `e.g. --${name} ${Math.max(min, 1)}` });
  return n;
}

/** Hooks for embedding and tests: when the server listens, and when to stop (default SIGINT/SIGTERM). */
export interface ServeHooks {
  onListening?: (server: RunningServer, model: Model) => void;
  stop?: Promise<unknown>;
}

/** Opens the model the flags name and serves it until `hooks.stop` (default: SIGINT or SIGTERM). */
export async function serveFromFlags(flags: Record<string, unknown>, hooks: ServeHooks = {}): Promise<void> {
  const modelPath = flags.model as string | undefined;
  if (!modelPath) throw new MedtuneError("cli.usage", "medtune serve needs --model PATH.gguf", { where: "medtune serve", hint: "e.g. medtune serve --model models/tuned.gguf --port 8080" });
  const keyEnv = flags["api-key-env"] as string | undefined;
  let apiKey: string | undefined;
  if (keyEnv !== undefined) {
    apiKey = process.env[keyEnv];
    if (!apiKey) throw new MedtuneError("serve.no-api-key", `--api-key-env names ${keyEnv}, but that environment variable is not set`, { where: "medtune serve", hint: `export ${keyEnv}=<a long random secret>, or leave out --api-key-env to serve without a key` });
  }
  const host = (flags.host as string | undefined) ?? "127.0.0.1";
  const kv = ((flags["kv-cache"] as string | undefined) ?? "f32").toUpperCase();
  if (kv !== "F32" && kv !== "F16") throw new MedtuneError("cli.usage", `--kv-cache expects f32 or f16, got "${String(flags["kv-cache"])}"`, { where: "medtune serve" });
  const gpuFlag = (flags.gpu as string | undefined) ?? "auto";
  const gpus = { auto: "auto", cpu: false, false: false, cuda: "cuda", vulkan: "vulkan", metal: "metal" } as const;
  if (!(gpuFlag in gpus)) throw new MedtuneError("cli.usage", `--gpu expects auto, cpu, cuda, vulkan or metal, got "${gpuFlag}"`, { where: "medtune serve" });
  const server = { port: intFlag(flags, "port", 0) ?? 8080, maxBodyBytes: intFlag(flags, "max-body-bytes", 1), maxConcurrent: intFlag(flags, "max-concurrent", 1), maxQueue: intFlag(flags, "max-queue", 0) };
  if (server.port > 65535) throw new MedtuneError("cli.usage", `--port must be at most 65535, got ${server.port}`, { where: "medtune serve" });

  const model = await openLlamaCpp({
    modelPath,
    loras: ((flags.lora as string[] | undefined) ?? []).map((path) => ({ path })),
    contextSize: intFlag(flags, "context-size", 8),
    kvCacheType: kv,
    gpu: gpus[gpuFlag as keyof typeof gpus],
    threads: intFlag(flags, "threads", 1),
    sequences: server.maxConcurrent,
  });
  let running: RunningServer | undefined;
  try {
    running = await startServer({ model, host, apiKey, port: server.port, maxBodyBytes: server.maxBodyBytes, maxConcurrent: server.maxConcurrent, maxQueue: server.maxQueue, modelName: flags["model-name"] as string | undefined });
    const info = model.info();
    log.info(`medtune serve: ${flags["model-name"] ?? info.id} (context ${info.contextLength} tokens${info.capabilities.chat ? "" : ", no chat template: chat uses a plain transcript"}) at ${running.url}/v1${apiKey ? ", API key required" : ""}`);
    if (!apiKey && !LOOPBACK.has(host)) log.warn(`medtune serve: listening on ${host} without an API key: anyone who can reach this port can use the model (add --api-key-env NAME)`);
    hooks.onListening?.(running, model);
    await (hooks.stop ??
      new Promise<void>((resolve) => {
        const stop = (sig: string) => {
          log.info(`medtune serve: ${sig}, finishing running requests and closing`);
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          resolve();
        };
        const onInt = () => stop("SIGINT");
        const onTerm = () => stop("SIGTERM");
        process.on("SIGINT", onInt);
        process.on("SIGTERM", onTerm);
      }));
  } finally {
    await running?.close();
    await model.close();
  }
}

/** The `medtune serve` command (CommandSpec-shaped). */
export const serveCommand = {
  words: ["serve"],
  summary: "serve a GGUF model (with LoRA adapters) over an OpenAI-compatible HTTP API",
  usage: "medtune serve --model PATH.gguf [--lora PATH ...] [--port N] [--host ADDR] [--api-key-env NAME] [options]",
  details:
    "Endpoints: GET /v1/models, POST /v1/chat/completions (stream: true for SSE), POST /v1/completions (logprobs and echo\n" +
    "for scoring, as lm-evaluation-harness local-completions and medtune's openai provider use them). Log-probabilities\n" +
    "use an F32 KV cache by default. Listens on 127.0.0.1 unless --host says otherwise; Ctrl-C finishes running requests.",
  flags: {
    model: { type: "string", short: "m", value: "PATH.gguf", description: "the GGUF model file" },
    lora: { type: "string", multiple: true, value: "PATH", description: "a GGUF LoRA adapter to apply (scale 1)" },
    port: { type: "string", short: "p", value: "N", description: "port (default 8080; 0 = any free port)" },
    host: { type: "string", value: "ADDR", description: "address to listen on (default 127.0.0.1)" },
    "api-key-env": { type: "string", value: "NAME", description: "require Authorization: Bearer <the value of this environment variable>" },
    "max-body-bytes": { type: "string", value: "N", description: "largest request body (default 1048576)" },
    "max-concurrent": { type: "string", value: "N", description: "requests evaluated at once (default 1)" },
    "max-queue": { type: "string", value: "N", description: "requests waiting beyond those; more get 429 (default 32)" },
    "context-size": { type: "string", value: "N", description: "context tokens (default min(trained, 4096))" },
    "model-name": { type: "string", value: "NAME", description: "the model name clients see (default the file name)" },
    "kv-cache": { type: "string", value: "f32|f16", description: "KV cache precision (default f32: exact log-probabilities)" },
    gpu: { type: "string", value: "auto|cpu|cuda|vulkan|metal", description: "compute backend (default auto; never compiles llama.cpp)" },
    threads: { type: "string", value: "N", description: "CPU threads (default all cores; 1 for tiny models)" },
  } satisfies Record<string, ServeFlag>,
  async run(flags: Record<string, unknown>, positionals: string[]): Promise<number> {
    if (positionals.length > 0) throw new MedtuneError("cli.usage", `medtune serve takes no positional arguments, got "${positionals[0]}"`, { where: "medtune serve", hint: "give the model with --model PATH.gguf" });
    await serveFromFlags(flags);
    return 0;
  },
};
