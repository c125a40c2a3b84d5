# dbscim: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/dbscim
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
QUICK     := examples/quickstart
STATICCHECK_VERSION := v0.8.2

.PHONY: all build run okta-lab test test-short test-race lint fuzz bench clean image

all: lint test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/dbscim

# Serve the quickstart (SQLite, created on first start) on http://127.0.0.1:8080.
# validate first: a database left by an older quickstart does not match its
# statements, and starting over is one rm away.
run: build
	@mkdir -p $(QUICK)/data
	@test -s $(QUICK)/data/token || (head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > $(QUICK)/data/token && chmod 600 $(QUICK)/data/token)
	@DBSCIM_TOKEN="$$(cat $(QUICK)/data/token)" ./$(BIN) validate --config $(QUICK)/dbscim.yaml >/dev/null || \
		(echo "The quickstart database does not match $(QUICK)/dbscim.yaml: rm -r $(QUICK)/data to start over." >&2; exit 1)
	@echo "SCIM base URL: http://$${DBSCIM_LISTEN:-127.0.0.1:8080}/scim/v2"
	@echo "Bearer token:  $$(cat $(QUICK)/data/token)"
	@echo "Try:           curl -H \"Authorization: Bearer $$(cat $(QUICK)/data/token)\" http://$${DBSCIM_LISTEN:-127.0.0.1:8080}/scim/v2/Users"
	@echo "               curl -H \"Authorization: Bearer $$(cat $(QUICK)/data/token)\" http://$${DBSCIM_LISTEN:-127.0.0.1:8080}/scim/v2/Groups"
	@DBSCIM_TOKEN="$$(cat $(QUICK)/data/token)" exec ./$(BIN) serve --config $(QUICK)/dbscim.yaml

OKTA_LAB        := examples/okta-lab
OKTA_LAB_CONFIG ?= procedures

# The Okta lab (seed 002) on a local MariaDB: loads the database with load.sh (root on
# 127.0.0.1:3306; MYSQL_PWD and OKTADEMO_* change that), then serves
# examples/okta-lab/$(OKTA_LAB_CONFIG).yaml on https://localhost:8443/scim/v2/oktademo.
okta-lab: build
	@$(OKTA_LAB)/load.sh
	@mkdir -p $(OKTA_LAB)/data
	@test -s $(OKTA_LAB)/data/token || (head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > $(OKTA_LAB)/data/token && chmod 600 $(OKTA_LAB)/data/token)
	@OKTADEMO_TOKEN="$$(cat $(OKTA_LAB)/data/token)" ./$(BIN) credentials --config $(OKTA_LAB)/$(OKTA_LAB_CONFIG).yaml
	@OKTADEMO_TOKEN="$$(cat $(OKTA_LAB)/data/token)" exec ./$(BIN) serve --config $(OKTA_LAB)/$(OKTA_LAB_CONFIG).yaml

# The Helm chart's checks (and the image builder) are a Go module of their own,
# examples/kubernetes/go.mod, so that Helm and the Kubernetes API types stay out of
# dbscim's dependencies. `go test ./...` at the top does not enter it. It uses
# dbscim's packages through a replace directive; -mod=mod lets a dependency added
# to dbscim's go.mod in, before `go mod tidy` has been run in that folder.
KUBE   := examples/kubernetes
KUBEGO := cd $(KUBE) && GOFLAGS=-mod=mod $(GO)

# The container image without Docker: the static binary on an empty base with CA
# certificates and the non-root user 65532, as the Dockerfile builds it, written as
# an OCI image archive (docker load -i / podman load -i / skopeo copy oci-archive:).
IMAGE_ARCH ?= amd64
IMAGE      ?= bin/dbscim-image.tar
image:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o bin/linux-$(IMAGE_ARCH)/dbscim ./cmd/dbscim
	$(KUBEGO) run ./image -created "$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)}" \
	  -binary $(CURDIR)/bin/linux-$(IMAGE_ARCH)/dbscim -arch $(IMAGE_ARCH) -version $(VERSION) -output $(CURDIR)/$(IMAGE)

# All tests. The MariaDB and PostgreSQL suites run when DBSCIM_TEST_MYSQL_DSN and
# DBSCIM_TEST_POSTGRES_DSN are set (and must, under CI=true).
test:
	$(GO) test -count=1 $(TESTFLAGS) ./...
	$(KUBEGO) test -count=1 $(TESTFLAGS) ./...

test-short:
	$(GO) test -short -count=1 ./...

# The engine's packages under the race detector: its caches, limits and stores are
# shared by concurrent requests. Tests that need many requests run fewer here.
test-race:
	$(GO) test -race -count=1 ./engine/...

# lint also builds and vets dbscim for Windows, where it runs as a service
# (docs/windows.md), tests included.
lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(KUBEGO) vet ./...
	$(KUBEGO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/dbscim
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) vet ./cmd/... ./engine/... ./operations/...

# Every fuzz target of the module, each for FUZZTIME. Minimizing a new input is
# bounded by FUZZMINIMIZETIME: Go's default (60 s per input) can eat the whole
# run. The targets are found by name, so a moved package needs no change here; a
# failing input is written to the package's testdata/fuzz, to commit with its fix.
FUZZTIME         ?= 10s
FUZZMINIMIZETIME ?= 2s
fuzz:
	@set -e; for file in $$(git grep -l '^func Fuzz' -- '*_test.go' ':!examples/'); do \
	  pkg=./$$(dirname $$file); \
	  for target in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
	    echo "== $$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg; \
	  done; \
	done

# Benchmarks that print dbscim's ratios to the floor (a minimal net/http handler
# running the same statements) and to the raw driver, measured in the same run on
# SQLite, MariaDB and PostgreSQL (set DBSCIM_TEST_MYSQL_DSN and
# DBSCIM_TEST_POSTGRES_DSN): userName lookup, GET by id and a list page at 8
# clients, then the import walk in pages of 100 and 1000. BENCH_TIME is how long
# each lookup runs; BENCH_USERS sizes the walk.
BENCH_USERS ?= 1000000
BENCH_TIME ?= 10s
bench:
	$(GO) test -run '^$$' -bench 'Lookup' -benchtime $(BENCH_TIME) -timeout 1h ./engine/bench/
	DBSCIM_BENCH_USERS=$(BENCH_USERS) $(GO) test -run '^$$' -bench 'ImportWalk' -benchtime 1x -timeout 3h ./engine/bench/

clean:
	rm -rf bin $(QUICK)/data
