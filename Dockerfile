# One image for both services; the command picks one (README: "Install in a cluster").
# Node 22: the oldest LTS line still supported (20 reached end of life), and one the whole suite passes on with
# the same SQLite driver (better-sqlite3) as CI's Node 20.
FROM node:22-bookworm-slim AS toolchain
# better-sqlite3 compiles from source when no prebuilt binary can be fetched.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./

FROM toolchain AS build
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json start.ts ./
COPY openapi openapi
COPY generated generated
COPY types types
COPY common common
COPY auth-app auth-app
COPY logs-app logs-app
COPY tools tools
RUN npm run build

FROM toolchain AS production-deps
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
# Listen on every interface of the container; SQLite (one auth-app, no PostgreSQL) in the data volume.
ENV AUTH_HOST=0.0.0.0 \
  LOGS_HOST=0.0.0.0 \
  AUTH_DATABASE_URL=sqlite:/var/lib/pod-logs/auth.db
WORKDIR /app
COPY package.json ./
COPY --from=production-deps /src/node_modules node_modules
COPY --from=build /src/dist dist
RUN mkdir -p /var/lib/pod-logs && chown 10001:10001 /var/lib/pod-logs
# The root filesystem can be read-only: the services write only here (SQLite) and to /tmp (logs-app's
# decompressed archives).
VOLUME ["/var/lib/pod-logs", "/tmp"]
USER 10001:10001
EXPOSE 8000 8001
# node is PID 1 without an init: both services install their own SIGTERM and SIGINT handlers (drain, then exit 0)
# and start no child processes, so nothing is left for an init to forward or reap.
ENTRYPOINT ["node"]
CMD ["dist/auth-app/main.js"]
