# Tale Console image. Build: docker build -t tale-console --build-arg VERSION=$(node -p "require('./package.json').version") \
#   --build-arg REVISION=$(git rev-parse HEAD) .
# The classic builder and BuildKit both read this file (no BuildKit-only syntax).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: dependencies and the Next.js standalone output --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NEXT_TELEMETRY_DISABLED=1
# PREBUILT=true: the context already holds a standalone build made on a machine with the same Node
# major and glibc no newer than the base image's (the offline CI smoke test). Otherwise npm
# installs and Next builds here; npm needs the registry.
ARG PREBUILT=false
COPY package.json package-lock.json ./
RUN [ "$PREBUILT" = true ] || npm ci --no-audit --no-fund
COPY . .
RUN [ "$PREBUILT" = true ] || node scripts/start.mjs --build-only
# Only what the server reads at run time: Next traces the whole project (sources, tests) into the
# standalone tree; the server needs server.js, its .next (with the static assets scripts/start.mjs
# copies in), the traced node_modules, public/ and the migrations. Plus the request preload and
# the entrypoint.
RUN test -f .next/standalone/server.js \
 && test -d .next/standalone/.next/static \
 && test -d .next/standalone/server/db/migrations \
 && mkdir -p /out/app/server/db \
 && cd .next/standalone \
 && cp -a server.js package.json .next node_modules /out/app/ \
 && cp -a server/db/migrations /out/app/server/db/ \
 && if [ -d public ]; then cp -a public /out/app/; fi \
 && rm -rf /out/app/.next/cache \
 && cp /src/scripts/remote-address.cjs /src/scripts/container-entrypoint.cjs /src/scripts/container-entrypoint.sh /out/app/ \
 && chmod 755 /out/app/container-entrypoint.sh \
 && mkdir -p /out/restic \
 && if [ -f /src/restic-prebuilt/restic ]; then cp /src/restic-prebuilt/restic /out/restic/; fi

# ---- runtime ------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-dev
ARG SOURCE=https://github.com/tale-project/tale-console
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Tale Console" \
      org.opencontainers.image.description="Self-hosted web console for operating a Tale deployment" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="UNLICENSED"
# The server runs as this user (or as the deployment directory's owner, see the entrypoint), never
# as root; the entrypoint starts as root only to find the Docker socket's group and drop privileges
# (setpriv, from util-linux, which every Debian image has).
RUN groupadd --system --gid 10001 tale \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin tale \
 && mkdir -p /data /deploy \
 && chown 10001:10001 /data /deploy \
 && chmod 700 /data
# restic, from Debian's packages, for backups (docs/backups.md). The offline smoke test, which cannot
# reach the package mirror from a build, puts the host's Debian restic in restic-prebuilt/ instead.
COPY --from=build /out/restic /tmp/restic-prebuilt
RUN if [ -f /tmp/restic-prebuilt/restic ]; then install -m 0755 /tmp/restic-prebuilt/restic /usr/bin/restic; \
    else apt-get update && apt-get install -y --no-install-recommends restic && rm -rf /var/lib/apt/lists/*; fi \
 && rm -rf /tmp/restic-prebuilt \
 && /usr/bin/restic version
COPY --from=build /out/app /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    DEPLOY_DIR=/deploy \
    KEEP_ALIVE_TIMEOUT=65000
WORKDIR /app
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/app/container-entrypoint.sh"]
