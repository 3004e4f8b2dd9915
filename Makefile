# savepoint: two commands on a fresh machine, `make demo` and `make test`.
# Everything the targets need is installed idempotently under .tools/.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(PATH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The commit, its time and the dirty flag for `savepoint version` (the Go
# toolchain records none in a linked git worktree).
COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
COMMIT_TIME := $(shell git log -1 --format=%cI 2>/dev/null)
MODIFIED := $(shell test -z "$$(git status --porcelain 2>/dev/null)" && echo false || echo true)
CLIPKG := github.com/savepoint-ci/savepoint/core/cli
LDFLAGS := -s -w -X main.version=$(VERSION) -X $(CLIPKG).buildCommit=$(COMMIT) \
  -X $(CLIPKG).buildCommitTime=$(COMMIT_TIME) -X $(CLIPKG).buildModified=$(MODIFIED)
BIN := bin/savepoint

.PHONY: all build demo test test-short bench lint clean build-plugin image release action-release

all: build

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

# image: the container images without a Docker engine (tools/imagebuild): static
# savepoint, savepoint-action and savepoint-plugin for linux/amd64 and linux/arm64,
# written as an OCI layout in bin/image with three multi-platform indexes, "minimal",
# "plugin" and "shell" (the shell one only for platforms with a static busybox:
# Debian's busybox-static).
IMAGE_ARCHES ?= amd64 arm64
image:
	for arch in $(IMAGE_ARCHES); do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o bin/linux-$$arch/savepoint . && \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o bin/linux-$$arch/savepoint-action ./actions && \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o bin/linux-$$arch/savepoint-plugin ./drone || exit 1; \
	done
	go run ./tools/imagebuild -out bin/image -version $(VERSION) -revision "$$(git rev-parse HEAD 2>/dev/null)" \
	  $(foreach a,$(IMAGE_ARCHES),-platform linux/$(a)=bin/linux-$(a)) \
	  $$(test -x /bin/busybox && echo -busybox linux/$$(go env GOARCH)=/bin/busybox)

# release: the container images (above), then in dist/ the binaries for linux,
# darwin and windows (savepoint_VERSION_windows_ARCH.exe) on amd64 and arm64, a
# CycloneDX SBOM per binary, the shell completions and SHA256SUMS
# (scripts/release.sh; RELEASE_PLATFORMS picks others).
release: image
	VERSION="$(VERSION)" LDFLAGS="$(LDFLAGS)" bash scripts/release.sh

# action-release: the GitHub Action's release assets in bin/action/: savepoint-action
# for linux/amd64 and linux/arm64, gzip'ed (savepoint-action-linux-ARCH.gz), and
# release.json naming them with their SHA-256 under VERSION. A release uploads the .gz
# files as its assets and commits release.json as actions/node/release.json, which
# the action's launcher checks every download against (docs/github.md).
ACTION_ARCHES ?= amd64 arm64
action-release:
	rm -rf bin/action && mkdir -p bin/action
	for arch in $(ACTION_ARCHES); do \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o bin/linux-$$arch/savepoint-action ./actions && \
	  gzip -9nc bin/linux-$$arch/savepoint-action >bin/action/savepoint-action-linux-$$arch.gz || exit 1; \
	done
	{ printf '{\n  "version": "%s",\n  "assets": {' '$(VERSION)'; sep=''; \
	  for arch in $(ACTION_ARCHES); do \
	    printf '%s\n    "linux-%s": {"file": "savepoint-action-linux-%s.gz", "sha256": "%s"}' "$$sep" $$arch $$arch \
	      "$$(sha256sum bin/action/savepoint-action-linux-$$arch.gz | cut -d' ' -f1)"; sep=','; \
	  done; printf '\n  }\n}\n'; } >bin/action/release.json

# build-plugin: the Drone/Woodpecker plugin (drone/), also what Woodpecker's local backend runs.
build-plugin:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/savepoint-plugin ./drone

# demo: init a local repository, save a real directory, list, restore, compare, stats.
demo: build
	bash scripts/demo.sh $(BIN)

# test: unit and integration tests against real servers started on loopback.
test:
	bash scripts/test.sh

# test-short: unit tests only, no servers.
test-short:
	go test -short -count=1 ./...

bench: build
	bash scripts/bench.sh $(BENCH_ARGS)

# fuzz: every fuzz target (decoders of stored bytes) for FUZZTIME each;
# `make test` only replays their seeds and testdata/fuzz corpora.
FUZZTIME ?= 20s
.PHONY: fuzz
fuzz:
	FUZZTIME=$(FUZZTIME) bash scripts/fuzz.sh

# scale: the scale benchmark (bench/scale, not part of `make test`): a tree of
# SCALE_FILES small files and one SCALE_BIG incompressible file, generated,
# saved, restored and compared, with each step's time and peak RSS
# (docs/performance.md). Needs ~30 GB free under SCALE_DIR; removes it after.
SCALE_FILES ?= 1000000
SCALE_BIG ?= 10GB
SCALE_DIR ?= $(CURDIR)/.scale
.PHONY: scale
scale: build
	go run ./bench/scale -files $(SCALE_FILES) -big $(SCALE_BIG) -dir $(SCALE_DIR) -bin $(BIN)

lint:
	gofmt -l . | tee /dev/stderr | (! read)
	go vet ./...

clean:
	rm -rf bin dist .demo

# gitlab-publish: split gitlab/ (the CI/CD component project) into its own
# history and push it to GITLAB_COMPONENT_REMOTE (default branch main; a semver
# tag there makes the component project's pipeline release it).
GITLAB_COMPONENT_REMOTE ?=
GITLAB_COMPONENT_BRANCH ?= main
.PHONY: gitlab-publish
gitlab-publish:
	@test -n "$(GITLAB_COMPONENT_REMOTE)" || { echo "set GITLAB_COMPONENT_REMOTE=git@gitlab.com:GROUP/components.git"; exit 2; }
	git subtree split --prefix=gitlab -b gitlab-component-split
	git push "$(GITLAB_COMPONENT_REMOTE)" gitlab-component-split:$(GITLAB_COMPONENT_BRANCH)
	git branch -D gitlab-component-split
