// Models from one-line specs, through a table of provider factories (add a provider with one entry):
//   llamacpp:PATH.gguf[,lora=ADAPTER.gguf[,lora-scale=S]...][,ctx=N][,kv=F32|F16][,gpu=auto|false|cuda|vulkan|metal]
//            [,threads=N][,sequences=N][,id=NAME]
//   openai:http://HOST:PORT/v1#MODEL[,key-env=VAR][,concurrency=N][,timeout-s=N][,retries=N][,ctx=N][,logprobs=false][,cache-tag=NAME]
//   local:PATH (HF folder or .gguf)[,adapter=PEFT-DIR|LORA.gguf...][,ctx=N][,batch-tokens=N][,kernels=NAME][,id=NAME]
// Options follow the target after commas as key=value; a comma not followed by a known-looking key stays part of
// the path.
import { MedtuneError } from "../../core/index.ts";
import { createLocalModel, openLlamaCpp, openOpenAI, type LocalKernelName, type Model } from "../../providers/index.ts";

/** A parsed model spec. */
export interface ModelSpec {
  /** the text given */
  raw: string;
  provider: string;
  /** the path or URL */
  target: string;
  /** key=value options in order (keys may repeat, e.g. lora) */
  options: Array<[string, string]>;
}

/** One provider: how its spec reads and how it opens a Model. */
export interface ProviderFactory {
  usage: string;
  /** option keys it accepts */
  keys: readonly string[];
  open(spec: ModelSpec): Promise<Model>;
}

const OPTION_RE = /^[a-z][a-z0-9-]*=/;

/** Splits `provider:target,key=value,...`. */
export function parseModelSpec(raw: string): ModelSpec {
  const colon = raw.indexOf(":");
  if (colon <= 0 || colon === raw.length - 1) {
    throw new MedtuneError("eval.bad-model-spec", `model spec "${raw}" is not PROVIDER:TARGET`, { where: "--model", hint: `e.g. llamacpp:models/model.gguf or openai:http://127.0.0.1:8000/v1#my-model (providers: ${Object.keys(PROVIDERS).join(", ")})` });
  }
  const provider = raw.slice(0, colon);
  const parts = raw.slice(colon + 1).split(",");
  let target = parts[0];
  const options: Array<[string, string]> = [];
  for (const part of parts.slice(1)) {
    if (OPTION_RE.test(part)) {
      const eq = part.indexOf("=");
      options.push([part.slice(0, eq), part.slice(eq + 1)]);
    } else if (options.length === 0) target += `,${part}`;
    else throw new MedtuneError("eval.bad-model-spec", `"${part}" in model spec "${raw}" is not key=value`, { where: "--model", hint: "options come after the path as ,key=value" });
  }
  if (target === "") throw new MedtuneError("eval.bad-model-spec", `model spec "${raw}" has no path or URL`, { where: "--model" });
  return { raw, provider, target, options };
}

function intOption(spec: ModelSpec, key: string, v: string, min: number): number {
  const n = Number(v);
  if (!(Number.isInteger(n) && n >= min)) throw new MedtuneError("eval.bad-model-spec", `${key}=${v} in "${spec.raw}" must be an integer >= ${min}`, { where: "--model" });
  return n;
}

function checkKeys(spec: ModelSpec, keys: readonly string[]): void {
  for (const [k] of spec.options) {
    if (!keys.includes(k)) throw new MedtuneError("eval.bad-model-spec", `unknown option "${k}" for the ${spec.provider} provider in "${spec.raw}"`, { where: "--model", hint: `options: ${keys.join(", ")}` });
  }
}

