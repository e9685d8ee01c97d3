# syntax=docker/dockerfile:1
# Loopline: the compiled server and the mini-program's H5 build, run as an unprivileged user.
# Production runs against MongoDB (MONGODB_URI, a replica set): the image carries no database.
#
#   docker build -t loopline .
#   docker run -e MONGODB_URI='mongodb://…/?replicaSet=rs0' -p 3000:3000 loopline

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: every dependency, then the same npm scripts the repository documents.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build:server && npm run build:h5

# 2. Runtime dependencies only (no TypeScript, no Taro, no test tools).
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# 3. The image: compiled server, H5 bundle, production node_modules; no source, no compiler.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --chown=node:node package.json ./
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/server ./dist/server
COPY --from=build --chown=node:node /app/dist/h5 ./dist/h5
# The official node image's unprivileged user (uid 1000).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm run start:prod`, without npm in between (signals reach the server).
CMD ["node", "--enable-source-maps", "dist/server/main.js"]
