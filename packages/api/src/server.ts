import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger, type Logger } from "@log-insights/config";
import { createApiHandler, type ApiHandler, type ApiOptions } from "./handler";

export interface ApiServerOptions extends ApiOptions {
  /** 0 picks a free port (default 4000). */
  port?: number;
  host?: string;
  /** How long open requests and live subscriptions get to finish on close (default 10 s). */
  drainMs?: number;
}

export interface ApiServer {
  handler: ApiHandler;
  server: Server;
  port: number;
  /** http://host:port */
  url: string;
  /** Stops accepting, lets requests in flight finish (up to drainMs), ends subscriptions, closes the handler. */
  close(): Promise<void>;
}

/** The API on a plain Node HTTP server. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const logger: Logger = options.logger ?? createLogger("api");
  const handler = createApiHandler({ ...options, logger });
  const server = createServer(handler.yoga);
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4000, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  await handler.started;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host === "[::]" || host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Live subscriptions never end on their own: end them now, then give requests in flight time to
      // finish, closing each kept-alive connection as soon as it is idle.
      await handler.close();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), options.drainMs ?? 10_000);
      timer.unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
    })());
  return { handler, server, port: address.port, url, close };
}