const llamacpp: ProviderFactory = {
  usage: "llamacpp:PATH.gguf[,lora=ADAPTER.gguf[,lora-scale=S]][,ctx=N][,kv=F32|F16][,gpu=auto|false|cuda|vulkan|metal][,threads=N][,sequences=N][,id=NAME]",
  keys: ["lora", "lora-scale", "ctx", "kv", "gpu", "threads", "sequences", "id"],
  async open(spec) {
    checkKeys(spec, this.keys);
    const loras: Array<{ path: string; scale?: number }> = [];
    const o: Parameters<typeof openLlamaCpp>[0] = { modelPath: spec.target };
    for (const [k, v] of spec.options) {
      if (k === "lora") loras.push({ path: v });
      else if (k === "lora-scale") {
        const last = loras[loras.length - 1];
        const s = Number(v);
        if (!last) throw new MedtuneError("eval.bad-model-spec", `lora-scale=${v} comes before any lora= in "${spec.raw}"`, { where: "--model", hint: "write lora=PATH,lora-scale=S" });
        if (!Number.isFinite(s)) throw new MedtuneError("eval.bad-model-spec", `lora-scale=${v} is not a number`, { where: "--model" });
        last.scale = s;
      } else if (k === "ctx") o.contextSize = intOption(spec, k, v, 8);
      else if (k === "kv") {
        if (v !== "F32" && v !== "F16") throw new MedtuneError("eval.bad-model-spec", `kv=${v} must be F32 or F16`, { where: "--model" });
        o.kvCacheType = v;
      } else if (k === "gpu") {
        const allowed = ["auto", "false", "cuda", "vulkan", "metal"];
        if (!allowed.includes(v)) throw new MedtuneError("eval.bad-model-spec", `gpu=${v} must be one of ${allowed.join(", ")}`, { where: "--model" });
        o.gpu = v === "false" ? false : (v as "auto" | "cuda" | "vulkan" | "metal");
      } else if (k === "threads") o.threads = intOption(spec, k, v, 1);
      else if (k === "sequences") o.sequences = intOption(spec, k, v, 1);
      else if (k === "id") o.id = v;
    }
    if (loras.length > 0) o.loras = loras;
    return openLlamaCpp(o);
  },
};

const openai: ProviderFactory = {
  usage: "openai:http://HOST:PORT/v1#MODEL[,key-env=VAR][,concurrency=N][,timeout-s=N][,retries=N][,ctx=N][,logprobs=false][,cache-tag=NAME]",
  keys: ["key-env", "concurrency", "timeout-s", "retries", "ctx", "logprobs", "cache-tag"],
  async open(spec) {
    checkKeys(spec, this.keys);
    const hash = spec.target.lastIndexOf("#");
    if (hash <= 0 || hash === spec.target.length - 1) {
      throw new MedtuneError("eval.bad-model-spec", `openai spec "${spec.raw}" does not name the served model`, { where: "--model", hint: "write openai:http://HOST:PORT/v1#MODEL-NAME (see GET /v1/models)" });
    }
    const o: Parameters<typeof openOpenAI>[0] = { baseUrl: spec.target.slice(0, hash), model: spec.target.slice(hash + 1) };
    for (const [k, v] of spec.options) {
      if (k === "key-env") o.apiKeyEnv = v;
      else if (k === "cache-tag") o.cacheTag = v;
      else if (k === "concurrency") o.maxConcurrent = intOption(spec, k, v, 1);
      else if (k === "timeout-s") o.timeoutMs = intOption(spec, k, v, 1) * 1000;
      else if (k === "retries") o.maxRetries = intOption(spec, k, v, 0);
      else if (k === "ctx") o.contextLength = intOption(spec, k, v, 1);
      else if (k === "logprobs") {
        if (v !== "true" && v !== "false") throw new MedtuneError("eval.bad-model-spec", `logprobs=${v} must be true or false`, { where: "--model" });
        o.logprobs = v === "true";
      }
    }
    return openOpenAI(o);
  },
};

const local: ProviderFactory = {
  usage: "local:PATH[,adapter=PEFT-DIR|LORA.gguf][,ctx=N][,batch-tokens=N][,kernels=ts|native-simd|native-blas|native][,id=NAME]",
  keys: ["adapter", "ctx", "batch-tokens", "kernels", "id"],
  async open(spec) {
    checkKeys(spec, this.keys);
    const o: Parameters<typeof createLocalModel>[0] = { path: spec.target };
    const adapters: string[] = [];
    for (const [k, v] of spec.options) {
      if (k === "adapter") adapters.push(v);
      else if (k === "ctx") o.contextLength = intOption(spec, k, v, 2);
      else if (k === "batch-tokens") o.maxBatchTokens = intOption(spec, k, v, 1);
      else if (k === "kernels") o.kernels = v as LocalKernelName;
      else if (k === "id") o.id = v;
    }
    if (adapters.length > 0) o.adapters = adapters;
    return createLocalModel(o);
  },
};

/** Provider factories by spec prefix. */
export const PROVIDERS: Record<string, ProviderFactory> = { llamacpp, openai, local };

/** Opens the model a spec names. */
export async function openModel(raw: string): Promise<Model> {
  const spec = parseModelSpec(raw);
  const f = Object.hasOwn(PROVIDERS, spec.provider) ? PROVIDERS[spec.provider] : undefined;
  if (!f) throw new MedtuneError("eval.unknown-provider", `unknown model provider "${spec.provider}" in "${raw}"`, { where: "--model", hint: `use one of: ${Object.entries(PROVIDERS).map(([, p]) => p.usage).join("  |  ")}` });
  return f.open(spec);
}
