// HTML character references for the cleaner: the common named entities of the WHATWG HTML5 table (all of
// HTML 4.01 plus the HTML5 names seen in medical and scientific text) and decimal/hex numeric references,
// decoded as the WHATWG spec does (0x80-0x9F read as Windows-1252, invalid code points become U+FFFD).
// Decoding is one pass, so "&amp;lt;" becomes "&lt;" (decoded once); unknown names are left as written.

// Latin-1 supplement U+00A0..U+00FF, in code point order (HTML 4.01 HTMLlat1).
const LATIN1 = [
  "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not", "shy", "reg", "macr",
  "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest",
  "Agrave", "Aacute", "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml",
  "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
  "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml",
  "eth", "ntilde", "ograve", "oacute", "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
];

// Greek letters U+0391..U+03A9 and U+03B1..U+03C9 in order ("" marks the unassigned U+03A2 and final sigma).
const GREEK_UPPER = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega"];
const GREEK_LOWER = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigmaf", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"];

// Everything else, name -> code point (HTML 4.01 symbols and specials, then HTML5 additions).
const OTHER: Record<string, number> = {
  // ASCII (HTML5 names, including the upper-case legacy spellings)
  quot: 0x22, QUOT: 0x22, amp: 0x26, AMP: 0x26, apos: 0x27, lt: 0x3c, LT: 0x3c, gt: 0x3e, GT: 0x3e,
  Tab: 0x09, NewLine: 0x0a, excl: 0x21, num: 0x23, dollar: 0x24, percnt: 0x25, lpar: 0x28, rpar: 0x29, ast: 0x2a, midast: 0x2a,
  plus: 0x2b, comma: 0x2c, period: 0x2e, sol: 0x2f, colon: 0x3a, semi: 0x3b, equals: 0x3d, quest: 0x3f, commat: 0x40,
  lsqb: 0x5b, lbrack: 0x5b, bsol: 0x5c, rsqb: 0x5d, rbrack: 0x5d, Hat: 0x5e, lowbar: 0x5f, grave: 0x60,
  lcub: 0x7b, lbrace: 0x7b, verbar: 0x7c, vert: 0x7c, VerticalLine: 0x7c, rcub: 0x7d, rbrace: 0x7d,
  // Latin-1 aliases (HTML5)
  NonBreakingSpace: 0xa0, COPY: 0xa9, REG: 0xae, circledR: 0xae, pm: 0xb1, PlusMinus: 0xb1, half: 0xbd, centerdot: 0xb7, div: 0xf7,
  angst: 0xc5,
  // Latin Extended-A and B (names of authors, places, drugs)
  Amacr: 0x100, amacr: 0x101, Abreve: 0x102, abreve: 0x103, Aogon: 0x104, aogon: 0x105, Cacute: 0x106, cacute: 0x107,
  Ccaron: 0x10c, ccaron: 0x10d, Dcaron: 0x10e, dcaron: 0x10f, Dstrok: 0x110, dstrok: 0x111, Emacr: 0x112, emacr: 0x113,
  Edot: 0x116, edot: 0x117, Eogon: 0x118, eogon: 0x119, Ecaron: 0x11a, ecaron: 0x11b, Gbreve: 0x11e, gbreve: 0x11f,
  Imacr: 0x12a, imacr: 0x12b, Idot: 0x130, imath: 0x131, inodot: 0x131, Lstrok: 0x141, lstrok: 0x142,
  Nacute: 0x143, nacute: 0x144, Ncaron: 0x147, ncaron: 0x148, Omacr: 0x14c, omacr: 0x14d, Odblac: 0x150, odblac: 0x151,
  OElig: 0x152, oelig: 0x153, Racute: 0x154, racute: 0x155, Rcaron: 0x158, rcaron: 0x159, Sacute: 0x15a, sacute: 0x15b,
  Scedil: 0x15e, scedil: 0x15f, Scaron: 0x160, scaron: 0x161, Tcaron: 0x164, tcaron: 0x165, Umacr: 0x16a, umacr: 0x16b,
  Uring: 0x16e, uring: 0x16f, Udblac: 0x170, udblac: 0x171, Yuml: 0x178, Zacute: 0x179, zacute: 0x17a, Zdot: 0x17b, zdot: 0x17c,
  Zcaron: 0x17d, zcaron: 0x17e, fnof: 0x192, circ: 0x2c6, tilde: 0x2dc,
  // Greek variants
  thetasym: 0x3d1, thetav: 0x3d1, vartheta: 0x3d1, upsih: 0x3d2, Upsi: 0x3d2, phiv: 0x3d5, varphi: 0x3d5, piv: 0x3d6, varpi: 0x3d6,
  kappav: 0x3f0, varkappa: 0x3f0, rhov: 0x3f1, varrho: 0x3f1, epsiv: 0x3f5, varepsilon: 0x3f5, straightepsilon: 0x3f5,
  sigmav: 0x3c2, varsigma: 0x3c2, epsi: 0x3b5, upsi: 0x3c5, ohm: 0x3a9,
  // spaces and invisible formatting (the cleaner turns these into a space or removes them)
  ensp: 0x2002, emsp: 0x2003, emsp13: 0x2004, emsp14: 0x2005, numsp: 0x2007, puncsp: 0x2008, thinsp: 0x2009, ThinSpace: 0x2009,
  hairsp: 0x200a, VeryThinSpace: 0x200a, ZeroWidthSpace: 0x200b, zwnj: 0x200c, zwj: 0x200d, lrm: 0x200e, rlm: 0x200f,
  MediumSpace: 0x205f, NoBreak: 0x2060,
  // punctuation
  hyphen: 0x2010, dash: 0x2010, ndash: 0x2013, mdash: 0x2014, horbar: 0x2015, Verbar: 0x2016, Vert: 0x2016,
  lsquo: 0x2018, OpenCurlyQuote: 0x2018, rsquo: 0x2019, rsquor: 0x2019, CloseCurlyQuote: 0x2019, sbquo: 0x201a, lsquor: 0x201a,
  ldquo: 0x201c, OpenCurlyDoubleQuote: 0x201c, rdquo: 0x201d, rdquor: 0x201d, CloseCurlyDoubleQuote: 0x201d, bdquo: 0x201e, ldquor: 0x201e,
  dagger: 0x2020, Dagger: 0x2021, ddagger: 0x2021, bull: 0x2022, bullet: 0x2022, nldr: 0x2025, hellip: 0x2026, mldr: 0x2026,
  permil: 0x2030, pertenk: 0x2031, prime: 0x2032, Prime: 0x2033, tprime: 0x2034, bprime: 0x2035, backprime: 0x2035,
  lsaquo: 0x2039, rsaquo: 0x203a, oline: 0x203e, frasl: 0x2044, euro: 0x20ac,
  // letterlike symbols
  incare: 0x2105, ell: 0x2113, numero: 0x2116, copysr: 0x2117, weierp: 0x2118, wp: 0x2118, image: 0x2111, real: 0x211c,
  trade: 0x2122, TRADE: 0x2122, mho: 0x2127, alefsym: 0x2135, aleph: 0x2135,
  // vulgar fractions
  frac13: 0x2153, frac23: 0x2154, frac15: 0x2155, frac25: 0x2156, frac35: 0x2157, frac45: 0x2158, frac16: 0x2159, frac56: 0x215a,
  frac18: 0x215b, frac38: 0x215c, frac58: 0x215d, frac78: 0x215e,
  // arrows (increased/decreased, leads to, equilibrium)
  larr: 0x2190, leftarrow: 0x2190, LeftArrow: 0x2190, uarr: 0x2191, uparrow: 0x2191, UpArrow: 0x2191,
  rarr: 0x2192, rightarrow: 0x2192, RightArrow: 0x2192, srarr: 0x2192, darr: 0x2193, downarrow: 0x2193, DownArrow: 0x2193,
  harr: 0x2194, leftrightarrow: 0x2194, LeftRightArrow: 0x2194, varr: 0x2195, nwarr: 0x2196, nearr: 0x2197, searr: 0x2198, swarr: 0x2199,
  crarr: 0x21b5, rlarr: 0x21c4, lrarr: 0x21c6, lrhar: 0x21cb, rlhar: 0x21cc, rightleftharpoons: 0x21cc,
  lArr: 0x21d0, Leftarrow: 0x21d0, uArr: 0x21d1, Uparrow: 0x21d1, rArr: 0x21d2, Rightarrow: 0x21d2, Implies: 0x21d2,
  dArr: 0x21d3, Downarrow: 0x21d3, hArr: 0x21d4, iff: 0x21d4, Leftrightarrow: 0x21d4,
  // mathematical operators
  forall: 0x2200, comp: 0x2201, part: 0x2202, exist: 0x2203, nexist: 0x2204, empty: 0x2205, emptyset: 0x2205, emptyv: 0x2205,
  nabla: 0x2207, Del: 0x2207, isin: 0x2208, isinv: 0x2208, in: 0x2208, notin: 0x2209, ni: 0x220b, niv: 0x220b,
  prod: 0x220f, coprod: 0x2210, sum: 0x2211, minus: 0x2212, mp: 0x2213, mnplus: 0x2213, plusdo: 0x2214, setminus: 0x2216,
  lowast: 0x2217, compfn: 0x2218, radic: 0x221a, Sqrt: 0x221a, prop: 0x221d, propto: 0x221d, vprop: 0x221d, infin: 0x221e,
  ang: 0x2220, angle: 0x2220, mid: 0x2223, nmid: 0x2224, par: 0x2225, parallel: 0x2225, npar: 0x2226,
  and: 0x2227, wedge: 0x2227, or: 0x2228, vee: 0x2228, cap: 0x2229, cup: 0x222a, int: 0x222b, Integral: 0x222b, conint: 0x222e, oint: 0x222e,
  there4: 0x2234, therefore: 0x2234, Therefore: 0x2234, becaus: 0x2235, because: 0x2235, Because: 0x2235, ratio: 0x2236, Colon: 0x2237,
  sim: 0x223c, thksim: 0x223c, Tilde: 0x223c, bsim: 0x223d, nsim: 0x2241, sime: 0x2243, simeq: 0x2243, cong: 0x2245, TildeFullEqual: 0x2245,
  asymp: 0x2248, ap: 0x2248, approx: 0x2248, thkap: 0x2248, TildeTilde: 0x2248, nap: 0x2249, approxeq: 0x224a, ape: 0x224a,
  ne: 0x2260, NotEqual: 0x2260, equiv: 0x2261, Congruent: 0x2261, nequiv: 0x2262,
  le: 0x2264, leq: 0x2264, ge: 0x2265, geq: 0x2265, GreaterEqual: 0x2265, lE: 0x2266, leqq: 0x2266, gE: 0x2267, geqq: 0x2267,
  ll: 0x226a, Lt: 0x226a, NestedLessLess: 0x226a, gg: 0x226b, Gt: 0x226b, NestedGreaterGreater: 0x226b,
  nlt: 0x226e, nless: 0x226e, ngt: 0x226f, ngtr: 0x226f, nle: 0x2270, nge: 0x2271,
  lsim: 0x2272, lesssim: 0x2272, gsim: 0x2273, gtrsim: 0x2273,
  sub: 0x2282, subset: 0x2282, sup: 0x2283, supset: 0x2283, Superset: 0x2283, nsub: 0x2284, nsup: 0x2285,
  sube: 0x2286, subseteq: 0x2286, supe: 0x2287, supseteq: 0x2287,
  oplus: 0x2295, CirclePlus: 0x2295, ominus: 0x2296, CircleMinus: 0x2296, otimes: 0x2297, CircleTimes: 0x2297, odot: 0x2299, CircleDot: 0x2299,
  perp: 0x22a5, bottom: 0x22a5, bot: 0x22a5, UpTee: 0x22a5, sdot: 0x22c5,
  les: 0x2a7d, leqslant: 0x2a7d, ges: 0x2a7e, geqslant: 0x2a7e,
  lceil: 0x2308, LeftCeiling: 0x2308, rceil: 0x2309, RightCeiling: 0x2309, lfloor: 0x230a, LeftFloor: 0x230a, rfloor: 0x230b, RightFloor: 0x230b,
  lang: 0x27e8, langle: 0x27e8, LeftAngleBracket: 0x27e8, rang: 0x27e9, rangle: 0x27e9, RightAngleBracket: 0x27e9,
  // shapes and marks
  loz: 0x25ca, lozenge: 0x25ca, squ: 0x25a1, square: 0x25a1, Square: 0x25a1, squf: 0x25aa, blacksquare: 0x25aa,
  cir: 0x25cb, starf: 0x2605, bigstar: 0x2605, star: 0x2606, phone: 0x260e, female: 0x2640, male: 0x2642,
  spades: 0x2660, spadesuit: 0x2660, clubs: 0x2663, clubsuit: 0x2663, hearts: 0x2665, heartsuit: 0x2665, diams: 0x2666, diamondsuit: 0x2666,
  sung: 0x266a, flat: 0x266d, natural: 0x266e, sharp: 0x266f, check: 0x2713, checkmark: 0x2713, cross: 0x2717,
  malt: 0x2720, maltese: 0x2720, sext: 0x2736,
};

