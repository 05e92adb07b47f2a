# One entry point for building and testing gaiaflow. `make test` is the
# command README.md and CI use.

GO       ?= go
VENV     ?= .venv
PYTHON   := $(abspath $(VENV))/bin/python
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.1.0-dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X github.com/gaiaflow/gaiaflow/ui/cli.version=$(VERSION) \
            -X github.com/gaiaflow/gaiaflow/ui/cli.commit=$(COMMIT) \
            -X github.com/gaiaflow/gaiaflow/ui/cli.date=$(DATE)
PY_REQS  := .ci/requirements.txt $(wildcard pylib/requirements-test.txt)
PLATFORMS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
# The tests that use a real Docker engine, and their packages: CI runs them on
# every engine it tests (test-docker). `make test` fails when a test ran on the
# engine and these do not cover it (e2e/testlog).
DOCKER_PKGS  := ./services/docker ./services/doctor ./services/stack ./services/build \
                ./ui/cli ./ui/tui/adapter ./e2e ./e2e/faults
DOCKER_TESTS := ^TestRealDocker|^TestRealNode$$
# go test -json, printed as plain go test prints it, each package's summary
# naming the Docker engine its tests ran on.
TESTLOG  := $(GO) run ./e2e/testlog
SHELL    := bash
.SHELLFLAGS := -o pipefail -c

.PHONY: build install test test-go test-py test-docker lint cross venv clean bench e2e

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o gaiaflow .

install:
	$(GO) install -ldflags '$(LDFLAGS)' .

# Everything: Go unit and integration tests, then the Python library's tests,
# in a virtual environment with Airflow that this target creates when missing.
test: venv lint test-go test-py

test-go: venv
	GAIAFLOW_PYTHON=$(PYTHON) $(GO) test -json -count=1 -timeout 45m ./... | \
		$(TESTLOG) -docker-packages "$(DOCKER_PKGS)" -docker-tests '$(DOCKER_TESTS)'

# The real-daemon tests again, on the engine DOCKER_HOST names: CI runs them on
# Debian's Docker 20.10 (make test) and on a current engine (e2e/engine).
test-docker: venv
	GAIAFLOW_PYTHON=$(PYTHON) $(GO) test -json -count=1 -timeout 45m -run '$(DOCKER_TESTS)' $(DOCKER_PKGS) | $(TESTLOG)

test-py: venv
	cd pylib && $(PYTHON) -m pytest -q -p no:cacheprovider tests

# The end-to-end suite: the real binary drives a real stack built from the
# image kit (e2e/images; needs root and a Docker daemon). See e2e/README.md.
e2e:
	GAIAFLOW_E2E=1 $(GO) test -count=1 -timeout 60m -v -run TestE2E ./e2e

lint: venv
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(PYTHON) -m ruff check --no-cache pylib
	$(PYTHON) -m ruff format --no-cache --check pylib

cross:
	@for p in $(PLATFORMS); do \
		echo "go build $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null . || exit 1; \
	done

venv: $(VENV)/.installed

$(VENV)/.installed: $(PY_REQS)
	python3 -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q $(foreach r,$(PY_REQS),-r $(r))
	touch $@

clean:
	rm -f gaiaflow

# Measure gaiaflow against its baselines; writes docs/benchmarks.md and .json.
.PHONY: bench
bench:
	$(GO) run ./bench -out docs -work $${GAIAFLOW_BENCH_DIR:-/var/cache/gaiaflow-bench}
