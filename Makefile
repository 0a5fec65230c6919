# pg-flux build and test entry points.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/pg-flux/pg-flux/internal/cli.Version=$(VERSION)

.PHONY: build test demo lint bench

build: ## build ./pg-flux
	$(GO) build -ldflags "$(LDFLAGS)" -o pg-flux ./cmd/pg-flux

test: ## run every test against real PostgreSQL (needs PostgreSQL server binaries)
	$(GO) test -count=1 -timeout 40m ./...

demo: build ## run pg-flux on examples/shop against the embedded dev database
	./examples/demo.sh

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	staticcheck ./...
