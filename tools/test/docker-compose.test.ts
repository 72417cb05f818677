import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "@log-insights/config";

// The Docker deployment's promises, read from the files themselves (no Docker
// engine runs here): nothing published beyond this machine, no default
// password, the web on the read-only database role, images without
// devDependencies running as `node`. With docker-compose (or the compose
// plugin) installed, `config` checks the file the way Compose reads it.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const read = (file: string): string => readFileSync(path.join(root, file), "utf8");

interface Service {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: (string | { published?: string | number; host_ip?: string })[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
}

const composeText = read("docker-compose.yml");
// merge: the `<<: *anchor` keys Compose resolves (YAML 1.1 merge keys).
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(services[name]?.environment ?? {}).map(([k, v]) => [k, String(v)]));

const REQUIRED_SECRETS = ["POSTGRES_PASSWORD", "API_DB_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"];
const SECRET_NAME = /PASSWORD|SECRET|_KEY(_ID)?$|TOKEN/;
const INIT_SCRIPT = "docker/postgres-init/10-api-role.sh";

/** `${NAME...}` references in a value: [name, operator, rest]. */
function references(value: string): { name: string; op: string; rest: string }[] {
  return [...value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?])?([^}]*)\}/g)].map((m) => ({ name: m[1]!, op: m[2] ?? "", rest: m[3]! }));
}

/** The GRANT / ALTER DEFAULT PRIVILEGES statements of an SQL text, whitespace normalised. */
function grants(sql: string): string[] {
  return [...sql.matchAll(/^\s*((?:GRANT|ALTER DEFAULT PRIVILEGES)[^;]*;)/gm)].map((m) => m[1]!.replace(/\s+/g, " ").trim());
}

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

function dockerStages(dockerfile: string): Stage[] {
  const stages: Stage[] = [];
  for (const line of dockerfile.replace(/\\\n\s*/g, " ").split("\n")) {
    const from = /^FROM (\S+) AS (\S+)$/.exec(line.trim());
    if (from) stages.push({ name: from[2]!, from: from[1]!, lines: [] });
    else if (stages.length > 0 && line.trim() !== "" && !line.trim().startsWith("#")) stages.at(-1)!.lines.push(line.trim());
  }
  return stages;
}

