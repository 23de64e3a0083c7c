// The interpretability mode end to end with fake models: replies with valid, invalid and unsupported citations
// give the expected validity and support rates with intervals and listed issues; items without sources are
// skipped; a fake judge model's verdicts are recorded per citation and compared with the lexical verdicts.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { QAItem } from "../../../src/data/index.ts";
import type { GenerateRequest, GenerateResult, LogprobResult, Model } from "../../../src/providers/index.ts";
import { runInterpretability } from "../../../src/eval/interpret/run-interpret.ts";
import { judgeClaims, judgePrompt, parseJudgeVerdict } from "../../../src/eval/interpret/judge.ts";

const ITEMS: QAItem[] = [
  { id: "p1", source: "pubmedqa", kind: "yesno", question: "Does aspirin prevent infarction?", answer: "yes", metadata: {},
    context: ["Aspirin reduced the risk of myocardial infarction by 25% in the randomized trial.", "Bleeding complications were more frequent with aspirin."] },
  { id: "p2", source: "pubmedqa", kind: "yesno", question: "Do statins cure diabetes?", answer: "no", metadata: {},
    context: ["Statins lowered LDL cholesterol in all groups.", "Glucose control did not change with statins."] },
  { id: "p3", source: "pubmedqa", kind: "yesno", question: "Is there context?", answer: "maybe", metadata: {} },
  { id: "m1", source: "rag", kind: "mcq", question: "First-line drug for type 2 diabetes?", answer: "A", metadata: {},
    options: [{ label: "A", text: "Metformin" }, { label: "B", text: "Insulin" }], context: ["Metformin is the first-line drug for type 2 diabetes."] },
];

const REPLIES: Record<string, string> = {
  p1: "Answer: yes\nRationale: Aspirin reduced the risk of myocardial infarction in the trial [1]. Bleeding was more frequent with aspirin [2]. Mortality fell too [5].",
  p2: "Answer: no\nRationale: Glucose control did not change with statins [2]. Statins are popular drugs worldwide [1].",
  m1: "Answer: A\nRationale: Metformin is the first-line drug for type 2 diabetes.",
};

function fakeModel(reply: (prompt: string) => GenerateResult, chat = true): Model & { requests: GenerateRequest[] } {
  const m = {
    requests: [] as GenerateRequest[],
    async generate(reqs: GenerateRequest[]): Promise<GenerateResult[]> {
      m.requests.push(...reqs);
      return reqs.map((r) => reply(r.prompt ?? r.messages!.map((x) => x.content).join("\n")));
    },
    async logprobs(): Promise<LogprobResult[]> {
      throw new Error("not used");
    },
    info: () => ({ id: "fake", provider: "test", capabilities: { logprobs: false, chat } }),
    async close() {},
  };
  return m;
}

const writer = fakeModel((prompt) => {
  const id = prompt.includes("aspirin prevent") ? "p1" : prompt.includes("statins cure") ? "p2" : "m1";
  return { text: REPLIES[id], latencyMs: 1 };
});

test("validity and support rates, listed issues, skipped items and the protocol", async () => {
  const r = await runInterpretability(writer, ITEMS, { nResamples: 200, seed: 3 });
  assert.deepEqual(r.skipped.map((s) => s.id), ["p3"]);
  assert.equal(r.nItems, 3);
  assert.equal(r.accuracy, 1);
  // References: p1 [1],[2],[5]; p2 [2],[1]; m1 none -> 5 references, 4 valid.
  assert.equal(r.validity!.nTrials, 5);
  assert.equal(r.validity!.nSuccesses, 4);
  assert.equal(r.validity!.rate, 0.8);
  assert.ok(r.validity!.lo <= 0.8 && 0.8 <= r.validity!.hi);
  assert.deepEqual(r.invalid.map((x) => [x.id, x.index]), [["p1", 5]]);
  // Supported: p1 [1], p1 [2], p2 [2]; unsupported: p2 [1] ("popular drugs worldwide").
  assert.equal(r.support!.nTrials, 4);
  assert.equal(r.support!.nSuccesses, 3);
  assert.deepEqual(r.unsupported.map((x) => [x.id, x.index]), [["p2", 1]]);
  assert.equal(r.nUncited, 1, "m1 cites nothing");
  assert.equal(r.citedSentences!.nTrials, 6);
  assert.equal(r.citedSentences!.nSuccesses, 5);
  assert.equal(r.judgeSupport, null);
  assert.equal(r.agreement, null);
  assert.equal(r.protocol.format, "chat");
  assert.equal(r.protocol.support.threshold, 0.5);
  assert.match(r.protocol.instruction, /square brackets/);
  assert.ok(writer.requests.every((q) => q.temperature === 0));
});

