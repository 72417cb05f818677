import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import {
  GetObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type GetObjectCommandOutput,
  type ListObjectsV2CommandOutput,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { createLogger, type Logger } from "@log-insights/config";
import { keyTimeFromKey } from "@log-insights/logs";
import { checkFilter, judgeKey } from "./filter";
import { SourceError, type ListFilter, type ListStats, type OpenOptions, type Source, type SourceObject } from "./types";

export interface S3SourceOptions {
  bucket: string;
  /** Folder-like prefix inside the bucket (`2025/04`); keys are listed relative to it. */
  prefix?: string;
  /** Default: the AWS chain (AWS_REGION, the shared config file). */
  region?: string;
  /** An S3-compatible server (MinIO, s3rver, a test proxy); path-style addressing is used with it. */
  endpoint?: string;
  /** Default: the standard AWS credential chain (env, shared files, SSO, instance/container roles). */
  credentials?: S3ClientConfig["credentials"];
  /** Attempts per request, the first included; transient errors (5xx, throttling, resets, timeouts) are retried with backoff. Default 5. */
  maxAttempts?: number;
  /** TCP connect timeout. Default 5 s. */
  connectionTimeoutMs?: number;
  /** From sending a request to its response headers. Default 30 s. */
  requestTimeoutMs?: number;
  /** A socket idle this long fails the request, including while a body streams. Default 30 s. */
  socketTimeoutMs?: number;
  /** A body cut mid-way is resumed where it stopped (Range + If-Match) up to this many times. Default 5. */
  maxResumes?: number;
  /** Keys per listing page (S3 returns at most 1,000). */
  pageSize?: number;
  /** Use this client instead of building one (it is not destroyed by close()). */
  client?: S3Client;
  logger?: Logger;
}

const DEFAULTS = {
  maxAttempts: 5,
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  socketTimeoutMs: 30_000,
  maxResumes: 5,
  pageSize: 1000,
};

/** Strips the quotes S3 puts around ETags (and a weak marker). */
export function cleanEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  return etag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Normalizes a folder-like prefix: no leading or trailing slashes. */
export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? "").replace(/^\/+/, "").replace(/\/+$/, "");
}

/** The S3 client this project uses: retries, timeouts, no optional checksums (S3-compatible servers reject them). */
export function createS3Client(opts: Omit<S3SourceOptions, "bucket" | "prefix" | "client" | "logger">): S3Client {
  const keepAlive = { keepAlive: true, maxSockets: 64 };
  return new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.endpoint !== undefined,
    credentials: opts.credentials,
    followRegionRedirects: true,
    maxAttempts: opts.maxAttempts ?? DEFAULTS.maxAttempts,
    retryMode: "standard",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: new NodeHttpHandler({
      connectionTimeout: opts.connectionTimeoutMs ?? DEFAULTS.connectionTimeoutMs,
      requestTimeout: opts.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: opts.socketTimeoutMs ?? DEFAULTS.socketTimeoutMs,
      httpAgent: new HttpAgent(keepAlive),
      httpsAgent: new HttpsAgent(keepAlive),
    }),
  });
}

interface AwsErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const ACCESS_ERRORS = new Set([
  "AccessDenied",
  "Forbidden",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
]);

/** An S3 bucket (and prefix) read with the AWS SDK v3. */
export class S3Source implements Source {
  readonly kind = "s3" as const;
  readonly id: string;
  readonly bucket: string;
  /** Normalized prefix (no slashes at either end), "" for the whole bucket. */
  readonly prefix: string;
  readonly client: S3Client;
  private readonly keyPrefix: string;
  private readonly ownsClient: boolean;
  private readonly maxResumes: number;
  private readonly pageSize: number;
  private readonly endpoint: string | undefined;
  private logger: Logger | undefined;

