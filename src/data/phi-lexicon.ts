// Word lists behind the PHI scrub (phi.ts, phi-patterns.ts): first names, words that are never names, eponym and
// institution words, title-case phrase words, US states, street suffixes, toll-free area codes and public reference
// domains. Plain data, loaded once; the word sets hold lower-case words.

/** Common first names (US SSA lists plus frequent names of other origins), minus everyday words (Will, May, Grace, Mark...). */
export const FIRST_NAMES: ReadonlySet<string> = new Set(
  (
    "aaron abigail adam adrian aidan aiden alan albert alberto alejandro alex alexander alexandra alexis alfred alice " +
    "alicia alison allison alvin amanda amelia amir amy ana andre andrea andrew andy angela angelica anita ann anna " +
    "anne annie anthony antonio arthur ashley audrey barbara beatrice becky ben benjamin bernard beth betty beverly " +
    "bianca bobby bonnie brad bradley brandon brenda brett brian brittany bruce bryan caleb cameron carl carla carlos " +
    "carmen carol caroline carolyn catherine cathy cecilia chad charles charlie charlotte cheryl chloe chris christian " +
    "christina christine christopher cindy claire clara claudia clayton colin connie craig cynthia daniel danielle " +
    "darlene darren david deborah debra denise dennis derek diana diane dolores donald donna doris dorothy douglas " +
    "dylan earl eddie edgar edith eduardo edward edwin eileen elaine eleanor elena elizabeth ella ellen elliot emily " +
    "emma eric erica erik erin ernest esther ethan eugene evan evelyn fatima felix fernando frances francis " +
    "francisco frank fred frederick gabriel gabriela gail gary gavin geoffrey george gerald gina gloria gordon " +
    "greg gregory gwen hailey hannah harold harry hector heidi helen henry herbert howard ian irene isaac isabel " +
    "isabella isaiah ivan jacob jacqueline jaime james jamie jane janet janice jared jasmine jason javier jean " +
    "jeanne jeffrey jennifer jenny jeremy jerome jerry jesse jessica jesus jill jimmy joan joanne joe joel johanna " +
    "john johnny jonathan jorge jose joseph josephine joshua joyce juan judith judy julia julian julie justin kaitlyn " +
    "karen katherine kathleen kathryn kathy katie keith kelly kenneth kevin kimberly kristen kyle larry laura lauren " +
    "lawrence leah leonard leslie linda lindsay lisa lois lori louis louise lucas lucia lucy luis luke lynn " +
    "madeline manuel marcus margaret maria marie marilyn mario marissa martha martin marvin mary matthew maureen megan " +
    "melanie melissa michael michelle miguel mildred miranda mohammed monica nancy naomi natalie nathan nathaniel " +
    "nicholas nicole noah norma olivia omar oscar pamela patricia patrick paul paula pedro peggy peter philip phyllis " +
    "priya rachel rafael rahul ralph ramon randy raquel raymond rebecca regina renee ricardo richard rita robert " +
    "roberto robin rodney roger ronald rosa rosemary roy russell ruth ryan samantha samuel sandra sara sarah scott " +
    "sean sergio sharon sheila shirley sophia stanley stephanie stephen steven susan suzanne sylvia tamara tammy " +
    "teresa terry thelma theresa thomas timothy tina todd tommy tony tracy travis tyler valerie vanessa vernon " +
    "veronica vicki victor victoria vincent virginia walter wanda wayne wendy william yolanda yvonne zachary " +
    // frequent names beyond the SSA lists (Arabic, South and East Asian, African, European)
    "ahmed ahmad ali hassan hussein omar yusuf mustafa khalid zainab leila layla amina aisha mariam nour " +
    "raj arjun anil sunita deepak ravi pooja anita sanjay vijay neha amit rohan kavya " +
    "wei li mei jin hao yan xin jun hiroshi kenji yuki haruto akira minh linh thanh " +
    "kwame kofi ama emeka chidi ngozi amara oluwaseun tunde " +
    "mateo santiago diego alejandra valentina camila sofia lucia javier " +
    "olga ivan dmitri igor sergei svetlana natasha tatiana tomasz piotr katarzyna agnieszka " +
    "ingrid lars sven astrid giulia marco luca francesca pierre jacques camille hans klaus"
  ).split(" "),
);

