// One evaluated item as it is written to eval/<task>.json and the store: the gold answer, what the model chose or
// said, whether it was right, every per-item score, and the raw evidence (option log-likelihoods and
// probabilities, or the generated text and how its answer was extracted). A failed request is data, not a crash.

/** Log-likelihood scoring details of one MCQ or yes/no item. */
export interface LoglikDetail {
  /** option labels, in scoring order */
  labels: string[];
  /** the continuation scored for each option (" A" or " option text") */
  continuations: string[];
  /** sum of log P over each continuation's tokens */
  logliks: number[];
  /** continuation tokens of each option */
  tokens: number[];
  /** softmax of the log-likelihoods over the options: the model's confidence in each */
  probs: number[];
  /** label chosen by acc (argmax log-likelihood) and by acc_norm (argmax log-likelihood / length) */
  pred: string;
  predNorm: string;
  /** probability of the chosen option */
  confidence: number;
}

/** Generation details of one item. */
export interface GenerationDetail {
  /** the chain-of-thought text (CoT only) */
  reasoning?: string;
  /** the answer text (after the answer trigger with CoT) */
  output: string;
  /** how the answer was read from the text (MCQ and yes/no) */
  extraction?: { method: string; reason?: string };
  finishReason?: string;
}

/** One item's result. */
export interface ItemResult {
  id: string;
  source: string;
  subject: string | null;
  kind: "mcq" | "yesno" | "open";
  /** gold label (mcq, yesno) or answer text (open) */
  gold: string;
  /** the label chosen, the generated answer, or null when nothing could be read */
  prediction: string | null;
  /** the task's primary outcome (acc, or EM for open items); false when the item failed */
  correct: boolean;
  /** per-item scores by metric name (acc, acc_norm, em, f1, rouge_l, parsed), each in [0, 1] */
  scores: Record<string, number>;
  loglik?: LoglikDetail;
  generation?: GenerationDetail;
  /** why the item could not be scored (a model error); it counts as wrong */
  error?: string;
}
