import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

// The e2e project's global setup: a production build of the dashboard, once
// per run (E2E_SKIP_BUILD=1 reuses the last one while iterating).
export const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export default async function setup(): Promise<void> {
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(webDir, "../../node_modules/next/dist/bin/next"), "build"], {
      cwd: webDir,
      env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code})`);
}