/**
 * Capitalized words that are never a person's name in the contexts the scrub looks at (function words, roles,
 * departments, clinical words, calendar words): a candidate name stops at the first of these.
 */
export const NAME_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a an and or of in on at to for with by from as is was are were be been has had have his her their its our my " +
    "your this that these those who whom which what when where why how not no yes none unknown n/a na the than then " +
    "he she they we it patient patients pt male female man woman men women boy girl child infant baby neonate " +
    "newborn adult mother father son daughter wife husband sister brother family friend nurse doctor physician " +
    "surgeon resident intern attending practitioner assistant technician therapist pharmacist staff team service " +
    "department dept hospital clinic center centre unit ward room bed icu er ed or emergency medicine medical internal " +
    "general surgery surgical neurology cardiology oncology pediatrics paediatrics psychiatry radiology pathology " +
    "obstetrics gynecology gynaecology urology nephrology dermatology ophthalmology orthopedics orthopaedics " +
    "anesthesia anaesthesia anesthesiology endocrinology gastroenterology hematology haematology pulmonology " +
    "rheumatology infectious disease diseases syndrome history examination exam physical labs laboratory note notes " +
    "report discharge admission admitted presents presented complains reports denies states says said has had " +
    "january february march april may june july august september october november december monday tuesday " +
    "wednesday thursday friday saturday sunday today yesterday tomorrow am pm md do rn np pa phd dds " +
    "mr mrs ms miss dr prof sir madam dear hello hi thanks thank regards sincerely signed name date time age sex " +
    "not available pending redacted anonymous confidential test positive negative normal abnormal"
  ).split(" "),
);

/** Words that, right after a capitalized word, make it an eponym or an institution, not a person (Graves disease, Mayo Clinic). */
export const EPONYM_FOLLOWERS: ReadonlySet<string> = new Set(
  (
    "disease diseases syndrome syndromes sign signs test tests reflex reflexes tumor tumour tumors lymphoma sarcoma " +
    "carcinoma cell cells body bodies node nodes law laws principle classification criteria score scale staging " +
    "stage maneuver manoeuvre method procedure operation repair incision fracture palsy disorder anomaly " +
    "phenomenon effect triad tetrad pentad ring rings line lines nodule nodules granules granule space spaces " +
    "canal duct ducts gland glands membrane layer layers plexus artery vein nerve ganglion loop lesion lesions " +
    "ulcer ulcers spots spot stain stains equation hypothesis theory technique position point points test's " +
    "formula rule rules unit units solution agar medium circle angle triangle classification type types " +
    "encephalopathy anemia anaemia dystrophy ataxia chorea dementia thyroiditis disease's " +
    // institutions and honours named after a person: "Mother Teresa Hospital", "Nobel Prize"
    "hospital hospitals center centre institute university college school foundation clinic medical memorial " +
    "health trust society association award prize lecture fellowship building wing ward"
  ).split(" "),
);

/** Words of title-case phrases that follow "Patient" and are not surnames ("Patient Health Questionnaire", "Patient Safety"). */
export const PHRASE_WORDS: ReadonlySet<string> = new Set(
  (
    "health questionnaire reported outcome outcomes measure measures activation safety care experience experiences " +
    "satisfaction education information assessment survey scale index score inventory form record records portal " +
    "access advocate advocacy navigator navigation centered centred controlled protection rights bill data flow " +
    "management monitoring selection preference preferences population participation engagement perspective " +
    "perspectives perception perceptions characteristics demographics factors variables charts files " +
    "identification registration transport transfer handoff positioning counseling counselling support " +
    "self safety-net and or of in with for the quality global impression"
  ).split(" "),
);

