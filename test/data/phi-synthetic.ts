// Seeded generator of synthetic clinical notes and questions with planted HIPAA identifiers of every type, in
// varied formats, mixed with clinical values that must survive the scrub (doses, labs, vitals, eponyms...).
// Every identifier and name here is invented; the generator records where each planted value sits.
import { Rng } from "../../src/core/index.ts";
import type { PhiType } from "../../src/data/phi.ts";

/** One planted identifier: its type, the exact text and its [start, end) in the note. */
export interface Planted {
  type: PhiType;
  value: string;
  start: number;
  end: number;
}

/** One synthetic note with its planted identifiers and the clinical values that must come through unchanged. */
export interface SyntheticNote {
  text: string;
  planted: Planted[];
  survivors: string[];
}

/** Clinical values that no scrub may touch (doses, labs, vitals, drug and gene names, eponyms, scores, ages <= 89...). */
export const MUST_SURVIVE: readonly string[] = [
  "metoprolol 25 mg twice daily", "0.5 mg/kg", "1:1000 epinephrine", "Na 135 mEq/L", "HbA1c 7.2%", "creatinine 1.4 mg/dL",
  "WBC 12,000/mm3", "pH 7.32", "PaCO2 48 mm Hg", "BP 150/90 mm Hg", "blood pressure is 120/80", "HR 110/min",
  "T 38.5°C (101.3°F)", "SpO2 94%", "BRCA1", "HLA-B*57:01", "Parkinson disease", "Hodgkin lymphoma", "Graves disease",
  "Crohn disease", "Down syndrome", "Wilson disease", "Addison disease", "APGAR 8/9", "GCS 15", "2/6 systolic murmur",
  "32 weeks' gestation", "in 2019", "since 1998", "for 3 days", "2 weeks ago", "ICD-10 E11.9", "3 x 4 cm", "at 3 pm",
  "a 67-year-old man", "aged 45", "amoxicillin 500 mg every 8 hours", "heparin 5000 units subcutaneously",
  "platelets 150,000/mm3", "potassium 3.2 mEq/L", "INR 2.5", "troponin I 0.04 ng/mL", "TSH 4.5 mU/L", "LDL 130 mg/dL",
  "respirations are 18/min", "pulse is 92/min", "temperature is 37.2°C (99°F)", "a 2-cm mass", "grade 2/6",
  "Bell palsy", "Cushing syndrome", "Kawasaki disease", "Alzheimer disease", "Guillain-Barré syndrome", "ECG lead V2",
  "1/2 tablet", "CD4 count 350/mm3", "BMI 31 kg/m2", "HIV-1 RNA 20,000 copies/mL", "FEV1/FVC 0.65", "5-mm stone",
  "gravida 3, para 2", "Stage IV", "T2N1M0", "warfarin 5 mg daily", "insulin glargine 20 units at bedtime",
];

