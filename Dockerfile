# Multi-stage build: compile with dev dependencies, run with production ones as a non-root user.
# One image serves every app; the command names the app (dist/apps/<app>/main.js).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 GATEWAY_DATA_DIR=/data
WORKDIR /app
RUN groupadd --system gateway && useradd --system --gid gateway --home /app gateway \
  && mkdir -p /data && chown gateway:gateway /data
COPY --from=build --chown=gateway:gateway /app/node_modules ./node_modules
COPY --from=build --chown=gateway:gateway /app/dist ./dist
COPY --from=build --chown=gateway:gateway /app/package.json /app/gateway.yaml ./
USER gateway
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/apps/ingest-api/main.js"]
