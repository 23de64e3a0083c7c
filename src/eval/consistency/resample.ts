// N-sample agreement as a perturbation: the same prompt, unchanged, answered N more times with sampling
// (temperature > 0) under seeds derived from the run seed and the item id. Each sample is compared with the
// greedy answer like any other variant; the per-item agreement with the modal answer is reported beside it.
import { MedtuneError, seedFromString } from "../../core/index.ts";
import type { Perturbation, PerturbationOutput, Variant } from "./variant.ts";
import { identityLabelMap, variantItem } from "./variant.ts";

/** N sampled answers to the unchanged prompt at `temperature` (default 0.7). */
export function resamplePerturbation(n = 5, temperature = 0.7): Perturbation {
  if (!Number.isInteger(n) || n < 1) throw new MedtuneError("eval.consistency.bad-option", `the number of samples must be a positive integer, got ${n}`);
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new MedtuneError("eval.consistency.bad-option", `sampling temperature must be > 0, got ${temperature}`, { hint: "at temperature 0 every sample is the greedy answer" });
  }
  return {
    name: "samples",
    description: `${n} samples of the same prompt at temperature ${temperature}, each with its own seed`,
    apply(item, ctx): PerturbationOutput {
      const variants: Variant[] = [];
      for (let s = 1; s <= n; s++) {
        const key = `sample-${s}`;
        const seed = seedFromString(`${ctx.seed}/samples/${item.id}/${s}`);
        variants.push({
          item: variantItem(item, key, "samples", {}),
          perturbation: "samples",
          key,
          description: `sample ${s} of ${n} (temperature ${temperature}, seed ${seed})`,
          labelMap: identityLabelMap(item),
          sampling: { temperature, seed },
        });
      }
      return { variants };
    },
  };
}
