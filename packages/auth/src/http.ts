/**
 * HTTP rules shared by the API and the dashboard's server (both import
 * them, so both apply the same): the Host allow-list, HTTPS detection
 * behind a proxy, the client's address, and the session cookie's attributes.
 */

export interface HttpSettings {
  /** Lower-case host names, or host:port, that requests may be addressed to. */
  allowedHosts: readonly string[];
  /** Believe X-Forwarded-Proto and X-Forwarded-For (a reverse proxy in front sets them). */
  trustProxy: boolean;
  /** The public URL, when set: its scheme decides Secure cookies and HSTS. */
  publicUrl: string | null;
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** The allow-list: always the loopback names, PUBLIC_URL's host, and ALLOWED_HOSTS. */
export function allowedHostList(extra: readonly string[], publicUrl: string | null | undefined): string[] {
  const hosts = new Set<string>([...LOOPBACK, ...extra.map((h) => h.trim().toLowerCase()).filter(Boolean)]);
  if (publicUrl) hosts.add(new URL(publicUrl).host.toLowerCase());
  return [...hosts];
}

/**
 * True when the Host header names this service: a page on another name that
 * resolves to us (DNS rebinding) is refused. An entry matches the host with
 * any port ("localhost") or exactly ("insights.example.com:8443").
 */
export function hostAllowed(hostHeader: string | null, allowed: readonly string[]): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.trim().toLowerCase();
  if (allowed.includes("*")) return true;
  if (allowed.includes(host)) return true;
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!m) return false;
  return allowed.includes(m[1]!);
}

/** True when the request reached us over HTTPS (directly, or through a trusted proxy that says so). */
export function isHttps(url: string, headers: Pick<Headers, "get">, settings: Pick<HttpSettings, "trustProxy">): boolean {
  if (url.startsWith("https:")) return true;
  if (settings.trustProxy) {
    const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
    if (proto) return proto === "https";
  }
  return false;
}

/** The client's address as the socket saw it, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(socketAddress: string | null, headers: Pick<Headers, "get">, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return socketAddress;
}

/** HSTS for responses served over HTTPS: a year, subdomains included. */
export const HSTS_VALUE = "max-age=31536000; includeSubDomains";

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAgeSeconds: number;
  path?: string;
}

/** A Set-Cookie value: httpOnly, SameSite=Lax, Secure over HTTPS. */
export function setCookie(name: string, value: string, o: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? "/"}`, "HttpOnly", "SameSite=Lax", `Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`];
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}
