/**
 * A TCP proxy for tests that cuts connections mid-response: after a
 * connection has carried `cutAfterBytes` bytes from the server, it is reset,
 * `cuts` times in all; then traffic passes untouched. Loopback only.
 */
import net from "node:net";

export interface CuttingProxy {
  endpoint: string;
  /** Connections cut so far. */
  readonly cutsDone: number;
  stop(): Promise<void>;
}

export async function startCuttingProxy(
  target: { host: string; port: number },
  opts: { cutAfterBytes: number; cuts: number },
): Promise<CuttingProxy> {
  let remaining = opts.cuts;
  let cutsDone = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let fromServer = 0;
    let cutting = false;
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d: Buffer) => {
      if (cutting) return;
      fromServer += d.length;
      if (remaining > 0 && fromServer > opts.cutAfterBytes) {
        cutting = true;
        remaining--;
        cutsDone++;
        // Forward part of this chunk, then reset: the client sees a body cut short.
        client.write(d.subarray(0, Math.floor(d.length / 2)), () => {
          client.resetAndDestroy();
          upstream.destroy();
        });
        return;
      }
      client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get cutsDone() {
      return cutsDone;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
