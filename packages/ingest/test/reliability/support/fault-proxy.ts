/**
 * An HTTP proxy for reliability tests that sits in front of a real
 * S3-compatible server (s3rver) and injects faults, request by request, from
 * a seeded random schedule:
 *
 * - `error500` / `error503`: an S3 XML error (InternalError, SlowDown,
 *   ServiceUnavailable) instead of forwarding the request;
 * - `slow`: the response headers delayed, then the body trickled in small
 *   chunks with pauses;
 * - `reset`: the headers and part of the body, then the socket reset (RST);
 * - `truncated`: a Content-Length promised, fewer bytes sent, then the
 *   connection closed (FIN).
 *
 * Counts what it injected, by kind. Loopback only. `setRates` changes the
 * odds on the fly (e.g. no faults for setup, or for a final clean run).
 */
import http from "node:http";
import type net from "node:net";
import { prng } from "../../support/streams";

export type FaultKind = "error500" | "error503" | "slow" | "reset" | "truncated";
export const FAULT_KINDS: readonly FaultKind[] = ["error500", "error503", "slow", "reset", "truncated"];

/** Probability of each fault per request (the rest pass untouched). */
export type FaultRates = Partial<Record<FaultKind, number>>;

export interface FaultProxyOptions {
  target: { host: string; port: number };
  seed: number;
  rates: FaultRates;
  /** Delay before the headers of a slow response, ms (drawn in [min, max]). Default 200-1500. */
  slowHeadersMs?: [number, number];
  /** Pause between trickled chunks of a slow body, ms. Default 20. */
  trickleMs?: number;
  /** Bytes per trickled chunk. Default 4 KiB. */
  trickleBytes?: number;
  /** Which requests may get body faults (reset, truncated); others pass. Default: GETs of objects (not listings). */
  bodyFaultsOn?: (req: http.IncomingMessage) => boolean;
}

export interface FaultCounts extends Record<FaultKind, number> {
  /** Requests seen. */
  requests: number;
  /** Requests forwarded untouched. */
  passed: number;
}

export interface FaultProxy {
  endpoint: string;
  /** What was injected so far (a copy). */
  counts(): FaultCounts;
  /** Faults injected so far, all kinds. */
  injected(): number;
  setRates(rates: FaultRates): void;
  /** An outage: every request gets a 503 (SlowDown / ServiceUnavailable) for this long, counted in error503. */
  outage(ms: number): void;
  stop(): Promise<void>;
}

const S3_ERRORS: Record<"error500" | "error503", { code: string; message: string }[]> = {
  error500: [{ code: "InternalError", message: "We encountered an internal error. Please try again." }],
  error503: [
    { code: "SlowDown", message: "Please reduce your request rate." },
    { code: "ServiceUnavailable", message: "Service is unable to handle request." },
  ],
};

function s3ErrorXml(code: string, message: string, resource: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
    `<Resource>${resource.replace(/[<>&]/g, "")}</Resource><RequestId>FAULT${Date.now().toString(16)}</RequestId></Error>`;
}