const FIRST = [
  "John", "Jane", "Maria", "Ahmed", "Wei", "Olga", "Kwame", "Priya", "Luis", "Fatima", "Hiroshi", "Ingrid", "Tomasz",
  "Chloe", "Dmitri", "Aisha", "Mateo", "Sofia", "Liam", "Nadia", "Robert", "Linda", "James", "Patricia", "Emeka",
];
const LAST = [
  "Smith", "Nguyen", "Patel", "O'Brien", "McDonald", "García", "Kowalski", "Okafor", "Johansson", "Rossi", "Cohen",
  "Haddad", "Tanaka", "Schmidt", "Ivanova", "Mensah", "Fernández", "Walsh", "Kim", "Dubois", "van der Berg", "Lindqvist",
];
const STREETS = ["Main", "Oak", "Maple", "Washington", "Lake Shore", "Elm", "Pine Ridge", "Cedar", "Martin Luther King", "5th"];
const SUFFIXES = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Drive", "Court", "Way", "Place"];
const CITIES = ["Springfield", "Riverton", "Lakewood", "Fairview", "Greenville", "Salem", "Madison", "Oak Park"];
const STATES = ["IL", "CA", "NY", "TX", "MA", "OH", "WA", "GA", "MD", "PA"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTH_ABBRS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

type Piece = string | { type: PhiType; value: string };
type Template = (g: Gen) => Piece[];

/** Random pieces for templates. */
class Gen {
  constructor(readonly rng: Rng) {}
  pick<T>(xs: readonly T[]): T {
    return xs[this.rng.int(xs.length)];
  }
  digits(n: number, first = "0123456789"): string {
    let s = first[this.rng.int(first.length)];
    for (let i = 1; i < n; i++) s += String(this.rng.int(10));
    return s;
  }
  first(): string {
    return this.pick(FIRST);
  }
  last(): string {
    return this.pick(LAST);
  }
  date(): string {
    const y = 1990 + this.rng.int(34);
    const m = 1 + this.rng.int(12);
    const d = 1 + this.rng.int(28);
    const p2 = (x: number) => String(x).padStart(2, "0");
    const th = d === 1 || d === 21 ? "st" : d === 2 || d === 22 ? "nd" : d === 3 || d === 23 ? "rd" : "th";
    return this.pick([
      `${p2(m)}/${p2(d)}/${y}`, `${m}/${d}/${String(y).slice(2)}`, `${y}-${p2(m)}-${p2(d)}`, `${d} ${MONTHS[m - 1]} ${y}`,
      `${MONTHS[m - 1]} ${d}, ${y}`, `${MONTH_ABBRS[m - 1]} ${d}, ${y}`, `${MONTH_ABBRS[m - 1]}. ${d}${th}`, `${d}-${MONTH_ABBRS[m - 1]}-${y}`,
      `${MONTHS[m - 1]} ${d}${th}`, `${p2(m)}-${p2(d)}-${y}`, `${d}.${p2(m)}.${y}`, `${d}th of ${MONTHS[m - 1]}, ${y}`,
    ]);
  }
  phone(): string {
    let a = this.digits(3, "23456789");
    while (/^8(00|33|44|55|66|77|88)$/.test(a)) a = this.digits(3, "23456789"); // a patient's number is never toll-free
    const e = this.digits(3, "23456789");
    const l = this.digits(4);
    return this.pick([`(${a}) ${e}-${l}`, `${a}-${e}-${l}`, `${a}.${e}.${l}`, `+1 ${a} ${e} ${l}`, `1-${a}-${e}-${l}`, `(${a}) ${e}-${l} ext. ${this.digits(3)}`, `+1-${a}-${e}-${l}`]);
  }
  ssn(): string {
    const area = this.digits(3, "12345678").replace(/^666$/, "665");
    return `${area === "000" ? "001" : area}-${this.digits(2, "123456789")}-${this.digits(4, "123456789")}`;
  }
  mrn(): string {
    return this.pick([this.digits(8), this.digits(7), `${this.digits(2)}-${this.digits(3)}-${this.digits(3)}`, `A${this.digits(7)}`, `MR${this.digits(6)}`]);
  }
  account(): string {
    return this.pick([this.digits(10), `${this.digits(4)}-${this.digits(4)}-${this.digits(2)}`, `XKL${this.digits(9)}`, `1EG4-TE5-MK${this.digits(2)}`]);
  }
  dea(): string {
    const letters = this.pick(["A", "B", "F", "M"]) + this.pick(["S", "K", "P", "G"]);
    const d = this.digits(6).split("").map(Number);
    const check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10;
    return letters + d.join("") + check;
  }
  email(f: string, l: string): string {
    const user = this.pick([`${f}.${l}`, `${f[0]}${l}`, `${f}${this.digits(2)}`, `${l}_${f}`]).toLowerCase().replace(/[^a-z0-9._]/g, "");
    return `${user}@${this.pick(["gmail.com", "example.org", "mail.example.net", "yahoo.co.uk", "clinic-mail.com"])}`;
  }
  street(): string {
    const num = String(1 + this.rng.int(9899));
    return `${num} ${this.pick(["", "N ", "West "])}${this.pick(STREETS)} ${this.pick(SUFFIXES)}`;
  }
  zip(): string {
    return this.rng.next() < 0.7 ? this.digits(5, "123456789") : `${this.digits(5, "123456789")}-${this.digits(4)}`;
  }
  age90(): number {
    return 90 + this.rng.int(18);
  }
}

const P = (type: PhiType, value: string): Piece => ({ type, value });

// Each template is one sentence or note line; a note strings several together with clinical filler.
const TEMPLATES: Template[] = [
  (g) => ["Mr. ", P("name", `${g.first()} ${g.last()}`), ` is a ${40 + g.rng.int(40)}-year-old man admitted on `, P("date", g.date()), "."],
  (g) => ["Mrs. ", P("name", g.last()), " was seen in clinic on ", P("date", g.date()), " for follow-up."],
  (g) => ["Patient ", P("name", `${g.first()} ${g.last()}`), " (MRN ", P("mrn", g.mrn()), ") presented with chest pain."],
  (g) => ["She was seen by Dr ", P("name", g.last()), " on ", P("date", g.date()), "."],
  (g) => ["Attending: Dr. ", P("name", `${g.first()} ${g.last()}`)],
  (g) => ["Name: ", P("name", `${g.last()}, ${g.first()}`)],
  (g) => ["Signed,\n", P("name", `${g.first()} ${g.last()}`), ", MD"],
  (g) => ["Electronically signed by: ", P("name", `${g.first()} ${g.last()}`), ", RN on ", P("date", g.date())],
  (g) => ["Discussed with the patient's husband, ", P("name", g.pick(["John", "Robert", "James", "Michael", "David"])), ", who agrees with the plan."],
  (g) => ["The patient, a woman named ", P("name", g.first()), ", reports dizziness."],
  (g) => ["Referred by Dr. ", P("name", g.last()), " of cardiology."],
  (g) => ["Prof. ", P("name", g.last()), " reviewed the biopsy."],
  (g) => [P("name", `${g.pick(["Mary", "Linda", "Susan", "Karen", "Jennifer"])} ${g.last()}`), ` is a ${20 + g.rng.int(60)}-year-old woman with asthma.`],
  (g) => ["Her son ", P("name", `${g.first()} ${g.last()}`), " will drive her home."],
  (g) => ["DOB: ", P("date", g.date())],
  (g) => ["Date of birth: ", P("date", g.date()), "."],
  (g) => ["He was discharged home on ", P("date", g.date()), " in stable condition."],
  (g) => ["Her last menstrual period was ", P("date", g.date()), "."],
  (g) => ["Surgery is scheduled on ", P("date", `${1 + g.rng.int(12)}/${1 + g.rng.int(28)}`), ", pending clearance."],
  (g) => ["He was born in ", P("date", `${g.pick(MONTHS)} ${1930 + g.rng.int(60)}`), "."],
  (g) => ["A ", P("age", `${g.age90()}-year-old`), " woman presents with confusion."],
  (g) => ["The patient is ", P("age", `${g.age90()} years old`), "."],
  (g) => ["Widowed, aged ", P("age", String(g.age90())), ", lives alone."],
  (g) => ["Age: ", P("age", String(g.age90()))],
  (g) => ["She is ", P("age", `${g.age90()} years of age`), " and uses a walker."],
  (g) => ["Pt is a ", P("age", `${g.age90()} y/o`), " male with CHF."],
  (g) => ["Call the patient at ", P("phone", g.phone()), " with results."],
  (g) => ["Home phone: ", P("phone", g.phone())],
  (g) => ["Cell ", P("phone", g.phone()), ", work ", P("phone", g.phone())],
  (g) => ["Fax: ", P("fax", g.phone())],
  (g) => ["Please fax records to ", P("fax", g.phone()), "."],
  (g) => ["Send the report to ", P("fax", g.phone()), " (fax)."],
  (g) => ["Email: ", P("email", g.email(g.first(), g.last()))],
  (g) => { const f = g.first(), l = g.last(); return ["She prefers contact by e-mail at ", P("email", g.email(f, l)), "."]; },
  (g) => ["SSN: ", P("ssn", g.ssn())],
  (g) => ["Social security number ", P("ssn", g.ssn()), " on file."],
  (g) => ["Insurance verified; SSN ", P("ssn", g.ssn().replace(/-/g, " ")), "."],
  (g) => ["MRN: ", P("mrn", g.mrn())],
  (g) => ["MR# ", P("mrn", g.mrn())],
  (g) => ["Medical record number ", P("mrn", g.mrn()), "."],
  (g) => ["Record no. ", P("mrn", g.mrn())],
  (g) => ["Chart #", P("mrn", g.mrn())],
  (g) => ["Account number: ", P("account", g.account())],
  (g) => ["Acct # ", P("account", g.account())],
  (g) => ["Member ID ", P("account", g.account())],
  (g) => ["Health plan beneficiary number ", P("account", g.account())],
  (g) => ["Medicare number: ", P("account", g.account())],
  (g) => ["Policy #", P("account", g.account())],
  (g) => ["Prescriber DEA ", P("license", g.dea()), "."],
  (g) => ["NPI ", P("license", g.digits(10, "12"))],
  (g) => ["License # ", P("license", `${g.pick(["MD", "RN", "G"])}${g.digits(6)}`)],
  (g) => ["Medical license number ", P("license", `${g.pick(["A", "C"])}${g.digits(5)}`), "."],
  (g) => ["Driver's license ", P("license", `${g.pick(["D", "S"])}${g.digits(7)}`)],
  (g) => ["Her patient portal is ", P("url", `https://mychart.${g.pick(["stmary", "northside", "valleyhealth"])}.org/patient/${g.digits(6)}`), "."],
  (g) => ["She posts updates on her blog ", P("url", `www.${g.last().toLowerCase().replace(/[^a-z]/g, "")}family.com/journey`), "."],
  (g) => ["Lab results link: ", P("url", `https://results.example.com/view?patient_id=${g.digits(7)}`)],
  (g) => ["Telehealth session from IP address ", P("ip", `${10 + g.rng.int(200)}.${g.rng.int(256)}.${g.rng.int(256)}.${1 + g.rng.int(254)}`), "."],
  (g) => ["Device connected from ", P("ip", `2001:db8:${g.digits(2)}a::${g.digits(2)}`), "."],
  (g) => ["Lives at ", P("address", `${g.street()}, Apt ${1 + g.rng.int(30)}`), ", ", P("address", g.pick(CITIES)), `, ${g.pick(STATES)} `, P("zip", g.zip()), "."],
  (g) => ["Address: ", P("address", g.street()), ", ", P("address", g.pick(CITIES)), `, ${g.pick(STATES)} `, P("zip", g.zip())],
  (g) => ["Mail to ", P("address", `P.O. Box ${1 + g.rng.int(9000)}`), ", ", P("address", g.pick(CITIES)), `, ${g.pick(STATES)} `, P("zip", g.zip()), "."],
  (g) => ["She moved to ", P("address", g.street()), " last spring."],
  (g) => ["ZIP code ", P("zip", g.zip()), "."],
  (g) => ["Pacemaker serial number ", P("serial", `PM${g.digits(8)}`), "."],
  (g) => ["Insulin pump S/N: ", P("serial", `${g.digits(3)}-${g.digits(5)}`)],
  () => ["Vehicle VIN ", P("serial", "1HGCM82633A004352"), " was involved in the collision."],
  (g) => ["License plate ", P("serial", `${g.pick(["ABC", "KLM", "XYZ"])}-${g.digits(4)}`), " noted by EMS."],
  // Formats the patterns were not written around: terse note styles, upper case, odd spacing.
  (g) => ["Pt: ", P("name", `${g.first()} ${g.last()}`), ", ", P("age", `${g.age90()}yo`), " F"],
  (g) => ["Dr. ", P("name", `${g.pick(["J.", "A.", "M."])} ${g.last()}`), " called back."],
  (g) => ["Contact her daughter ", P("name", g.first()), " at ", P("phone", `${g.digits(3, "23456")} ${g.digits(3, "23456789")} ${g.digits(4)}`), "."],
  (g) => ["DOB ", P("date", `${1 + g.rng.int(12)}/${1 + g.rng.int(28)}/${g.digits(2, "3456")}`)],
  (g) => ["Admitted ", P("date", `${2000 + g.rng.int(24)}/${String(1 + g.rng.int(12)).padStart(2, "0")}/${String(1 + g.rng.int(28)).padStart(2, "0")}`), " via the ED."],
  (g) => ["Her procedure was on the ", P("date", `${1 + g.rng.int(28)}th of ${g.pick(MONTHS)}`), "."],
  (g) => ["MRN#", P("mrn", g.digits(8))],
  (g) => ["EMAIL ", P("email", `${g.last().toUpperCase().replace(/[^A-Z]/g, "")}@HOSPITAL.ORG`)],
  (g) => ["Lives in Rm 4, ", P("address", `${1000 + g.rng.int(8000)} ${g.pick(STREETS)} ${g.pick(["Avenue", "Street"])} NW`), "."],
  (g) => ["IP: ", P("ip", `10.0.${g.rng.int(10)}.${1 + g.rng.int(9)}`)],
  (g) => ["Age ", P("age", String(g.age90())), ", widowed."],
  (g) => ["MR. ", P("name", `${g.first().toUpperCase()} ${g.last().toUpperCase()}`), " ARRIVED BY AMBULANCE."],
  (g) => ["Seen with her grandson ", P("name", `${g.first()} ${g.last()}`), " on ", P("date", `${g.pick(MONTH_ABBRS)} ${1 + g.rng.int(28)}`), "."],
  (g) => ["Phone (cell): ", P("phone", `${g.digits(3, "23456789")}${g.digits(3, "23456789")}${g.digits(4)}`)],
  (g) => ["Insurance ID: ", P("account", `W${g.digits(9)}`)],
];

// Clinical sentences with the must-survive values, and no identifiers.
const FILLER: ((v: string) => string)[] = [
  (v) => `On examination: ${v}.`,
  (v) => `Current findings include ${v}.`,
  (v) => `Plan: continue ${v} and recheck in clinic.`,
  (v) => `Notable: ${v}, otherwise unremarkable.`,
];

/** Generates notes (seeded) until at least `minIdentifiers` are planted and every template and survivor is used. */
export function syntheticNotes(seed: number | string, minIdentifiers = 600): SyntheticNote[] {
  const g = new Gen(new Rng(seed));
  const notes: SyntheticNote[] = [];
  let nPlanted = 0;
  let t = 0;
  let v = 0;
  while (nPlanted < minIdentifiers || t < TEMPLATES.length || v < MUST_SURVIVE.length) {
    let text = "";
    const planted: Planted[] = [];
    const survivors: string[] = [];
    const nLines = 3 + g.rng.int(4);
    for (let k = 0; k < nLines; k++) {
      if (text) text += g.rng.next() < 0.3 ? "\n" : " ";
      if (k % 2 === 1) {
        const value = MUST_SURVIVE[v++ % MUST_SURVIVE.length];
        survivors.push(value);
        text += FILLER[g.rng.int(FILLER.length)](value);
        continue;
      }
      const tpl = t < TEMPLATES.length ? TEMPLATES[t++] : g.pick(TEMPLATES);
      for (const piece of tpl(g)) {
        if (typeof piece === "string") text += piece;
        else {
          planted.push({ type: piece.type, value: piece.value, start: text.length, end: text.length + piece.value.length });
          text += piece.value;
        }
      }
    }
    nPlanted += planted.length;
    notes.push({ text, planted, survivors });
  }
  return notes;
}
