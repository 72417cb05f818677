/**
 * Entries from the service's other parts that land in the same files: API
 * request pairs (which also carry `processingTimeMs`), memory reports, slow
 * queries, payment errors, and the admin tool's cache invalidations.
 */
import { API_HOST, API_PATHS, CONTEXT, MSG, PAYMENT_ERRORS, RETOOL_USER_AGENT, USER_AGENTS_API } from "./catalogue";
import { isoTime, makeReq, type Entry } from "./entries";
import type { Rng } from "./prng";
import { pickLevel, pickTimeFields } from "./quirks";
import type { Deal, Proc, User, World } from "./world";

export function clientIp(r: Rng): string {
  return `203.0.113.${r.int(1, 254)}`;
}

export function remoteAddress(r: Rng): string {
  return `::ffff:10.0.${r.int(0, 255)}.${r.int(1, 254)}`;
}

/** A client address, recorded in the truth's personal data. */
export function planted(world: World, ip: string): string {
  world.personal.record("ip", ip);
  return ip;
}

export function traceId(r: Rng): string {
  return `Root=1-${r.hex(8)}-${r.hex(8)}-${r.hex(4)}-${r.hex(10)}`;
}

export function cookie(world: World, r: Rng, userId: number): string {
  const access = world.secrets.plant("access_token", () => r.uuid());
  const refresh = world.secrets.plant("refresh_token", () => r.uuid());
  return `auth_user_id=${userId}; access_token=${access}; refresh_token=${refresh}`;
}

function entry(r: Rng, t: number, level: 30 | 40 | 50, proc: Proc, req: ReturnType<typeof makeReq> | null, body: Record<string, unknown>): Entry {
  return { t, level: pickLevel(r, level), fields: pickTimeFields(r, true), pid: proc.pid, hostname: proc.hostname, req, body };
}

/** `Processing GET request for <path>` then `Request processed (GET <path>)` with its own latency. */
export function apiPair(world: World, r: Rng, t: number, user: User, proc: Proc): Entry[] {
  const path = r.pick(API_PATHS);
  let url: string = path;
  let query: Record<string, string> = {};
  if (r.chance(0.05)) {
    const token = world.secrets.plant("url_token", () => r.hex(40));
    url = `${path}?token=${token}`;
    query = { token };
  }
  const req = makeReq({
    id: r.int(1, 9999),
    method: "GET",
    url,
    query,
    headers: {
      "x-forwarded-for": planted(world, clientIp(r)),
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      host: API_HOST,
      "x-amzn-trace-id": traceId(r),
      "user-agent": r.pick(USER_AGENTS_API),
      cookie: cookie(world, r, user.id),
    },
    remoteAddress: planted(world, remoteAddress(r)),
    remotePort: r.int(1024, 65535),
  });
  const took = r.int(40, 450);
  return [
    entry(r, t, 30, proc, req, { context: CONTEXT.api, message: `Processing GET request for ${path}`, authUserId: user.id }),
    entry(r, t + took - r.int(0, 30), 30, proc, req, {
      context: CONTEXT.api,
      message: `Request processed (GET ${path})`,
      processingTimeMs: took,
      authUserId: user.id,
    }),
  ];
}

export function memoryUsage(r: Rng, t: number, proc: Proc): Entry {
  return entry(r, t, 30, proc, null, { context: CONTEXT.monitor, message: `Memory usage: ${r.int(240, 620)}MB` });
}

export function slowQuery(r: Rng, t: number, user: User, proc: Proc): Entry {
  return entry(r, t, 40, proc, null, {
    context: CONTEXT.db,
    message: MSG.slowQuery,
    queryTime: r.int(500, 4000),
    authUserId: user.id,
  });
}

export function paymentError(r: Rng, t: number, user: User, proc: Proc): Entry {
  return entry(r, t, 50, proc, null, {
    context: CONTEXT.payment,
    message: MSG.paymentError,
    error: r.pick(PAYMENT_ERRORS),
    authUserId: user.id,
  });
}

/** A few unrelated entries at times in [from, to]; `exclude` holds the bot users of the file. */
export function noiseBetween(world: World, r: Rng, from: number, to: number, count: number, exclude: ReadonlySet<number>): Entry[] {
  const out: Entry[] = [];
  const proc = r.pick(world.apiProcs);
  for (let i = 0; i < count; i++) {
    const kind = r.weighted(["api", "monitor", "slow", "payment"] as const, [55, 20, 15, 10]);
    const t = from + Math.floor(r.next() * Math.max(1, to - from - 500));
    if (kind === "api") out.push(...apiPair(world, r, t, world.pickUser(r, exclude), proc));
    else if (kind === "monitor") out.push(memoryUsage(r, t, proc));
    else if (kind === "slow") out.push(slowQuery(r, t, world.pickUser(r, exclude), proc));
    else out.push(paymentError(r, t, world.pickUser(r, exclude), proc));
  }
  out.sort((a, b) => a.t - b.t);
  return out;
}

/** The admin tool (Retool) invalidating a deal's cached context: level "info", no `time`. */
export function adminInvalidation(world: World, r: Rng, t: number, deal: Deal, proc: Proc): Entry {
  const bearer = world.secrets.plant("authorization", () => r.hex(64));
  const accessToken = world.secrets.plant("access_token_header", () => r.hex(48));
  const traceHex = r.hex(8);
  const spanHex = r.hex(16);
  const req = makeReq({
    id: r.int(1, 999),
    method: "PUT",
    url: "/admin/deals",
    query: {},
    params: { "0": "admin/deals" },
    headers: {
      "x-forwarded-for": planted(world, clientIp(r)),
      "x-forwarded-proto": "https",
      "x-forwarded-port": "443",
      host: API_HOST,
      "x-amzn-trace-id": `Root=1-${traceHex}-${r.hex(24)}`,
      "content-length": String(r.int(2000, 9000)),
      "user-agent": RETOOL_USER_AGENT,
      "content-type": "application/json",
      authorization: `Bearer ${bearer}`,
      "x-application-id": "retool",
      access_token: accessToken,
      "ot-baggage-requestid": "undefined",
      "x-datadog-trace-id": r.digits(19),
      "x-datadog-parent-id": r.digits(19),
      "x-datadog-sampling-priority": "0",
      "x-datadog-tags": `_dd.p.tid=${traceHex}00000000`,
      traceparent: `00-${traceHex}00000000${r.hex(16)}-${spanHex}-00`,
      tracestate: `dd=t.tid:${traceHex}00000000;t.dm:-1;s:0;p:${spanHex}`,
      "x-retool-forwarded-for": planted(world, clientIp(r)),
      accept: "*/*",
      "accept-encoding": "gzip,deflate",
    },
    remoteAddress: planted(world, remoteAddress(r)),
    remotePort: r.int(1024, 65535),
  });
  return {
    t,
    level: "info",
    fields: "none",
    pid: proc.pid,
    hostname: proc.hostname,
    req,
    body: {
      context: CONTEXT.bot,
      message: MSG.invalidated,
      dealId: deal.id,
      cacheKey: `deal-bot:${deal.id}`,
      timestamp: isoTime(t),
    },
  };
}