  constructor(opts: S3SourceOptions) {
    if (!opts.bucket) throw new SourceError("bad-spec", "S3Source needs a bucket");
    this.bucket = opts.bucket;
    this.prefix = normalizePrefix(opts.prefix);
    this.keyPrefix = this.prefix === "" ? "" : `${this.prefix}/`;
    this.id = this.prefix === "" ? `s3://${this.bucket}` : `s3://${this.bucket}/${this.prefix}`;
    this.endpoint = opts.endpoint;
    this.ownsClient = opts.client === undefined;
    this.client = opts.client ?? createS3Client(opts);
    this.maxResumes = opts.maxResumes ?? DEFAULTS.maxResumes;
    this.pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? DEFAULTS.pageSize));
    this.logger = opts.logger;
  }

  private log(): Logger {
    this.logger ??= createLogger("ingest:s3");
    return this.logger;
  }

  /** Full object key in the bucket for a key of this source. */
  fullKey(key: string): string {
    return this.keyPrefix + key;
  }

  async *list(filter: ListFilter = {}, stats?: ListStats): AsyncGenerator<SourceObject> {
    checkFilter(filter);
    const listPrefix = this.keyPrefix + (filter.prefix ?? "");
    const pages = paginateListObjectsV2(
      { client: this.client, pageSize: this.pageSize },
      { Bucket: this.bucket, Prefix: listPrefix === "" ? undefined : listPrefix },
    );
    const it = pages[Symbol.asyncIterator]();
    for (;;) {
      let page: IteratorResult<ListObjectsV2CommandOutput, unknown>;
      try {
        page = await it.next();
      } catch (err) {
        throw this.toSourceError(err, `listing ${this.id}`);
      }
      if (page.done) return;
      for (const o of page.value.Contents ?? []) {
        const full = o.Key;
        if (full === undefined || !full.startsWith(this.keyPrefix) || full.endsWith("/")) continue; // folder markers
        const key = full.slice(this.keyPrefix.length);
        const keyTimeMs = keyTimeFromKey(key);
        const verdict = judgeKey(key, keyTimeMs, filter, stats);
        if (verdict === "out-of-range") continue;
        const size = o.Size ?? 0;
        const lastModifiedMs = o.LastModified ? o.LastModified.getTime() : null;
        yield {
          key,
          etag: cleanEtag(o.ETag) ?? `${size}-${lastModifiedMs ?? 0}`,
          size,
          keyTimeMs,
          lastModifiedMs,
          kind: verdict === "listed" ? "log" : "unsupported",
        };
      }
    }
  }

  /**
   * Streams an object's body as it arrives. When the connection breaks
   * mid-body (reset, idle timeout, early close) the rest is fetched with a
   * Range request pinned to the same ETag (If-Match), so a long download
   * survives a flaky network without starting over, and never mixes two
   * versions of the object.
   */
  async open(key: string, options: OpenOptions = {}): Promise<Readable> {
    const Key = this.fullKey(key);
    let first: GetObjectCommandOutput;
    try {
      first = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, IfMatch: quoteEtag(options.etag) }));
    } catch (err) {
      throw this.toSourceError(err, `reading s3://${this.bucket}/${Key}`, Key);
    }
    return Readable.from(this.resumingBody(Key, first), { objectMode: false });
  }

  private async *resumingBody(Key: string, first: GetObjectCommandOutput): AsyncGenerator<Buffer> {
    const total = first.ContentLength;
    const etag = first.ETag;
    let body = first.Body as Readable | undefined;
    if (!body) throw new SourceError("unavailable", `no body for s3://${this.bucket}/${Key}`);
    let received = 0;
    let skip = 0; // bytes to drop when a resume was answered with the whole object
    let resumes = 0;
    try {
      for (;;) {
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) {
            let buf = chunk;
            if (skip > 0) {
              if (buf.length <= skip) {
                skip -= buf.length;
                continue;
              }
              buf = buf.subarray(skip);
              skip = 0;
            }
            received += buf.length;
            yield buf;
          }
          if (total === undefined || received >= total) return;
          throw new Error(`the connection closed after ${received} of ${total} bytes`);
        } catch (err) {
          body.destroy();
          if (err instanceof SourceError) throw err;
          if (resumes >= this.maxResumes) {
            throw new SourceError(
              "unavailable",
              `reading s3://${this.bucket}/${Key} failed after ${resumes} resume(s) at byte ${received}: ${(err as Error).message}`,
              { cause: err },
            );
          }
          resumes++;
          const waitMs = Math.min(5_000, 100 * 2 ** resumes) * (0.5 + Math.random() / 2);
          this.log().warn(
            { key: Key, received, total, resume: resumes, waitMs: Math.round(waitMs), err: (err as Error).message },
            "S3 body interrupted, resuming",
          );
          await sleep(waitMs);
          let next: GetObjectCommandOutput;
          try {
            next = await this.client.send(
              new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${received}-`, IfMatch: etag }),
            );
          } catch (e) {
            throw this.toSourceError(e, `resuming s3://${this.bucket}/${Key} at byte ${received}`, Key);
          }
          if (!next.Body) throw new SourceError("unavailable", `no body for s3://${this.bucket}/${Key}`);
          body = next.Body as Readable;
          // A server that ignores Range sends the whole object again (200, no Content-Range).
          skip = next.ContentRange?.startsWith(`bytes ${received}-`) ? 0 : received;
          if (etag !== undefined && next.ETag !== undefined && next.ETag !== etag) {
            body.destroy();
            throw new SourceError("changed", `s3://${this.bucket}/${Key} was replaced while being read`);
          }
        }
      }
    } finally {
      body.destroy();
    }
  }

  /** Maps an SDK error to a SourceError with a message a person can act on. */
  toSourceError(err: unknown, what: string, key?: string): SourceError {
    if (err instanceof SourceError) return err;
    const e = (err ?? {}) as AwsErrorShape;
    const name = e.name ?? e.Code ?? "Error";
    const status = e.$metadata?.httpStatusCode;
    const where = this.endpoint ? ` at ${this.endpoint}` : "";
    if (name === "NoSuchBucket") {
      return new SourceError("not-found", `S3 bucket "${this.bucket}" does not exist${where}`, { cause: err });
    }
    if (name === "NoSuchKey" || (key !== undefined && (status === 404 || name === "NotFound"))) {
      return new SourceError("not-found", `S3 object not found: s3://${this.bucket}/${key ?? ""}${where}`, { cause: err });
    }
    if (name === "PreconditionFailed" || status === 412) {
      return new SourceError("changed", `s3://${this.bucket}/${key ?? ""} was replaced while being read`, { cause: err });
    }
    if (typeof e.message === "string" && /region is missing/i.test(e.message)) {
      return new SourceError("bad-spec", `${what}: no AWS region; set AWS_REGION (or pass a region)`, { cause: err });
    }
    if (name === "CredentialsProviderError") {
      return new SourceError(
        "access-denied",
        `${what}: no AWS credentials found (${e.message ?? ""}); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with a role`,
        { cause: err },
      );
    }
    if (ACCESS_ERRORS.has(name) || status === 403) {
      return new SourceError(
        "access-denied",
        `${what}: access denied (${name}${e.message && e.message !== name ? `: ${e.message}` : ""}); check the credentials and that they may read bucket "${this.bucket}"`,
        { cause: err },
      );
    }
    const attempts = e.$metadata?.attempts;
    return new SourceError(
      "unavailable",
      `${what} failed${attempts ? ` after ${attempts} attempt(s)` : ""}${where}: ${name}${e.message && e.message !== name ? `: ${e.message}` : ""}`,
      { cause: err },
    );
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}

function quoteEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