describe("docker-compose.yml", () => {
  it("publishes nothing beyond this machine by default: only the web, on a bind address defaulting to 127.0.0.1", () => {
    const published = Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0).map(([name]) => name);
    expect(published).toEqual(["web"]);
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        expect(typeof port, `${name}: short syntax, with the interface`).toBe("string");
        const mapping = port as string;
        // ${WEB_BIND:-127.0.0.1}:${WEB_PORT:-3000}:3000: three parts, the first the interface.
        expect(mapping, name).toMatch(/^(\$\{[A-Z_]+:-127\.0\.0\.1\}|127\.0\.0\.1):(\$\{[A-Z_]+:-\d+\}|\d+):\d+$/);
      }
    }
    expect(services.web!.ports).toEqual(["${WEB_BIND:-127.0.0.1}:${WEB_PORT:-3000}:3000"]);
    expect(composeText).toMatch(/reverse proxy[^\n]*\n[^\n]*TRUST_PROXY=true/);
  });

  it("does not publish MinIO (neither its console nor its API)", () => {
    expect(services.minio).toBeDefined();
    expect(services.minio!.ports ?? []).toEqual([]);
    expect(composeText).not.toMatch(/["']?\d*:?9001:9001/);
  });

  it("has no default credentials: required secrets use ${NAME:?…}, optional ones pass through empty, none is written in", () => {
    // Anywhere in the file (anchors, commands, URLs): a secret's reference never carries a default.
    for (const ref of references(composeText)) {
      if (REQUIRED_SECRETS.includes(ref.name)) {
        expect(ref.op, `${ref.name} must be \${${ref.name}:?message}`).toBe(":?");
        expect(ref.rest.trim().length, `${ref.name}: a message saying what to set`).toBeGreaterThan(0);
      } else if (SECRET_NAME.test(ref.name)) {
        expect(`${ref.op}${ref.rest}`, `${ref.name}: optional secrets pass through with no default`).toMatch(/^(:\?.+|:-|)$/);
      }
    }
    // Every service's secret-named variable is a reference, never a value.
    for (const name of Object.keys(services)) {
      for (const [key, value] of Object.entries(env(name))) {
        if (!SECRET_NAME.test(key) && !REQUIRED_SECRETS.includes(key)) continue;
        const refs = references(value);
        expect(refs.length === 1 && value === `\${${refs[0]!.name}${refs[0]!.op}${refs[0]!.rest}}`, `${name}.${key} = ${value}`).toBe(true);
      }
      // A connection URL's password is a required variable too.
      for (const [key, value] of Object.entries(env(name))) {
        if (!/^postgres(ql)?:\/\//.test(value)) continue;
        expect(value, `${name}.${key}`).toMatch(/^postgres:\/\/[a-z_]+:\$\{(POSTGRES_PASSWORD|API_DB_PASSWORD):\?[^}]+\}@/);
      }
    }
    expect(env("postgres").POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(env("minio").MINIO_ROOT_USER).toMatch(/^\$\{MINIO_ROOT_USER:\?/);
    expect(env("minio").MINIO_ROOT_PASSWORD).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?/);
    expect(env("worker-minio").AWS_SECRET_ACCESS_KEY).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?/);
    // The seeding command takes the credentials from its environment ($$: the container's shell).
    const seed = (services["minio-seed"]!.command ?? []).join(" ");
    expect(seed).toContain('"$$MINIO_ROOT_USER" "$$MINIO_ROOT_PASSWORD"');
    expect(env("minio-seed").MINIO_ROOT_PASSWORD).toMatch(/^\$\{MINIO_ROOT_PASSWORD:\?/);
    // The old literal defaults are gone for good.
    expect(composeText).not.toMatch(/log-insights-secret|:-log_insights\}/);
  });

  it("runs the web on 0.0.0.0 inside its container, requires PUBLIC_URL and passes the access settings through", () => {
    const web = env("web");
    expect(web.HOST).toBe("0.0.0.0");
    expect(web.PUBLIC_URL).toMatch(/^\$\{PUBLIC_URL:\?[^}]+\}$/);
    expect(web.TRUST_PROXY).toMatch(/^\$\{TRUST_PROXY(:-false)?\}$/);
    expect(web.ALLOWED_HOSTS).toMatch(/^\$\{ALLOWED_HOSTS:-\}$/);
    const access = Object.keys(envSchema.shape).filter((k) => k.startsWith("AUTH_") || k.startsWith("OIDC_"));
    expect(access.length).toBeGreaterThan(10);
    for (const key of access) expect(web[key], `web.${key}`).toBe(`\${${key}:-}`);
    // The worker's command lines print sign-in links to PUBLIC_URL and hash with the same AUTH_SECRET.
    for (const name of ["worker", "worker-minio"]) {
      expect(env(name).PUBLIC_URL, name).toMatch(/^\$\{PUBLIC_URL:\?/);
      expect(env(name).AUTH_SECRET, name).toBe("${AUTH_SECRET:-}");
    }
  });

  it("gives the web the read-only role log_insights_api and the schema owner's role to the processes that migrate", () => {
    const web = env("web");
    expect(web.DATABASE_URL).toMatch(/^postgres:\/\/log_insights_api:\$\{API_DB_PASSWORD:\?[^}]+\}@postgres:5432\/log_insights$/);
    // It may not create tables, so it does not migrate: it waits for the migrate service.
    expect(web.LOG_INSIGHTS_MIGRATE_ON_START).toBe("false");
    expect(services.web!.depends_on?.migrate).toEqual({ condition: "service_completed_successfully" });
    const migrate = services.migrate!;
    expect(migrate.build?.target).toBe("worker");
    expect(migrate.command).toEqual(["node", "--import", "tsx", "docker/migrate.ts"]);
    expect(existsSync(path.join(root, "docker/migrate.ts"))).toBe(true);
    expect(migrate.depends_on?.postgres).toEqual({ condition: "service_healthy" });
    for (const name of ["migrate", "worker", "worker-minio"]) {
      expect(env(name).DATABASE_URL, name).toMatch(/^postgres:\/\/log_insights:\$\{POSTGRES_PASSWORD:\?/);
    }
    for (const name of ["worker", "worker-minio"]) expect(services[name]!.depends_on?.migrate, name).toEqual({ condition: "service_completed_successfully" });
  });

  it("makes the read-only role in an init script that runs before any migration and gives 0005's grants word for word", () => {
    const postgres = services.postgres!;
    expect(postgres.volumes).toContain("./docker/postgres-init:/docker-entrypoint-initdb.d:ro");
    expect(env("postgres").API_DB_PASSWORD).toMatch(/^\$\{API_DB_PASSWORD:\?/);
    // Ready only over TCP: the image's first initialisation (with the init scripts) listens on its socket only.
    expect(postgres.healthcheck?.test.join(" ")).toMatch(/pg_isready -h 127\.0\.0\.1 /);

    const file = path.join(root, INIT_SCRIPT);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o111, "executable (else the entrypoint sources it)").not.toBe(0);
    accessSync(file, constants.R_OK);
    const script = read(INIT_SCRIPT);
    expect(script).toMatch(/CREATE ROLE log_insights_api/);
    expect(script).toMatch(/ALTER ROLE log_insights_api WITH LOGIN [^;]*NOSUPERUSER[^;]*PASSWORD :'api_password';/);
    // The password comes from the environment, not the command line.
    expect(script).toContain("\\getenv api_password API_DB_PASSWORD");
    expect(script).toMatch(/GRANT CONNECT ON DATABASE %I TO log_insights_api/);
    expect(script).toContain("GRANT USAGE ON SCHEMA public TO log_insights_api;");
    expect(script).not.toMatch(/GRANT (ALL|CREATE)/);

    const migration = read("packages/store/migrations/0005_access.sql");
    const fromMigration = grants(migration.slice(migration.lastIndexOf("DO $$")));
    expect(fromMigration.length).toBeGreaterThanOrEqual(5);
    expect(grants(script.slice(script.indexOf("DO $$")))).toEqual(fromMigration);
  });

  const composeCommand = ((): string[] | null => {
    if (spawnSync("docker-compose", ["version"], { stdio: "ignore" }).status === 0) return ["docker-compose"];
    if (spawnSync("docker", ["compose", "version"], { stdio: "ignore" }).status === 0) return ["docker", "compose"];
    return null;
  })();

  it.skipIf(composeCommand === null)("is accepted by `compose config` with the required variables set, and refused without them", () => {
    const [bin, ...pre] = composeCommand!;
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !REQUIRED_SECRETS.includes(k) && k !== "PUBLIC_URL"));
    const required = { POSTGRES_PASSWORD: "pw-owner", API_DB_PASSWORD: "pw-api", PUBLIC_URL: "https://insights.example.com", MINIO_ROOT_USER: "u", MINIO_ROOT_PASSWORD: "pw-minio-123" };
    const config = (extra: Record<string, string>, ...args: string[]) =>
      spawnSync(bin!, [...pre, "--project-directory", root, "-f", path.join(root, "docker-compose.yml"), ...args, "config"], {
        cwd: "/", env: { ...base, ...extra }, encoding: "utf8",
      });
    const ok = config(required);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("postgres://log_insights_api:pw-api@postgres:5432/log_insights");
    expect(ok.stdout).toMatch(/127\.0\.0\.1:3000:3000|host_ip: 127\.0\.0\.1/);
    const minio = config(required, "--profile", "minio");
    expect(minio.status, minio.stderr).toBe(0);
    for (const missing of REQUIRED_SECRETS.concat("PUBLIC_URL")) {
      const without = Object.fromEntries(Object.entries(required).filter(([k]) => k !== missing));
      const refused = config(without);
      expect(refused.status, `without ${missing}`).not.toBe(0);
      expect(refused.stdout + refused.stderr).toContain(missing);
    }
  }, 120_000);
});

