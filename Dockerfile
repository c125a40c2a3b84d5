# dbscim in a container: a static binary (CGO_ENABLED=0; the SQLite driver is pure
# Go) on distroless, running as a non-root user. See docs/operations.md ("Container").
# Where no Docker engine runs, `make image` writes an equivalent image as an OCI
# archive, and the Helm chart in examples/kubernetes runs it on Kubernetes.
#
#   docker build -t dbscim --build-arg VERSION=$(git describe --tags --always) .
#   docker run --rm -p 8443:8443 \
#     -v $PWD/dbscim.yaml:/etc/dbscim/dbscim.yaml:ro \
#     -v dbscim-data:/var/lib/dbscim \
#     -e OKTADEMO_TOKEN -e OKTADEMO_DB_PASSWORD dbscim
#
# In the configuration, listen on every interface of the container and keep
# writable files in the volume:
#
#   server:
#     listen: :8443
#     data_dir: /var/lib/dbscim

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/dbscim ./cmd/dbscim \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/dbscim /usr/local/bin/dbscim
# The state volume (tls: auto certificate, SQLite files), owned by the image's
# non-root user (65532) so that a fresh named volume is writable.
COPY --from=build --chown=65532:65532 /out/data /var/lib/dbscim
USER 65532:65532
VOLUME ["/var/lib/dbscim"]
EXPOSE 8443
# SIGTERM drains requests in flight before exiting (give the orchestrator's stop
# timeout more than the longest request_timeout + 5 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/dbscim"]
CMD ["serve", "--config", "/etc/dbscim/dbscim.yaml"]