/** Words that make a capitalized run an organization, not a person ("National Eye Institute", "Mayo Clinic"). */
export const INSTITUTION_WORDS: ReadonlySet<string> = new Set(
  (
    "institute institutes hospital hospitals university center centre clinic clinics foundation association society " +
    "department agency administration organization organisation college school council committee service services " +
    "network alliance coalition program programme project group company corporation inc ltd llc laboratory " +
    "laboratories library museum academy board commission office bureau ministry"
  ).split(" "),
);

/** US state and territory postal abbreviations (upper case as written). */
export const US_STATE_ABBRS: ReadonlySet<string> = new Set(
  (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK " +
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP"
  ).split(" "),
);

/** US state names, for `City, Illinois 62704`. */
export const US_STATE_NAMES: readonly string[] = [
  "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware", "Florida", "Georgia",
  "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland",
  "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada", "New Hampshire",
  "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania",
  "Rhode Island", "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
  "West Virginia", "Wisconsin", "Wyoming", "District of Columbia", "Puerto Rico",
];

/** Street suffixes (USPS Publication 28 common forms), as written after the street name. */
export const STREET_SUFFIXES: readonly string[] = [
  "Street", "St", "Avenue", "Ave", "Av", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct",
  "Place", "Pl", "Terrace", "Ter", "Way", "Circle", "Cir", "Highway", "Hwy", "Parkway", "Pkwy", "Square", "Sq", "Trail",
  "Trl", "Alley", "Plaza", "Loop", "Crescent", "Close", "Pike", "Turnpike", "Expressway", "Expy", "Freeway", "Fwy",
  "Row", "Walk", "Path", "Run", "Crossing", "Xing", "Heights", "Hts", "Point", "Pt", "Ridge", "Rdg", "Grove", "Park",
];

/** North American toll-free area codes: numbers of organizations (help lines), never of one patient. */
export const TOLL_FREE_AREA_CODES: ReadonlySet<string> = new Set(["800", "833", "844", "855", "866", "877", "888"]);

/**
 * Hosts of public reference pages (agencies, guideline bodies, journals, encyclopedias). A URL on one of these, or
 * on a .gov/.mil/.int host, cites public knowledge and identifies no one (MedQuAD answers cite them by the thousand).
 */
export const REFERENCE_DOMAINS: readonly string[] = [
  "gov", "mil", "int", "nih.gov", "cdc.gov", "fda.gov", "who.int", "nhs.uk", "nice.org.uk", "gov.uk", "europa.eu",
  "doi.org", "dx.doi.org", "wikipedia.org", "wikimedia.org", "orpha.net", "omim.org", "rarediseases.org",
  "mayoclinic.org", "clevelandclinic.org", "hopkinsmedicine.org", "cancer.org", "heart.org", "diabetes.org",
  "lung.org", "kidney.org", "alz.org", "aafp.org", "acog.org", "aap.org", "healthychildren.org", "acponline.org",
  "uptodate.com", "cochranelibrary.com", "cochrane.org", "bmj.com", "nejm.org", "thelancet.com", "jamanetwork.com",
  "nature.com", "sciencedirect.com", "springer.com", "wiley.com", "ncbi.nlm.nih.gov", "pubmed.ncbi.nlm.nih.gov",
  "medlineplus.gov", "clinicaltrials.gov", "genome.gov", "kidshealth.org", "nami.org", "marchofdimes.org",
  "geneticalliance.org", "genereviews.org", "ghr.nlm.nih.gov", "merckmanuals.com", "medscape.com", "icd.who.int",
  "guidelines.gov", "ahrq.gov", "cms.gov", "medicare.gov", "hhs.gov", "samhsa.gov", "nccn.org", "asco.org",
  "idsociety.org", "thoracic.org", "aan.com", "psychiatry.org", "apa.org", "ada.org", "entnet.org", "aao.org",
];