describe("Dockerfile", () => {
  const stages = dockerStages(read("Dockerfile"));
  const stage = (name: string): Stage => {
    const found = stages.find((s) => s.name === name);
    if (!found) throw new Error(`Dockerfile: no stage ${name}`);
    return found;
  };

  it("builds the runtime images without devDependencies", () => {
    const prod = stage("prod-deps");
    expect(prod.lines.some((l) => /^RUN npm ci\b.*--omit=dev/.test(l))).toBe(true);
    // The worker starts from the bare Node image and takes its node_modules from prod-deps only.
    const worker = stage("worker");
    expect(worker.from).toBe("${NODE_IMAGE}");
    const fromStages = worker.lines.flatMap((l) => /^COPY --from=(\S+)/.exec(l)?.[1] ?? []);
    expect(fromStages).toEqual(["prod-deps"]);
    expect(worker.lines.some((l) => /^RUN npm (ci|install)/.test(l))).toBe(false);
    // The web: the standalone build's traced files, nothing else from the build's dependencies.
    const web = stage("web");
    expect(web.from).toBe("${NODE_IMAGE}");
    const copies = web.lines.filter((l) => l.startsWith("COPY"));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy).toMatch(/^COPY --from=build (--chown=\S+ )?\/app\/(apps\/web\/\.next\/(standalone|static)|packages\/store\/migrations|packages\/alerts\/rules\.default\.yaml) /);
    // The dependency layer is keyed on the manifests only.
    const manifests = stage("manifests");
    expect(manifests.lines.filter((l) => l.startsWith("COPY")).every((l) => /^COPY (package\.json package-lock\.json|\S+\/package\.json) /.test(l))).toBe(true);
    for (const dir of ["packages/config", "packages/logs", "packages/store", "packages/auth", "packages/ingest", "packages/api", "packages/alerts", "apps/web", "tools"]) {
      expect(manifests.lines, dir).toContain(`COPY ${dir}/package.json ${dir}/`);
    }
  });

  it("keeps tsx (the worker's --import tsx) among the production dependencies", () => {
    const pkg = JSON.parse(read("package.json")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect(pkg.dependencies?.tsx).toBeDefined();
    expect(pkg.devDependencies?.tsx).toBeUndefined();
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { dev?: boolean; dependencies?: Record<string, string> }> };
    expect(lock.packages[""]?.dependencies?.tsx).toBeDefined();
    expect(lock.packages["node_modules/tsx"]?.dev).toBeUndefined();
  });

  it("runs both runtime images as the unprivileged node user, with no secret baked in", () => {
    for (const name of ["web", "worker"]) {
      const users = stage(name).lines.filter((l) => l.startsWith("USER "));
      expect(users.at(-1), name).toBe("USER node");
      const cmd = stage(name).lines.findIndex((l) => l.startsWith("CMD "));
      expect(stage(name).lines.findIndex((l) => l === "USER node"), name).toBeLessThan(cmd);
    }
    for (const s of stages) {
      for (const line of s.lines.filter((l) => /^(ENV|ARG) /.test(l))) expect(line, s.name).not.toMatch(/PASSWORD|SECRET|TOKEN|DATABASE_URL/);
    }
    // .env (where the passwords live) never reaches the build context.
    expect(read(".dockerignore").split("\n")).toContain(".env");
  });

  it("ships the tools the README's first sign-in uses (in the worker image: the whole source)", () => {
    expect(stage("worker").lines).toContain("COPY . .");
    expect(existsSync(path.join(root, "tools/src/users.ts"))).toBe(true);
    const dockerignore = read(".dockerignore").split("\n").map((l) => l.trim());
    for (const needed of ["tools", "docker", "packages"]) expect(dockerignore, needed).not.toContain(needed);
    // The README's command, as written there.
    expect(read("README.md")).toContain("docker compose exec worker node --import tsx tools/src/users.ts add you@example.com --role admin");
    execFileSync(process.execPath, ["--import", "tsx", "tools/src/users.ts", "--help"], { cwd: root, stdio: "ignore" });
  }, 60_000);
});
