# Server image: builds dist/1backend and dist/oo with the same script the tests use (scripts/build.sh),
# then runs the server as a non-root user (uid 10001) with its state in /data.
#   docker build -t 1backend .
#   docker run -p 11337:11337 -e OB_ADMIN_PASSWORD=s3cret-pass -v 1backend-data:/data 1backend
# A bind mount must be writable by uid 10001 (chown 10001 <dir>), or run the container as the
# folder's owner: docker run --user "$(id -u):$(id -g)" -v "$PWD/data:/data" …  The server checks
# at start and says which of these applies (src/lib/data-folder.ts).
# Base images are pinned to exact releases (Node 20.20.2 and Debian 12.11, as on the build machines);
# pin them by digest too where your registry mirror allows it.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
RUN npm install -g bun@1.4.5
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN ./scripts/build.sh

FROM debian:12.11-slim
# The binaries are linked against glibc only; ca-certificates lets the proxy reach https instances.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data 1backend && mkdir -p /data && chown 1backend /data
COPY --from=build /src/dist/1backend /src/dist/oo /usr/local/bin/
USER 1backend
VOLUME /data
ENV OB_FOLDER=/data \
    OB_LISTEN=0.0.0.0:11337 \
    OB_SELF_URL=http://127.0.0.1:11337
EXPOSE 11337
# Readiness (/readyz: database writable, migrations applied, jobs running), asked by the binary itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["1backend", "--health-check"]
ENTRYPOINT ["1backend"]
