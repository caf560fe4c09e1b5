# QALF's container image (docs/deploying.md): built in a Rust image with the
# tools `cargo xtask build` installs, run in a slim Debian image as an
# unprivileged user, with the data and secrets folders as volumes.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo xtask build

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 qalf \
 && useradd --system --uid 10001 --gid qalf --home-dir /var/lib/qalf \
      --shell /usr/sbin/nologin qalf \
 && install -d -o qalf -g qalf -m 0700 /var/lib/qalf /etc/qalf/secrets
COPY --from=build /src/target/release/qalf-server /usr/local/bin/qalf-server
COPY --from=build /src/dist /usr/share/qalf/dist
USER qalf
ENV QALF_ADDR=0.0.0.0:8080 \
    QALF_DATA_DIR=/var/lib/qalf \
    QALF_SECRETS_DIR=/etc/qalf/secrets \
    QALF_DIST_DIR=/usr/share/qalf/dist
VOLUME ["/var/lib/qalf", "/etc/qalf/secrets"]
EXPOSE 8080
ENTRYPOINT ["qalf-server"]
