# syntax=docker/dockerfile:1
# log-insights: two images from one build.
#   web    - the dashboard and the GraphQL API (Next.js standalone output, ~small)
#   worker - the ingest worker in watch mode (TypeScript run by tsx), the
#            migrations (docker/migrate.ts) and the command lines (tools/src:
#            users, tokens, erase-user, retention, the sample-data generator)
# Both run as the unprivileged `node` user on Node 24 LTS, without
# devDependencies (no compilers, test runners or linters), and hold no
# secret: every password comes from the environment at run time.

ARG NODE_IMAGE=node:24-bookworm-slim

# The workspaces' manifests only: the dependency layers below are rebuilt
# only when one of them changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/config/package.json packages/config/
COPY packages/logs/package.json packages/logs/
COPY packages/store/package.json packages/store/
COPY packages/auth/package.json packages/auth/
COPY packages/ingest/package.json packages/ingest/
COPY packages/api/package.json packages/api/
COPY packages/alerts/package.json packages/alerts/
COPY apps/web/package.json apps/web/
COPY tools/package.json tools/

# Every dependency, devDependencies included: only to build the dashboard.
FROM manifests AS deps
RUN npm ci --no-audit --no-fund

# Production dependencies only (tsx, which runs the TypeScript, is one): what the worker image gets.
FROM manifests AS prod-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1
COPY . .
RUN cd apps/web && NEXT_OUTPUT=standalone npx next build

# The dashboard + API: only the traced files of the standalone build (the
# production dependencies the server really loads; nothing from the build's
# devDependencies).
FROM ${NODE_IMAGE} AS web
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 \
    LOG_INSIGHTS_MIGRATIONS_DIR=/app/packages/store/migrations \
    ALERT_RULES_FILE=/app/packages/alerts/rules.default.yaml
COPY --from=build --chown=node:node /app/apps/web/.next/standalone ./
COPY --from=build --chown=node:node /app/apps/web/.next/static ./apps/web/.next/static
COPY --from=build --chown=node:node /app/packages/store/migrations ./packages/store/migrations
COPY --from=build --chown=node:node /app/packages/alerts/rules.default.yaml ./packages/alerts/rules.default.yaml
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "apps/web/server.js"]

# The ingest worker, the migrations, the command lines (and the sample-data
# generator used to seed MinIO): the source on the production dependencies.
# The files belong to root: the `node` user can read them, not change them.
FROM ${NODE_IMAGE} AS worker
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prod-deps /app ./
COPY . .
# /seed: where the minio profile's sample-logs service writes (a named volume takes this ownership).
RUN mkdir -p /seed && chown node:node /seed
USER node
CMD ["node", "--max-old-space-size=192", "--import", "tsx", "packages/ingest/src/cli.ts", "--watch", "--retention"]