/** An object GET (path-style `/bucket/key...`), not a listing (`/bucket?list-type=2`). */
function isObjectGet(req: http.IncomingMessage): boolean {
  if (req.method !== "GET") return false;
  const pathname = (req.url ?? "/").split("?")[0]!;
  return pathname.split("/").filter(Boolean).length >= 2;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const rnd = prng(opts.seed);
  let rates: FaultRates = { ...opts.rates };
  let outageUntil = 0;
  const counts: FaultCounts = { requests: 0, passed: 0, error500: 0, error503: 0, slow: 0, reset: 0, truncated: 0 };
  const [slowMin, slowMax] = opts.slowHeadersMs ?? [200, 1500];
  const trickleMs = opts.trickleMs ?? 20;
  const trickleBytes = opts.trickleBytes ?? 4096;
  const bodyFaultsOn = opts.bodyFaultsOn ?? isObjectGet;
  const sockets = new Set<net.Socket>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  /** Draws this request's fault from the schedule (one draw per request, so the sequence is the seed's). */
  const draw = (req: http.IncomingMessage): FaultKind | null => {
    const r = rnd();
    const extra = rnd();
    if (Date.now() < outageUntil) return "error503";
    let acc = 0;
    for (const kind of FAULT_KINDS) {
      acc += rates[kind] ?? 0;
      if (r < acc) {
        if ((kind === "reset" || kind === "truncated") && !bodyFaultsOn(req)) return extra < 0.5 ? "error503" : null;
        return kind;
      }
    }
    return null;
  };

  const server = http.createServer((req, res) => {
    counts.requests++;
    const fault = draw(req);
    const delay = slowMin + Math.floor(rnd() * (slowMax - slowMin + 1));
    const cutFraction = 0.1 + rnd() * 0.8;
    const which = rnd();
    if (fault === "error500" || fault === "error503") {
      counts[fault]++;
      const list = S3_ERRORS[fault];
      const e = list[Math.floor(which * list.length)]!;
      // Drain the request body (PUTs), then answer.
      req.resume();
      const body = s3ErrorXml(e.code, e.message, req.url ?? "/");
      res.writeHead(fault === "error500" ? 500 : 503, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (fault === null) counts.passed++;
    else counts[fault]++;

    const upstream = http.request({
      host: opts.target.host,
      port: opts.target.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    });
    upstream.on("error", () => res.destroy());
    req.on("aborted", () => upstream.destroy());
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
    upstream.on("response", (up) => {
      const headers = { ...up.headers };
      const length = Number(up.headers["content-length"] ?? NaN);
      const send = (): void => {
        res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
        if (fault === null) {
          up.pipe(res);
          return;
        }
        if (fault === "slow") {
          // At most ~50 pauses, so a large object is slow but not endless.
          trickle(up, res, Number.isFinite(length) ? Math.max(trickleBytes, Math.ceil(length / 50)) : trickleBytes, trickleMs);
          return;
        }
        // reset / truncated: send part of the body, then cut.
        const limit = Number.isFinite(length) && length > 0 ? Math.max(1, Math.floor(length * cutFraction)) : 1;
        let sent = 0;
        let cut = false;
        up.on("data", (chunk: Buffer) => {
          if (cut) return;
          const room = limit - sent;
          const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
          sent += part.length;
          const socket = res.socket;
          if (sent < limit) {
            res.write(part);
            return;
          }
          cut = true;
          up.destroy();
          res.write(part, () => {
            if (!socket) return;
            if (fault === "reset") socket.resetAndDestroy();
            else socket.end(); // FIN: the client sees fewer bytes than promised
          });
        });
        up.on("end", () => {
          // The whole body fit under the limit (tiny or no Content-Length): cut right after it anyway.
          if (cut) return;
          cut = true;
          const socket = res.socket;
          if (fault === "reset") socket?.resetAndDestroy();
          else socket?.destroy();
        });
      };
      if (fault === "slow") setTimeout(send, delay);
      else send();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    injected: () => FAULT_KINDS.reduce((n, k) => n + counts[k], 0),
    setRates(next: FaultRates) {
      rates = { ...next };
    },
    outage(ms: number) {
      outageUntil = Date.now() + ms;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Pipes a body in small chunks with pauses (backpressure respected). */
function trickle(from: http.IncomingMessage, to: http.ServerResponse, bytes: number, pauseMs: number): void {
  const queue: Buffer[] = [];
  let ended = false;
  let busy = false;
  const pump = (): void => {
    if (busy) return;
    const next = queue.shift();
    if (!next) {
      if (ended) to.end();
      else from.resume();
      return;
    }
    busy = true;
    const chunk = next.length > bytes ? next.subarray(0, bytes) : next;
    if (next.length > bytes) queue.unshift(next.subarray(bytes));
    to.write(chunk);
    setTimeout(() => {
      busy = false;
      pump();
    }, pauseMs);
  };
  from.on("data", (d: Buffer) => {
    queue.push(d);
    from.pause();
    pump();
  });
  from.on("end", () => {
    ended = true;
    pump();
  });
  from.on("error", () => to.destroy());
  to.on("close", () => from.destroy());
}
