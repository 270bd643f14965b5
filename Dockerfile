# The Roster API. tsx runs the TypeScript sources, so the image is the production
# dependencies plus the source tree, and the back office built in a stage of its own
# (its build tools stay out of the image).
FROM node:24-slim AS admin
WORKDIR /app
COPY package.json package-lock.json ./
COPY admin/package.json ./admin/
COPY scripts/build-admin.mjs ./scripts/
RUN npm ci --no-audit --ignore-scripts
COPY admin ./admin
RUN node scripts/build-admin.mjs

FROM node:24-slim

ENV NODE_ENV=production \
    PORT=4000 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false

WORKDIR /app

# Dependencies first, so a source change reuses this layer. argon2 ships
# prebuilt binaries for linux x64/arm64, so no compiler is needed.
# admin/package.json: the workspace the lockfile names; build-admin.mjs (npm's
# `prepare`) steps aside here, where the build tools are not installed.
COPY package.json package-lock.json ./
COPY admin/package.json ./admin/
COPY scripts/build-admin.mjs ./scripts/
RUN npm ci --omit=dev --no-audit && npm cache clean --force

# tsconfig.json is read at run time: tsx takes the decorator settings from it.
COPY tsconfig.json ./
COPY drizzle ./drizzle
COPY schema ./schema
COPY scripts ./scripts
COPY server ./server
COPY --from=admin /app/admin/dist ./admin/dist

# The one directory the app writes to: the embedded database and its JWT key
# (embedded mode only), and where /ready measures free disk space.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node

EXPOSE 4000
# Liveness only; /ready (database, Redis, disk) is what a load balancer should route on.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself is PID 1 and handles SIGTERM (server/main.ts drains and closes).
CMD ["node", "--import", "tsx", "server/main.ts"]
