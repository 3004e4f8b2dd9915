# savepoint container image: the savepoint CLI and the GitHub Action
# entrypoint, static, in three targets on one distroless base (runtime):
#
#   shell    minimal plus busybox (a shell and the usual tools, in /bin), for
#            GitLab CI, whose jobs run their script in the image (use
#            `entrypoint: [""]`).
#   plugin   the Drone/Woodpecker plugin (drone/) as the entrypoint, CA
#            certificates, nothing else: ghcr.io/savepoint-ci/savepoint-plugin.
#   minimal  CA certificates and the binaries only (distroless static), for
#            `docker run` and `COPY --from`. The default target. (The GitHub
#            Action runs savepoint-action on the runner, not in an image.)
#
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=v1.0.0 --target minimal -t ghcr.io/savepoint-ci/savepoint:v1 .
#   docker buildx build ... --target shell -t ghcr.io/savepoint-ci/savepoint:v1-shell .
#   docker buildx build ... --target plugin -t ghcr.io/savepoint-ci/savepoint-plugin:1 .
#
# Without a Docker engine, `make image` assembles the same three images with
# go-containerregistry (tools/imagebuild) into an OCI layout in bin/image.
# The images run as root: CI runners mount the workspace owned by their own
# user, and a step container must be able to write it.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
ARG TARGETOS TARGETARCH
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN mkdir /out \
 && export CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
 && go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/savepoint . \
 && go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/savepoint-action ./actions \
 && ln -s savepoint-action /out/savepoint-action-post \
 && mkdir /plugin \
 && go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /plugin/savepoint-plugin ./drone

# What the three targets share: distroless static (CA certificates, /tmp,
# root in /etc/passwd), the labels, the environment and the user.
FROM gcr.io/distroless/static-debian12 AS runtime
ARG VERSION=dev
ARG REVISION=
LABEL org.opencontainers.image.title="savepoint" \
      org.opencontainers.image.source="https://github.com/savepoint-ci/savepoint" \
      org.opencontainers.image.url="https://github.com/savepoint-ci/savepoint" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 0:0
WORKDIR /

FROM runtime AS shell
COPY --from=busybox:1.36-musl /bin/ /bin/
COPY --from=build /out/ /usr/local/bin/
LABEL org.opencontainers.image.description="Deduplicated, encrypted snapshots of CI state with one-step rollback (shell image)"
ENTRYPOINT ["/usr/local/bin/savepoint"]

FROM runtime AS plugin
COPY --from=build /plugin/savepoint-plugin /usr/local/bin/savepoint-plugin
LABEL org.opencontainers.image.description="Deduplicated, encrypted snapshots of CI state with one-step rollback (plugin image)"
ENTRYPOINT ["/usr/local/bin/savepoint-plugin"]

FROM runtime AS minimal
COPY --from=build /out/ /usr/local/bin/
LABEL org.opencontainers.image.description="Deduplicated, encrypted snapshots of CI state with one-step rollback (minimal image)"
ENTRYPOINT ["/usr/local/bin/savepoint"]
