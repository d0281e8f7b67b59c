# Server image: builds dist/1backend from source, then runs it as a non-root user with its state in a volume.
#   docker build -t 1backend . && docker run -p 11337:11337 -v 1backend-data:/data 1backend

FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN npm install -g bun@1.4.5
COPY package.json bun.lock ./
RUN bun install --frozen-lockfile
COPY . .
RUN ./scripts/build.sh

FROM debian:bookworm-slim
# The binary is linked against glibc only; ca-certificates lets the proxy reach https instances.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data 1backend && mkdir -p /data && chown 1backend /data
COPY --from=build /src/dist/1backend /usr/local/bin/1backend
USER 1backend
VOLUME /data
ENV OB_FOLDER=/data \
    OB_LISTEN=0.0.0.0:11337 \
    OB_SELF_URL=http://127.0.0.1:11337
EXPOSE 11337
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["1backend", "--health-check"]
ENTRYPOINT ["1backend"]
