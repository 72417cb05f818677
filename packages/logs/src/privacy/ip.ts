/**
 * Client IP addresses (`x-forwarded-for`, `req.remoteAddress`, `forwarded:
 * for=...` and the other client-address headers) are personal data: they are
 * stored either truncated (IPv4 to its /24, IPv6 to its /48: enough for
 * "which network", not "which person") or as a keyed hash (HMAC-SHA256 with a
 * secret key, so the same address always gives the same value and distinct
 * clients can still be counted, but the address cannot be recovered without
 * the key). Pure: node:crypto's HMAC, no I/O.
 */
import { createHmac } from "node:crypto";

export type IpMode = "truncate" | "hash";

/** What is stored for a client address that cannot be parsed (so nothing unknown is kept). */
export const IP_PLACEHOLDER = "[ip]";
/** Prefix of a hashed address: `ip:` + 16 hex digits of the HMAC. */
export const IP_HASH_PREFIX = "ip:";

const HASHED_RE = /^ip:[0-9a-f]{16}$/;

/** Header (or field) names holding client addresses, normalized: lower case, no `-`, `_`, `.` or spaces. */
const CLIENT_ADDRESS_KEYS: ReadonlySet<string> = new Set([
  "xrealip",
  "cfconnectingip",
  "cfconnectingipv6",
  "trueclientip",
  "xclientip",
  "fastlyclientip",
  "xclusterclientip",
  "xenvoyexternaladdress",
  "remoteaddress",
  "remoteaddr",
  "clientip",
  "clientaddress",
]);

/** How a key's value holds addresses: a comma-separated list, an RFC 7239 `Forwarded` header, or not at all. */
export type IpKeyKind = "list" | "forwarded" | null;

const ipKeyCache = new Map<string, IpKeyKind>();

/** Whether the value under `key` holds client addresses (`x-forwarded-for`, any `*-forwarded-for`, `x-real-ip`, `remoteAddress`...). */
export function ipKeyKind(key: string): IpKeyKind {
  // Every such name ends in one of r d p s 6 ("...-for", "forwarded", "...-ip", "...address", "...-ipv6"): most header names are rejected here, without a lookup.
  const last = key.charCodeAt(key.length - 1) | 32;
  if (last !== 114 && last !== 100 && last !== 112 && last !== 115 && last !== 54) return null;
  const cached = ipKeyCache.get(key);
  if (cached !== undefined) return cached;
  const n = key.toLowerCase().replace(/[-_.\s]/g, "");
  const kind: IpKeyKind = n === "forwarded" ? "forwarded" : n.endsWith("forwardedfor") || CLIENT_ADDRESS_KEYS.has(n) ? "list" : null;
  if (ipKeyCache.size < 10_000) ipKeyCache.set(key, kind);
  return kind;
}

// ---------------------------------------------------------------------------
// Parsing

interface ParsedIp {
  v4: [number, number, number, number] | null;
  /** Eight 16-bit groups (IPv6, including IPv4-mapped forms). */
  v6: number[] | null;
  /** The IPv4 address was written as `::ffff:a.b.c.d`. */
  mapped: boolean;
}

function parseV4(s: string): [number, number, number, number] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const parts = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  return parts.every((p) => p <= 255) ? parts : null;
}

function parseV6(s: string): number[] | null {
  let text = s;
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return null;
  let tail: number[] = [];
  if (text.includes(".")) {
    // An embedded IPv4 address ends the text: "::ffff:10.0.1.158", "64:ff9b::192.0.2.33".
    const lastColon = text.lastIndexOf(":");
    if (lastColon === -1) return null;
    const v4 = parseV4(text.slice(lastColon + 1));
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const double = text.indexOf("::");
  if (double !== -1 && text.indexOf("::", double + 1) !== -1) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (double === -1) {
    const all = groupsOf(text);
    if (!all) return null;
    groups = [...all, ...tail];
    if (groups.length !== 8) return null;
  } else {
    const head = groupsOf(text.slice(0, double));
    const rest = groupsOf(text.slice(double + 2));
    if (!head || !rest) return null;
    const known = head.length + rest.length + tail.length;
    if (known > 7) return null;
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  }
  return groups;
}

/** Strips what surrounds an address in headers: quotes, `[...]` brackets, a port. */
function bareAddress(raw: string): string {
  let s = raw.trim();
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1).trim();
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    return close === -1 ? s.slice(1) : s.slice(1, close);
  }
  // "203.0.113.7:51234": one colon after an IPv4 address is a port.
  const colon = s.indexOf(":");
  if (colon !== -1 && colon === s.lastIndexOf(":") && /^\d{1,3}(?:\.\d{1,3}){3}$/.test(s.slice(0, colon))) return s.slice(0, colon);
  return s;
}

