/**
 * Personal data at ingest: what the log model does to the text investors
 * type (pii.ts) and to client addresses (ip.ts) before an entry, a question
 * or a rejected record is stored. The log model takes the settings as
 * options; the ingest reads them from the environment (PRIVACY_MASK_PII,
 * PRIVACY_IP_MODE, PRIVACY_IP_HASH_KEY) and passes them down.
 */
import { makeIpAnonymizer, type IpAnonymizer, type IpMode } from "./ip";
import { maskPii } from "./pii";

export * from "./pii";
export * from "./ip";
export { maskRawText } from "./raw";

export interface PrivacyOptions {
  /** Mask emails, phone numbers, IBANs, card numbers and NI numbers in questions, answers, messages and errors (default true). */
  maskPii?: boolean;
  /** Client addresses truncated (IPv4 /24, IPv6 /48; the default) or replaced by a keyed hash. */
  ipMode?: IpMode;
  /** The HMAC key of `ipMode: "hash"` (required then). A secret: never logged. */
  ipHashKey?: string;
}

/** What a run uses when given nothing: personal data masked, addresses truncated. */
export const DEFAULT_PRIVACY: Readonly<PrivacyOptions> = Object.freeze({ maskPii: true, ipMode: "truncate" });

/** Options turned into the functions applied on the hot path (built once per options object). */
export interface Privacy {
  readonly maskPii: boolean;
  /** Masks free text when masking is on; the identity otherwise. */
  readonly text: (text: string) => string;
  readonly ip: IpAnonymizer;
}

const compiled = new WeakMap<object, Privacy>();

/** The compiled form of `options` (cached per object). Throws when the hash mode has no key. */
export function resolvePrivacy(options: PrivacyOptions = DEFAULT_PRIVACY): Privacy {
  const hit = compiled.get(options);
  if (hit) return hit;
  const mask = options.maskPii ?? true;
  const privacy: Privacy = {
    maskPii: mask,
    text: mask ? maskPii : (t) => t,
    ip: makeIpAnonymizer(options.ipMode ?? "truncate", options.ipHashKey),
  };
  compiled.set(options, privacy);
  return privacy;
}
