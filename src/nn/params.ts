// Named views into one flat float buffer: the model's weights, its gradients and LoRA adapters all live in a
// single vector (optimizers and EWC treat it as one), with each tensor reachable by its Hugging Face/PEFT name.
import type { FloatArray } from "../tensor/index.ts";

/** Element type of every buffer a model owns: float32 for real work, float64 for finite-difference checks. */
export type DType = "float32" | "float64";

/** Offsets are padded to this many elements so every tensor starts on a 64-byte boundary (SIMD, BLAS). */
const ALIGN = 16;

/** A new zeroed buffer of `n` elements of `dtype`. */
export function allocFloat(dtype: DType, n: number): FloatArray {
  return dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
}

/** One tensor's place in the flat buffer. */
export interface ParamEntry {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** A layout (names, shapes, offsets) plus a flat buffer holding every tensor; `get(name)` returns a view. */
export class FlatParams {
  readonly data: FloatArray;
  readonly dtype: DType;
  private readonly byName = new Map<string, { entry: ParamEntry; view: FloatArray }>();
  private readonly order: ParamEntry[] = [];

  /** Lays out `specs` in order (aligned) and allocates a zeroed buffer for them. */
  constructor(specs: readonly { name: string; shape: readonly number[] }[], dtype: DType) {
    let offset = 0;
    const entries: ParamEntry[] = [];
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw new Error(`duplicate parameter name ${s.name}`);
      seen.add(s.name);
      const size = s.shape.reduce((a, b) => a * b, 1);
      entries.push({ name: s.name, shape: [...s.shape], offset, size });
      offset += Math.ceil(size / ALIGN) * ALIGN;
    }
    this.dtype = dtype;
    this.data = allocFloat(dtype, offset);
    for (const e of entries) {
      this.order.push(e);
      this.byName.set(e.name, { entry: e, view: this.data.subarray(e.offset, e.offset + e.size) });
    }
  }

  /** A zeroed buffer with the same layout (gradients, optimizer moments). */
  like(): FlatParams {
    return new FlatParams(this.order, this.dtype);
  }

  /** The view of tensor `name`; throws when there is none. */
  get(name: string): FloatArray {
    const e = this.byName.get(name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return e.view;
  }

  /** True when tensor `name` exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Shape of tensor `name`. */
  shape(name: string): number[] {
    const e = this.byName.get(name);
    if (!e) throw new Error(`no parameter named ${name}`);
    return [...e.entry.shape];
  }

  /** Every tensor's entry, in layout order. */
  entries(): readonly ParamEntry[] {
    return this.order;
  }

  /** Tensor names in layout order. */
  names(): string[] {
    return this.order.map((e) => e.name);
  }

  /** Number of parameters (padding excluded). */
  count(): number {
    let n = 0;
    for (const e of this.order) n += e.size;
    return n;
  }

  /** Sets every element (padding included) to zero. */
  zero(): void {
    this.data.fill(0);
  }
}
