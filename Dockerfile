# syntax=docker/dockerfile:1

# --- build: compile TypeScript and the native SQLite binding ------------------------------------
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY schemas ./schemas
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# --- run: no compiler, no dev dependencies, not root ----------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    OKMSD_DATA_DIR=/data \
    OKMSD_HOST=0.0.0.0 \
    OKMSD_PORT=8080 \
    OKMSD_GATEWAY_PORT=8443
RUN groupadd --system okmsd \
 && useradd --system --gid okmsd --home-dir /app --shell /usr/sbin/nologin okmsd \
 && mkdir -p /data \
 && chown okmsd:okmsd /data \
 && chmod 0700 /data
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/package.json ./package.json
USER okmsd
VOLUME ["/data"]
EXPOSE 8080 8443
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OKMSD_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
