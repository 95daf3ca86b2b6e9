# Ward in a container: build with `docker build -t ward .`, run with docker-compose.yml.
# Targets: `build` (compiles everything), `lab` (the authoritative lab of the integration tests, for
# docker-compose.yml's lab), and the last stage, Ward itself.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
# --ignore-scripts: the prepare script builds, but the sources are copied only below.
RUN npm ci --ignore-scripts
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npx tsc -p .

# The lab: NSD, Knot and BIND with the zones, signing and configs of test/helpers/lab*.ts (one source),
# plus the clients the lab's client container uses.
FROM build AS lab
RUN apt-get update && apt-get install -y --no-install-recommends \
      nsd knot bind9 bind9-utils bind9-dnsutils knot-dnsutils ldnsutils iproute2 procps \
    && rm -rf /var/lib/apt/lists/*
COPY config ./config
COPY root-hints ./root-hints

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# No TypeScript here: dist/ comes from the build stage, so skip the prepare script's build.
RUN npm ci --omit=dev --ignore-scripts
COPY --from=build /app/dist ./dist
COPY config ./config
COPY root-hints ./root-hints
EXPOSE 53/udp 53/tcp 853/tcp
ENTRYPOINT ["node", "dist/src/main.js"]
CMD ["--config", "config/production.yaml"]
