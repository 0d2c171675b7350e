# syntax=docker/dockerfile:1
# BookBus: one image, every role (`docker run bookbus ingest|worker|relay|sink …`).

# The toolchain the project is developed with; `--build-arg SWIFT_VERSION=…` picks another 6.1+.
ARG SWIFT_VERSION=6.3

# --- build: the Swift toolchain and libzmq's headers ---
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libzmq3-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product bookbus \
    && install -D "$(swift build -c release --show-bin-path)/bookbus" /out/bookbus

# --- runtime: Debian slim with libzmq, CA roots for wss://, no toolchain ---
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libzmq5 ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 bookbus \
    && useradd --system --uid 10001 --gid bookbus --home-dir /app --no-create-home bookbus
WORKDIR /app
COPY --from=build /out/bookbus /usr/local/bin/bookbus
COPY Config ./Config
COPY data/exchange-level2-2021-10products.timed.jsonl ./data/
COPY data/README.md ./data/
# state/: the only writable place (health file, sink log); compose mounts a volume on it.
RUN mkdir state && chown 10001:10001 state
USER 10001:10001
ENV BOOKBUS_CONFIG=Config/docker.yaml
# 5555 raw bus, 5560 snapshot/group service, 5570/5571 relay; which one a container uses
# depends on its role.
EXPOSE 5555 5560 5570 5571 9100
# The role touches health.file (state/health in Config/docker.yaml) every second while it runs.
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 CMD ["bookbus", "health", "--max-age", "10"]
# tini forwards SIGTERM to bookbus, which stops cleanly and exits 0 (docker stop).
ENTRYPOINT ["tini", "--", "bookbus"]
CMD ["--help"]