test("a raw-prompt model continues after \"Answer:\"; provider errors are counted, not scored", async () => {
  const raw = fakeModel((prompt) => (prompt.includes("statins cure")
    ? { text: "", latencyMs: 1, error: "connection reset" }
    : { text: " yes\nRationale: Aspirin reduced myocardial infarction risk [1].", latencyMs: 1 }), false);
  const r = await runInterpretability(raw, ITEMS.slice(0, 2), { nResamples: 100 });
  assert.equal(r.items[0].answer, "yes");
  assert.equal(r.items[0].check.nSupported, 1);
  assert.equal(r.nErrors, 1);
  assert.equal(r.items[1].error, "connection reset");
  assert.equal(r.validity!.nUnits, 1, "the failed item is not a unit of the interval");
  assert.ok(raw.requests[0].prompt!.endsWith("Answer:"));
});

test("judge: rubric prompt, verdict parsing, per-citation verdicts and agreement with the lexical measure", async () => {
  assert.equal(parseJudgeVerdict("Yes."), true);
  assert.equal(parseJudgeVerdict("**No**, it does not."), false);
  assert.equal(parseJudgeVerdict("I cannot tell."), null);
  assert.equal(parseJudgeVerdict("Noted: yes"), true);
  const prompt = judgePrompt({ claim: "Aspirin helps.", passage: "Aspirin  reduced\nrisk.", index: 2 });
  assert.match(prompt, /Passage \[2\]:\nAspirin reduced risk\./);
  assert.match(prompt, /Does passage \[2\] support this statement\? Answer yes or no\.$/);

  // The judge says yes unless the statement mentions "Mortality" or "popular"; it fails on "Bleeding" claims.
  const judge = fakeModel((p) => {
    const statement = /Statement:\n(.*)\n/.exec(p)![1];
    if (statement.includes("Bleeding")) return { text: "", latencyMs: 1, error: "timeout" };
    return { text: /popular|worldwide/.test(statement) ? "No." : "Yes, it does.", latencyMs: 1 };
  });
  const r = await runInterpretability(writer, ITEMS, { judge, nResamples: 100 });
  // Invalid citations are never judged; every valid one is (p1 [1], p1 [2], p2 [2], p2 [1]).
  assert.equal(judge.requests.length, 4);
  const p1 = r.items.find((x) => x.id === "p1")!;
  assert.deepEqual(p1.check.sentences.map((s) => s.citations.map((c) => c.judge)), [[true], [null], [undefined]]);
  assert.equal(r.judgeSupport!.nTrials, 3);
  assert.equal(r.judgeSupport!.nSuccesses, 2);
  // Both raters: p1 [1] yes/yes, p2 [2] yes/yes, p2 [1] no/no -> perfect agreement.
  assert.equal(r.agreement!.n, 3);
  assert.equal(r.agreement!.agreement, 1);
  assert.equal(r.agreement!.kappa, 1);
  assert.equal(r.unsupported[0].judge, false);
  assert.equal(r.protocol.judge!.id, "fake");
  const direct = await judgeClaims(judge, [{ claim: "Statins are popular.", passage: "x", index: 1 }], { format: "prompt" });
  assert.deepEqual(direct.map((d) => d.verdict), [false]);
});

test("bad options fail before any request", async () => {
  await assert.rejects(() => runInterpretability(writer, ITEMS, { support: { threshold: 1.5 } }), /threshold must be in \[0, 1\]/);
  await assert.rejects(() => runInterpretability(writer, ITEMS, { batchSize: 0 }), /batchSize/);
});
