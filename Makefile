# savepoint: two commands on a fresh machine, `make demo` and `make test`.
# Everything the targets need is installed idempotently under .tools/.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/bin:$(PATH)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
BIN := bin/savepoint

.PHONY: all build demo test test-short bench lint clean

all: build

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

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

lint:
	gofmt -l . | tee /dev/stderr | (! read)
	go vet ./...

clean:
	rm -rf bin .demo
