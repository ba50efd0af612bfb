# Capstan controller image.
#
#   docker build -t ghcr.io/capstan-dev/capstan:0.1.0 .
#   docker run --rm ghcr.io/capstan-dev/capstan:0.1.0 controller --help
#
# Stage 1 compiles TypeScript with the dev dependencies; stage 2 holds Node, the production
# dependencies, dist/ and crds/, and runs as an unprivileged user. Checked by
# scripts/check-dockerfile.sh (there is no Docker engine in CI); the Kubernetes probes are in
# deploy/manager/deployment.yaml (liveness /healthz, readiness /readyz on :8080).
ARG NODE_IMAGE=node:22.20.0-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (none has an install script); then drop npm, which the controller
# never runs, so the image carries no package manager.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /tmp/* /root/.npm
COPY --from=build /src/dist ./dist
COPY crds ./crds
# 65532: the conventional "nonroot" uid/gid of distroless images; no home, no shell needed.
USER 65532:65532
EXPOSE 8080
# For plain `docker run`; Kubernetes ignores HEALTHCHECK and uses the Deployment's probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["controller"]
