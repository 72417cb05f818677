/**
 * Personal data the generator plants, the way investors type it into the bot
 * ("... My email is jane.doe7@example.com.") and the way the service logs
 * client addresses (`x-forwarded-for`, `req.remoteAddress`). Every value is
 * recorded in the truth (`plantedPersonalData`), so a test can check that
 * none of them is stored; a question's truth record holds its text as it is
 * expected to be stored: the value replaced by its placeholder, written here
 * by substitution, not by the log model's masking.
 *
 * Values are fake and valid where a check exists (IBANs pass mod-97, cards
 * pass Luhn, NI prefixes follow HMRC's rules), in ranges set aside for
 * fiction or documentation where there are some (Ofcom's 07700 900xxx and
 * 020 7946 0xxx, North American 555-01xx, example.com, 2001:db8::/32).
 */
import { CARD_PLACEHOLDER, EMAIL_PLACEHOLDER, IBAN_PLACEHOLDER, NI_NUMBER_PLACEHOLDER, PHONE_PLACEHOLDER } from "@log-insights/logs";
import type { Rng } from "./prng";

export type PersonalDataKind = "email" | "phone" | "iban" | "card" | "niNumber" | "ip";

export interface PlantedPersonalData {
  kind: PersonalDataKind;
  /** The raw value as written to the files. */
  value: string;
}

/** Every personal value written to the bucket, each once (the same client address recurs). */
export class PersonalDataRegistry {
  readonly list: PlantedPersonalData[] = [];
  private readonly seen = new Set<string>();

  /** A new value of `kind` (distinct from every value planted before). */
  plantNew(kind: PersonalDataKind, make: () => string): string {
    for (let i = 0; ; i++) {
      const value = make();
      if (this.seen.has(value) && i < 100) continue;
      this.record(kind, value);
      return value;
    }
  }

  /** Records a value that may have been seen already (client addresses). */
  record(kind: PersonalDataKind, value: string): void {
    if (this.seen.has(value)) return;
    this.seen.add(value);
    this.list.push({ kind, value });
  }
}

const FIRST = ["jane", "omar", "aisha", "tom", "priya", "yusuf", "sarah", "ben", "fatima", "li"];
const LAST = ["doe", "khan", "smith", "patel", "ahmed", "jones", "begum", "taylor", "ali", "wong"];
const DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk"];

function digits(r: Rng, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += String(r.int(0, 9));
  return out;
}

export function fakeEmail(r: Rng): string {
  const sep = r.pick([".", "_", ""]);
  return `${r.pick(FIRST)}${sep}${r.pick(LAST)}${r.int(1, 999)}@${r.pick(DOMAINS)}`;
}

export function fakePhone(r: Rng): string {
  switch (r.int(0, 5)) {
    case 0:
      return `07700 900${digits(r, 3)}`;
    case 1:
      return `07700900${digits(r, 3)}`;
    case 2:
      return `020 7946 0${digits(r, 3)}`;
    case 3:
      return `+44 7700 900${digits(r, 3)}`;
    case 4:
      return `+44 (0)20 7946 0${digits(r, 3)}`;
    default:
      return `(${r.pick(["201", "312", "415", "646"])}) 555-01${digits(r, 2)}`;
  }
}

/** ISO 7064 mod 97-10 remainder of a string of digits and upper-case letters (letters as 10-35). */
function mod97(s: string): number {
  let rem = 0;
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    rem = c >= 65 ? (rem * 100 + (c - 55)) % 97 : (rem * 10 + (c - 48)) % 97;
  }
  return rem;
}

