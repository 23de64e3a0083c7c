// The Porter stemmer (Porter 1980, "An algorithm for suffix stripping") in NLTK's default NLTK_EXTENSIONS mode,
// ported rule for rule from nltk/stem/porter.py, because that is the stemmer rouge-score calls with
// use_stemmer=True. Input is one token; words of one or two letters are returned unchanged.

const VOWELS = new Set(["a", "e", "i", "o", "u"]);

// Irregular forms of NLTK mode: the word maps straight to its paradigm form.
const IRREGULAR = new Map<string, string>([
  ["sky", "sky"], ["skies", "sky"], ["dying", "die"], ["lying", "lie"], ["tying", "tie"], ["news", "news"],
  ["innings", "inning"], ["inning", "inning"], ["outings", "outing"], ["outing", "outing"],
  ["cannings", "canning"], ["canning", "canning"], ["howe", "howe"],
  ["proceed", "proceed"], ["exceed", "exceed"], ["succeed", "succeed"],
]);

function isConsonant(word: string, i: number): boolean {
  const ch = word[i];
  if (VOWELS.has(ch)) return false;
  if (ch === "y") return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** Porter's measure m: the number of VC sequences in [C](VC){m}[V]. */
function measure(stem: string): number {
  let m = 0;
  let prevVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const c = isConsonant(stem, i);
    if (c && prevVowel) m++;
    prevVowel = !c;
  }
  return m;
}

const hasPositiveMeasure = (stem: string): boolean => measure(stem) > 0;
const measureGt1 = (stem: string): boolean => measure(stem) > 1;

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(word: string): boolean {
  return word.length >= 2 && word[word.length - 1] === word[word.length - 2] && isConsonant(word, word.length - 1);
}

/** Condition *o: the stem ends consonant-vowel-consonant with the last not w, x or y (NLTK: also a 2-letter vc stem). */
function endsCvc(word: string): boolean {
  const n = word.length;
  return (
    (n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1) && !"wxy".includes(word[n - 1])) ||
    (n === 2 && !isConsonant(word, 0) && isConsonant(word, 1))
  );
}

type Rule = [suffix: string, replacement: string, condition: ((stem: string) => boolean) | null];

/** Applies the first rule whose suffix matches; if its condition fails the word is returned unchanged. */
function applyRuleList(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === "*d" && endsDoubleConsonant(word)) {
      const stem = word.slice(0, -2);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
    if (word.endsWith(suffix)) {
      const stem = suffix === "" ? word : word.slice(0, -suffix.length);
      return condition === null || condition(stem) ? stem + replacement : word;
    }
  }
  return word;
}

function step1a(word: string): string {
  if (word.endsWith("ies") && word.length === 4) return word.slice(0, -3) + "ie";
  return applyRuleList(word, [
    ["sses", "ss", null],
    ["ies", "i", null],
    ["ss", "ss", null],
    ["s", "", null],
  ]);
}

function step1b(word: string): string {
  if (word.endsWith("ied")) return word.slice(0, -3) + (word.length === 4 ? "ie" : "i");
  if (word.endsWith("eed")) {
    const stem = word.slice(0, -3);
    return measure(stem) > 0 ? stem + "ee" : word;
  }
  let intermediate: string | null = null;
  for (const suffix of ["ed", "ing"]) {
    if (word.endsWith(suffix)) {
      const stem = word.slice(0, -suffix.length);
      if (containsVowel(stem)) {
        intermediate = stem;
        break;
      }
    }
  }
  if (intermediate === null) return word;
  const last = intermediate[intermediate.length - 1];
  return applyRuleList(intermediate, [
    ["at", "ate", null],
    ["bl", "ble", null],
    ["iz", "ize", null],
    ["*d", last, () => !"lsz".includes(last)],
    ["", "e", (stem) => measure(stem) === 1 && endsCvc(stem)],
  ]);
}

function step1c(word: string): string {
  return applyRuleList(word, [["y", "i", (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

function step2(word: string): string {
  if (word.endsWith("alli") && hasPositiveMeasure(word.slice(0, -4))) return step2(word.slice(0, -4) + "al");
  return applyRuleList(word, [
    ["ational", "ate", hasPositiveMeasure],
    ["tional", "tion", hasPositiveMeasure],
    ["enci", "ence", hasPositiveMeasure],
    ["anci", "ance", hasPositiveMeasure],
    ["izer", "ize", hasPositiveMeasure],
    ["bli", "ble", hasPositiveMeasure],
    ["alli", "al", hasPositiveMeasure],
    ["entli", "ent", hasPositiveMeasure],
    ["eli", "e", hasPositiveMeasure],
    ["ousli", "ous", hasPositiveMeasure],
    ["ization", "ize", hasPositiveMeasure],
    ["ation", "ate", hasPositiveMeasure],
    ["ator", "ate", hasPositiveMeasure],
    ["alism", "al", hasPositiveMeasure],
    ["iveness", "ive", hasPositiveMeasure],
    ["fulness", "ful", hasPositiveMeasure],
    ["ousness", "ous", hasPositiveMeasure],
    ["aliti", "al", hasPositiveMeasure],
    ["iviti", "ive", hasPositiveMeasure],
    ["biliti", "ble", hasPositiveMeasure],
    ["fulli", "ful", hasPositiveMeasure],
    // The 'l' of 'logi' -> 'log' stays with the stem, so short stems like 'geo', 'theo' qualify.
    ["logi", "log", () => hasPositiveMeasure(word.slice(0, -3))],
  ]);
}

function step3(word: string): string {
  return applyRuleList(word, [
    ["icate", "ic", hasPositiveMeasure],
    ["ative", "", hasPositiveMeasure],
    ["alize", "al", hasPositiveMeasure],
    ["iciti", "ic", hasPositiveMeasure],
    ["ical", "ic", hasPositiveMeasure],
    ["ful", "", hasPositiveMeasure],
    ["ness", "", hasPositiveMeasure],
  ]);
}

function step4(word: string): string {
  return applyRuleList(word, [
    ["al", "", measureGt1],
    ["ance", "", measureGt1],
    ["ence", "", measureGt1],
    ["er", "", measureGt1],
    ["ic", "", measureGt1],
    ["able", "", measureGt1],
    ["ible", "", measureGt1],
    ["ant", "", measureGt1],
    ["ement", "", measureGt1],
    ["ment", "", measureGt1],
    ["ent", "", measureGt1],
    ["ion", "", (stem) => measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))],
    ["ou", "", measureGt1],
    ["ism", "", measureGt1],
    ["ate", "", measureGt1],
    ["iti", "", measureGt1],
    ["ous", "", measureGt1],
    ["ive", "", measureGt1],
    ["ize", "", measureGt1],
  ]);
}

function step5a(word: string): string {
  if (word.endsWith("e")) {
    const stem = word.slice(0, -1);
    const m = measure(stem);
    if (m > 1) return stem;
    if (m === 1 && !endsCvc(stem)) return stem;
  }
  return word;
}

function step5b(word: string): string {
  return applyRuleList(word, [["ll", "l", () => measure(word.slice(0, -1)) > 1]]);
}

/** Stems one word (lowercased first) with NLTK's PorterStemmer() (NLTK_EXTENSIONS mode). */
export function porterStem(token: string): string {
  const word = token.toLowerCase();
  const irregular = IRREGULAR.get(word);
  if (irregular !== undefined) return irregular;
  if (word.length <= 2) return word;
  return step5b(step5a(step4(step3(step2(step1c(step1b(step1a(word))))))));
}
