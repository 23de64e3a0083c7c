// A tiny WebAssembly assembler for the data stage's hot loops (tokenizer, MinHash minima): instruction encoders and a
// one-function module over an imported memory, in the WebAssembly 2.0 binary format. Loops that JS runs slowly (a
// branch mispredict and bounds checks per character, no SIMD) run as such kernels; every kernel keeps a JS path, used
// where WebAssembly is missing and as the reference its tests compare against.

/** The members of the WebAssembly JS API the kernels use (the project's type libraries, ES2023 + node, leave it out). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
/** A compiled kernel module. */
export type WasmModule = { readonly kind?: "wasm-module" };
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
};

/** Nested instruction bytes (flattened when assembled). */
export type WasmCode = number | readonly WasmCode[];

function flatten(code: WasmCode, out: number[]): number[] {
  if (typeof code === "number") out.push(code);
  else for (const c of code) flatten(c, out);
  return out;
}

const uleb = (v: number): number[] => (v < 0x80 ? [v] : [(v & 0x7f) | 0x80, ...uleb(v >>> 7)]);
const sleb = (v: number): number[] => {
  const b = v & 0x7f;
  const rest = v >> 7;
  return (rest === 0 && (b & 0x40) === 0) || (rest === -1 && (b & 0x40) !== 0) ? [b] : [b | 0x80, ...sleb(rest)];
};

/** Instruction encoders (WebAssembly 2.0 binary format; memory instructions take a byte offset). */
export const op = {
  get: (i: number) => [0x20, i], // local.get
  set: (i: number) => [0x21, i],
  tee: (i: number) => [0x22, i],
  i32: (v: number) => [0x41, ...sleb(v | 0)], // i32.const
  add: [0x6a], sub: [0x6b], mul: [0x6c], and: [0x71], or: [0x72], xor: [0x73], shl: [0x74], shrU: [0x76], // i32 arithmetic
  eqz: [0x45], eq: [0x46], ne: [0x47], ltU: [0x49], leU: [0x4d], geU: [0x4f], // i32 comparisons
  load: (offset = 0) => [0x28, 0x02, ...uleb(offset)], // i32.load
  load8: (offset = 0) => [0x2d, 0x00, ...uleb(offset)], // i32.load8_u
  store: (offset = 0) => [0x36, 0x02, ...uleb(offset)], // i32.store
  block: [0x02, 0x40], loop: [0x03, 0x40], if: [0x04, 0x40], end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  v128Load: (offset = 0) => [0xfd, 0x00, 0x00, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, 0x0b, 0x00, ...uleb(offset)],
  splat: [0xfd, 0x11], // i32x4.splat
  vAdd: [0xfd, ...uleb(174)], // i32x4.add
  vMul: [0xfd, ...uleb(181)], // i32x4.mul (low 32 bits, as Math.imul)
  vMinS: [0xfd, ...uleb(182)], // i32x4.min_s
  bSplat: [0xfd, 0x0f], // i8x16.splat
  bEq: [0xfd, 0x23], // i8x16.eq
  vOr: [0xfd, 0x50], // v128.or
  bBitmask: [0xfd, 0x64], // i8x16.bitmask
  popcnt: [0x69], // i32.popcnt
};

/** Value types of params and locals. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/**
 * The module of one exported function `name` with i32 `params`, an i32 result or none, `locals` (count, type) and
 * `code`, over a memory imported as "e"."m"; null where the runtime has no WebAssembly or rejects it (say, SIMD).
 */
export function wasmModule(name: string, params: number, hasResult: boolean, locals: Array<[number, number]>, code: WasmCode[]): WasmModule | null {
  if (typeof WebAssembly !== "object") return null;
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const body = [...uleb(locals.length), ...locals.flatMap(([count, type]) => [...uleb(count), type]), ...flatten(code, []), 0x0b];
  const exportName = [...name].map((c) => c.charCodeAt(0));
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [0x01, 0x60, params, ...new Array<number>(params).fill(I32), ...(hasResult ? [0x01, I32] : [0x00])]), // its type
    ...section(2, [0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01]), // import "e" "m": a memory of at least 1 page
    ...section(3, [0x01, 0x00]), // one function, of that type
    ...section(7, [0x01, exportName.length, ...exportName, 0x00, 0x00]), // exported as `name`
    ...section(10, [0x01, ...uleb(body.length), ...body]), // its code
  ]);
  return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
}

/**
 * An instance of a kernel module over a new memory of `pages` 64 KiB pages (its function and memory), or null when
 * no memory can be had (each reserves gigabytes of address space: a process holds some 13,000 at most).
 */
export function tryInstantiate<F>(module: WasmModule, name: string, pages: number): { fn: F; memory: WasmMemory } | null {
  let memory: WasmMemory;
  try {
    memory = new WebAssembly.Memory({ initial: pages });
  } catch {
    return null;
  }
  return { fn: new WebAssembly.Instance(module, { e: { m: memory } }).exports[name] as F, memory };
}
