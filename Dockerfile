# incident-bot in a container: built in one stage, run as a non-root user in a small one.
#
#   docker build -t incident-bot .
#   docker run -d --name incident-bot -e DISCORD_TOKEN=… -v incident-bot:/data \
#     -p 127.0.0.1:8080:8080 -p 127.0.0.1:8081:8081 incident-bot
#
# 8080 is the private listener (/livez, /readyz, /metrics). It listens on 0.0.0.0 inside the
# container only so that Docker can publish it: publish it on the host's loopback alone
# (-p 127.0.0.1:8080:8080), never on a public address (-p 8080:8080 opens it on every address
# of the host, past the host's firewall rules). 8081 is the public listener (the status page
# and the alert webhooks): publish it where your reverse proxy reaches it.
#
# The database and the config that setup writes live on the /data volume. `docker stop` sends
# SIGTERM: the bot finishes the work in flight (up to 10 s) and exits 0.

FROM rust:1.94-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY templates ./templates
# The chart font, compiled into the binary (include_bytes!).
COPY assets ./assets
COPY config ./config
COPY benches ./benches
RUN cargo build --release --locked --bin incident-bot

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin incident-bot \
    && mkdir -p /data && chown incident-bot:incident-bot /data
COPY --from=build /src/target/release/incident-bot /usr/local/bin/incident-bot
USER incident-bot
WORKDIR /data
VOLUME ["/data"]
ENV INCIDENT_BOT__DATABASE__PATH=/data/incident-bot.db \
    INCIDENT_BOT__HTTP__LISTEN=0.0.0.0:8080 \
    INCIDENT_BOT__HTTP__PUBLIC_LISTEN=0.0.0.0:8081 \
    INCIDENT_BOT__LOG__FORMAT=json
EXPOSE 8080 8081
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/incident-bot"]
CMD ["run"]