/** A UK IBAN with valid check digits, grouped in fours (or not). */
export function fakeIban(r: Rng): string {
  const bban = `${r.pick(["WEST", "NWBK", "BARC", "MIDL"])}${digits(r, 14)}`;
  const check = String(98 - mod97(`${bban}GB00`)).padStart(2, "0");
  const iban = `GB${check}${bban}`;
  return r.chance(0.5) ? iban.replace(/(.{4})(?=.)/g, "$1 ") : iban;
}

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = payload.charCodeAt(payload.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** A Visa/Mastercard-like 16-digit number, or an Amex-like 15-digit one, passing Luhn; spaced, dashed or contiguous. */
export function fakeCard(r: Rng): string {
  if (r.chance(0.2)) {
    const payload = `37${digits(r, 12)}`;
    const n = payload + String(luhnCheckDigit(payload));
    return `${n.slice(0, 4)} ${n.slice(4, 10)} ${n.slice(10)}`;
  }
  const payload = `${r.pick(["4", "51", "55"])}`;
  const body = payload + digits(r, 15 - payload.length);
  const n = body + String(luhnCheckDigit(body));
  const sep = r.pick([" ", "-", ""]);
  return sep === "" ? n : n.replace(/(\d{4})(?=\d)/g, `$1${sep}`);
}

/** HMRC's allocation rules: first letter not D F I Q U V, second not D F I O Q U V, and not BG GB KN NK NT TN ZZ. */
const NI_FIRST = "ABCEGHJKLMNOPRSTWXYZ";
const NI_SECOND = "ABCEGHJKLMNPRSTWXYZ";
const NI_BAD = new Set(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]);

export function fakeNiNumber(r: Rng): string {
  let prefix: string;
  do prefix = r.pick([...NI_FIRST]) + r.pick([...NI_SECOND]);
  while (NI_BAD.has(prefix));
  const d = digits(r, 6);
  const suffix = r.pick(["A", "B", "C", "D"]);
  return r.chance(0.5) ? `${prefix} ${d.slice(0, 2)} ${d.slice(2, 4)} ${d.slice(4)} ${suffix}` : `${prefix}${d}${suffix}`;
}

interface Template {
  kind: Exclude<PersonalDataKind, "ip">;
  make: (r: Rng) => string;
  placeholder: string;
  /** `{v}` is the value. */
  sentences: string[];
}

const TEMPLATES: readonly Template[] = [
  { kind: "email", make: fakeEmail, placeholder: EMAIL_PLACEHOLDER, sentences: ["My email is {v}.", "Please email me at {v}", "(my email: {v})"] },
  { kind: "phone", make: fakePhone, placeholder: PHONE_PLACEHOLDER, sentences: ["You can call me on {v}.", "My number is {v}", "Call me back on {v} please."] },
  { kind: "iban", make: fakeIban, placeholder: IBAN_PLACEHOLDER, sentences: ["My IBAN is {v}.", "Can it go to {v}?"] },
  { kind: "card", make: fakeCard, placeholder: CARD_PLACEHOLDER, sentences: ["My card number is {v}.", "Can I use card {v}?"] },
  { kind: "niNumber", make: fakeNiNumber, placeholder: NI_NUMBER_PLACEHOLDER, sentences: ["My NI number is {v}.", "NI number {v}"] },
];

/**
 * With probability `rate`, the user adds personal data to the question:
 * returns the text as typed (written to the files) and as it is expected to
 * be stored (the truth's `question`). `r` is the session's own stream for
 * personal data, so the rest of the bucket does not change with the rate.
 */
export function withPersonalData(text: string, r: Rng, rate: number, registry: PersonalDataRegistry): { typed: string; stored: string } {
  if (rate <= 0 || !r.chance(rate)) return { typed: text, stored: text };
  const t = r.pick(TEMPLATES);
  const value = registry.plantNew(t.kind, () => t.make(r));
  const sentence = r.pick(t.sentences);
  const join = (v: string) => `${text} ${sentence.replace("{v}", v)}`;
  return { typed: join(value), stored: join(t.placeholder) };
}

/**
 * A bot request's `x-forwarded-for`: mostly the client alone (as today), sometimes
 * "client, proxy" or a client on IPv6 (documentation ranges). Drawn from the
 * personal-data stream; every address is recorded.
 */
export function forwardedFor(client: string, r: Rng, registry: PersonalDataRegistry): string {
  const roll = r.next();
  let value = client;
  if (roll < 0.05) {
    const v6 = `2001:db8:${r.hex(4)}:${r.hex(4)}::${r.hex(3)}`;
    registry.record("ip", v6);
    value = v6;
  } else if (roll < 0.1) {
    const proxy = `198.51.100.${r.int(1, 254)}`;
    registry.record("ip", client);
    registry.record("ip", proxy);
    value = `${client}, ${proxy}`;
  } else {
    registry.record("ip", client);
  }
  return value;
}
