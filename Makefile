# pg-flux build and test entry points.
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/pg-flux/pg-flux/internal/cli.Version=$(VERSION)

.PHONY: build test test-matrix demo lint bench

build: ## build ./pg-flux
	$(GO) build -ldflags "$(LDFLAGS)" -o pg-flux ./cmd/pg-flux

test: ## run every test against real PostgreSQL (needs PostgreSQL server binaries), then the major matrix
	$(GO) test -count=1 -timeout 75m ./...
	./.ci/matrix.sh

test-matrix: ## convergence subset and command-line end-to-end tests on PostgreSQL 14, 16, 17, 18
	./.ci/matrix.sh

demo: build ## run pg-flux on examples/shop against the embedded dev database
	./examples/demo.sh

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	staticcheck ./...
