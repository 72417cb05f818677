// Runs s3rver in its own process (spawned by s3-server.ts). It needs
// `node --openssl-legacy-provider`: s3rver encrypts ListObjectsV2
// continuation tokens with DES, which OpenSSL 3 only has in its legacy
// provider, so paginated listings fail without it.
//
// argv: <directory> [port] [host]. Prints {"port":N} on stdout once
// listening. Exits on SIGTERM/SIGINT, and when stdin closes (the parent
// died), so that no server outlives its test run.
import S3rver from "s3rver";

const [directory, port = "0", address = "127.0.0.1"] = process.argv.slice(2);
if (!directory) {
  process.stderr.write("usage: s3rver-process.mjs <directory> [port] [host]\n");
  process.exit(2);
}

const server = new S3rver({ address, port: Number(port), directory, silent: true });
const info = await server.run();
process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  try {
    await server.close();
  } finally {
    process.exit(0);
  }
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.stdin.on("end", shutdown);
process.stdin.on("close", shutdown);
process.stdin.resume();
