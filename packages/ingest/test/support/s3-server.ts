/**
 * A real S3-compatible server for tests: s3rver, in a child process (it
 * needs `node --openssl-legacy-provider` for paginated listings), on
 * 127.0.0.1, a free port and a temporary folder.
 *
 *   const s3 = await startS3Server();
 *   await s3.createBucket("logs");
 *   await s3.put("logs", "2025/04/02/x.json.gz", body);
 *   const source = new S3Source({ bucket: "logs", endpoint: s3.endpoint, credentials: s3.credentials });
 *   ...
 *   await s3.stop(); // always (afterAll)
 *
 * A test that puts a proxy in front of the server (fault injection) points
 * the code under test at the proxy's endpoint and keeps using `client` /
 * `put` for setup; `clientFor(endpoint)` makes a client for any endpoint.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "s3rver-process.mjs");

export interface S3TestServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  host: string;
  port: number;
  /** Where s3rver keeps the buckets (removed by stop). */
  directory: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** A client of the server itself (path-style, no optional checksums). */
  client: S3Client;
  clientFor(endpoint: string): S3Client;
  createBucket(name: string): Promise<void>;
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  stop(): Promise<void>;
}

export interface StartS3ServerOptions {
  /** Default 0: a free port chosen by the system. */
  port?: number;
  host?: string;
  /** Default: a new temporary folder. */
  directory?: string;
}

/** An S3 client for a test server (or a proxy in front of one). */
export function testS3Client(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

function waitForPort(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`s3rver did not start within ${timeoutMs} ms: ${stderr()}`)), timeoutMs);
    const onData = (d: Buffer): void => {
      out += d.toString("utf8");
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      cleanup();
      resolve((JSON.parse(line) as { port: number }).port);
    };
    const onExit = (code: number | null): void => fail(new Error(`s3rver exited (code ${code}) before listening: ${stderr()}`));
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
    }
    function fail(err: Error): void {
      cleanup();
      reject(err);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

export async function startS3Server(options: StartS3ServerOptions = {}): Promise<S3TestServer> {
  const host = options.host ?? "127.0.0.1";
  const ownDir = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), "s3rver-")));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ["--openssl-legacy-provider", SCRIPT, directory, String(options.port ?? 0), host], {
    stdio: ["pipe", "pipe", "pipe"],
    env,
  });
  let errText = "";
  child.stderr?.on("data", (d: Buffer) => {
    errText = (errText + d.toString("utf8")).slice(-4000);
  });
  let exited = child.exitCode !== null;
  const exitedPromise = new Promise<void>((resolve) => child.once("exit", () => { exited = true; resolve(); }));

  const stopChild = async (): Promise<void> => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
    if (ownDir) await rm(directory, { recursive: true, force: true });
  };

  let port: number;
  try {
    port = await waitForPort(child, () => errText, 20_000);
  } catch (err) {
    await stopChild();
    throw err;
  }
  const endpoint = `http://${host}:${port}`;
  const client = testS3Client(endpoint);

  // Wait until it answers requests, not only listens.
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await client.send(new ListBucketsCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        client.destroy();
        await stopChild();
        throw new Error(`s3rver at ${endpoint} does not answer: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const extraClients: S3Client[] = [];
  return {
    endpoint,
    host,
    port,
    directory,
    credentials: { ...S3RVER_CREDENTIALS },
    client,
    clientFor(other: string): S3Client {
      const c = testS3Client(other);
      extraClients.push(c);
      return c;
    },
    async createBucket(name: string): Promise<void> {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket: string, key: string, body: Buffer): Promise<void> {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async stop(): Promise<void> {
      client.destroy();
      for (const c of extraClients) c.destroy();
      await stopChild();
    },
  };
}
