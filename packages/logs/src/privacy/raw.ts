/**
 * Personal data in a rejected record's raw text (a record that could not
 * become an entry, possibly truncated or not JSON at all, kept for the
 * operator). Its structure cannot be trusted, so every JSON string in it is
 * masked (not only the question fields an entry's are), and the text between
 * strings too; the value of a client-address key (`"x-forwarded-for": "..."`,
 * `"remoteAddress": "..."`, `"forwarded": "for=..."`) is anonymized like an
 * entry's. Strings are decoded before masking and re-encoded only when
 * something changed, so escapes ("\n07700 900123") do not hide a value and a
 * JSON record stays JSON. One pass, linear in the text.
 */
import type { Privacy } from "./index";
import { anonymizeIpValue, ipKeyKind, type IpKeyKind } from "./ip";

/** End (exclusive) of the JSON string starting at `from` (a quote); the text's end when it is cut off. */
function stringEnd(text: string, from: number): { end: number; closed: boolean } {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++; // backslash: skip the escaped character
    else if (c === 34) return { end: i + 1, closed: true };
  }
  return { end: text.length, closed: false };
}

function decode(body: string): string | null {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return null;
  }
}

/** Masks one string's body (between its quotes), as raw JSON text. */
function maskBody(body: string, kind: IpKeyKind, privacy: Privacy): string {
  const decoded = body.includes("\\") ? decode(body) : body;
  // A body that does not decode (cut off inside an escape, a bad escape): masked as it is.
  const value = decoded ?? body;
  const masked = kind !== null ? (anonymizeIpValue(kind, value, privacy.ip) as string) : privacy.text(value);
  if (masked === value) return body;
  return decoded === null ? masked : JSON.stringify(masked).slice(1, -1);
}

const KEY_TO_VALUE_RE = /^\s*:\s*$/;
const COLON_AFTER_RE = /^\s*:/;

/** Masks personal data and anonymizes client addresses in raw record text (see the module comment). */
export function maskRawText(text: string, privacy: Privacy): string {
  let out = "";
  let from = 0;
  /** The address kind of the key just read, while only its colon has followed. */
  let pendingKind: IpKeyKind = null;
  let pendingEnd = -1;
  for (;;) {
    const quote = text.indexOf('"', from);
    const gapEnd = quote === -1 ? text.length : quote;
    const gap = text.slice(from, gapEnd);
    out += privacy.text(gap);
    if (quote === -1) break;
    const { end, closed } = stringEnd(text, quote);
    const body = text.slice(quote + 1, closed ? end - 1 : end);
    const isKey = closed && COLON_AFTER_RE.test(text.slice(end, end + 16));
    let kind: IpKeyKind = null;
    if (!isKey && pendingKind !== null && pendingEnd >= 0 && KEY_TO_VALUE_RE.test(text.slice(pendingEnd, quote))) kind = pendingKind;
    out += `"${maskBody(body, kind, privacy)}${closed ? '"' : ""}`;
    if (isKey) {
      const name = body.includes("\\") ? (decode(body) ?? body) : body;
      pendingKind = ipKeyKind(name);
      pendingEnd = end;
    } else {
      pendingKind = null;
    }
    from = end;
  }
  return out;
}