function parseIp(raw: string): ParsedIp | null {
  const s = bareAddress(raw);
  const v4 = parseV4(s);
  if (v4) return { v4, v6: null, mapped: false };
  const v6 = parseV6(s);
  if (!v6) return null;
  const isMapped = v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff;
  if (isMapped) {
    return { v4: [v6[6]! >> 8, v6[6]! & 255, v6[7]! >> 8, v6[7]! & 255], v6, mapped: true };
  }
  return { v4: null, v6, mapped: false };
}

// ---------------------------------------------------------------------------
// One address

/** IPv4 to its /24 ("203.0.113.0"), IPv6 to its /48 ("2001:db8:85a3::"); an IPv4-mapped address keeps its form ("::ffff:10.0.1.0"). */
export function truncateIp(raw: string): string | null {
  const ip = parseIp(raw);
  if (!ip) return null;
  if (ip.v4) {
    const v4 = `${ip.v4[0]}.${ip.v4[1]}.${ip.v4[2]}.0`;
    return ip.mapped ? `::ffff:${v4}` : v4;
  }
  const g = ip.v6!;
  const head = [g[0]!, g[1]!, g[2]!];
  while (head.length > 0 && head[head.length - 1] === 0) head.pop();
  return `${head.map((x) => x.toString(16)).join(":")}::`;
}

/** The canonical text hashed: IPv4 dotted (also for IPv4-mapped IPv6), IPv6 as eight full groups. */
function canonicalIp(ip: ParsedIp): string {
  if (ip.v4) return ip.v4.join(".");
  return ip.v6!.map((g) => g.toString(16).padStart(4, "0")).join(":");
}

/** `ip:` + the first 16 hex digits of HMAC-SHA256(key, canonical address); the same address in any notation gives the same value. */
export function hashIp(raw: string, key: string): string | null {
  const ip = parseIp(raw);
  if (!ip) return null;
  return IP_HASH_PREFIX + createHmac("sha256", key).update(canonicalIp(ip)).digest("hex").slice(0, 16);
}

// ---------------------------------------------------------------------------
// Header values

/** Turns one address, as the configured mode wants it. */
export type IpAnonymizer = (address: string) => string;

/** Builds the function applied to every address: truncation, or the keyed hash (results cached, bounded). */
export function makeIpAnonymizer(mode: IpMode, hashKey?: string): IpAnonymizer {
  if (mode === "hash" && (hashKey === undefined || hashKey === "")) throw new Error("the IP hash mode needs a key (PRIVACY_IP_HASH_KEY)");
  const cache = new Map<string, string>();
  return (address: string): string => {
    const hit = cache.get(address);
    if (hit !== undefined) return hit;
    const trimmed = address.trim();
    let out: string;
    if (trimmed === "" || trimmed.toLowerCase() === "unknown" || (trimmed.startsWith("_") && /^_[\w.-]+$/.test(trimmed))) {
      out = trimmed; // RFC 7239: "unknown" and obfuscated identifiers are not addresses
    } else if (HASHED_RE.test(trimmed)) {
      out = trimmed; // already hashed
    } else {
      out = (mode === "hash" ? hashIp(trimmed, hashKey!) : truncateIp(trimmed)) ?? IP_PLACEHOLDER;
    }
    if (cache.size >= 10_000) cache.clear();
    cache.set(address, out);
    return out;
  };
}

/** A comma-separated list of addresses ("203.0.113.7, 198.51.100.2:443, 2001:db8::1"): each one anonymized. */
export function anonymizeIpList(value: string, anonymize: IpAnonymizer): string {
  if (!value.includes(",")) return anonymize(value);
  return value.split(",").map((part) => anonymize(part)).join(", ");
}

/** A `for=` value as RFC 7239 wants it: a token, else a quoted string (IPv6 in brackets). */
function forwardedValue(out: string): string {
  if (/^[\w.-]+$/.test(out)) return out;
  if (out.includes(":") && !out.startsWith(IP_HASH_PREFIX)) return `"[${out}]"`;
  return `"${out}"`;
}

/** An RFC 7239 `Forwarded` header: the `for=` addresses anonymized, other parameters kept. */
export function anonymizeForwarded(value: string, anonymize: IpAnonymizer): string {
  return value.split(",").map((element) =>
    element.split(";").map((pair) => {
      const eq = pair.indexOf("=");
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== "for") return pair;
      return `${pair.slice(0, eq + 1)}${forwardedValue(anonymize(pair.slice(eq + 1)))}`;
    }).join(";"),
  ).join(",");
}

/** The value stored under a client-address key: strings are anonymized, arrays element by element; anything else is kept. */
export function anonymizeIpValue(kind: Exclude<IpKeyKind, null>, value: unknown, anonymize: IpAnonymizer): unknown {
  if (typeof value === "string") return kind === "forwarded" ? anonymizeForwarded(value, anonymize) : anonymizeIpList(value, anonymize);
  if (Array.isArray(value)) return value.map((v) => anonymizeIpValue(kind, v, anonymize));
  return value;
}