/** The named-entity table: name (without `&` and `;`, case-sensitive as in HTML5) -> decoded text. */
export const HTML_ENTITIES: ReadonlyMap<string, string> = buildTable();

function buildTable(): Map<string, string> {
  const t = new Map<string, string>();
  LATIN1.forEach((name, i) => t.set(name, String.fromCodePoint(0xa0 + i)));
  GREEK_UPPER.forEach((name, i) => name && t.set(name, String.fromCodePoint(0x391 + i)));
  GREEK_LOWER.forEach((name, i) => t.set(name, String.fromCodePoint(0x3b1 + i)));
  for (const [name, cp] of Object.entries(OTHER)) t.set(name, String.fromCodePoint(cp));
  return t;
}

// WHATWG numeric-reference fix-ups: 0x80..0x9F are read as Windows-1252 (0 = undefined there: kept as is).
const CP1252 = [
  0x20ac, 0, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0, 0x17d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0, 0x17e, 0x178,
];

/** Maps a C1 code point (0x80..0x9F) to its Windows-1252 character, or "" where Windows-1252 leaves it undefined. */
export function cp1252Char(cp: number): string {
  const m = CP1252[cp - 0x80];
  return m ? String.fromCodePoint(m) : "";
}

/** The text of a numeric character reference, as WHATWG decodes it (NUL, surrogates and > U+10FFFF give U+FFFD). */
export function numericReference(cp: number): string {
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return "\ufffd";
  if (cp >= 0x80 && cp <= 0x9f) {
    const m = CP1252[cp - 0x80];
    return String.fromCodePoint(m || cp);
  }
  return String.fromCodePoint(cp);
}

// `&name;`, `&#123;`, `&#x1F;`, and the legacy semicolon-less `&lt` `&gt` `&amp` `&quot` when no letter,
// digit or `;` follows (as in "P&lt.001"); numeric references need their `;`.
const ENTITY_RE = /&(?:#([0-9]{1,8});|#[xX]([0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]{0,31});|(lt|gt|amp|quot|LT|GT|AMP|QUOT)(?![A-Za-z0-9;]))/g;

/** Decodes the HTML character references in `s` once (named from HTML_ENTITIES, decimal, hex); unknown names stay. */
export function decodeHtmlEntities(s: string): string {
  if (s.indexOf("&") < 0) return s;
  return s.replace(ENTITY_RE, (m, dec?: string, hex?: string, name?: string, legacy?: string) => {
    if (dec !== undefined) return numericReference(parseInt(dec, 10));
    if (hex !== undefined) return numericReference(parseInt(hex, 16));
    return HTML_ENTITIES.get((name ?? legacy) as string) ?? m;
  });
}
