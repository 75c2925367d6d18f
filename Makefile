# alma-sandbox: the project's vocabulary. CI calls the same targets a person does.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/alma-sandbox
# ADDR: where `make run`, `make demo` and `make scenarios-run` find the emulator:
# `make run ADDR=127.0.0.1:5000`, else $ALMA_SANDBOX_ADDR, else 127.0.0.1:4242.
ADDR  ?= $(or $(ALMA_SANDBOX_ADDR),127.0.0.1:4242)

# pact-go v2 links the native libpact_ffi; it lives in a project-local,
# git-ignored folder that `make pact-lib` fills (see contracts/README.md).
PACT_LIB_DIR := $(CURDIR)/.pact/lib
export CGO_LDFLAGS := -L$(PACT_LIB_DIR) -Wl,-rpath,$(PACT_LIB_DIR)
export LD_LIBRARY_PATH := $(PACT_LIB_DIR)$(if $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))

.PHONY: alma-js hostile mutation run build test demo test-browser status-paths scenarios-run lint vet fmt bench fuzz pact pact-lib verify-alma docker-engine docker-build docker-up docker-down docker-smoke clean

## run: start the emulator with the embedded scenarios on http://$(ADDR) (ADDR=… or ALMA_SANDBOX_ADDR=…)
run: build
	./$(BIN) serve --addr $(ADDR)

## build: the static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o $(BIN) ./cmd/alma-sandbox

## test: everything, with -race: unit, golden, fuzz seeds, status paths, pacts (tag pact), browser
test: pact-lib alma-js vet
	$(GO) vet -tags pact ./contracts/...
	$(GO) test -race -count=1 -tags pact ./...

## hostile: the bounded hostile tests (connection limits, shutdown under load, the IPN sender's limits, a cross-site page in Chromium, RSS at the default caps); short forms in `make test`
hostile:
	$(GO) test -race -count=1 -run 'TestHangOutlastsReadTimeout|TestSlowBodyCutByReadTimeout|TestIdleConnectionClosed|TestHeadersCapped|TestMaxConnsAnswers503|TestIPNAttemptsCappedPerPayment|TestIPNUnreachableHidesTheOSError|TestIPNAllow|TestIPNPerHostLimit|TestSlowBacklogBounded' -v ./emulator/
	$(GO) test -race -count=1 -run 'TestServeShutsDownUnderLoad' -v ./cmd/alma-sandbox/
	$(GO) test -race -count=1 -run 'TestCrossSitePageChangesNothing' -v ./cmd/alma-sandbox/demo/
	$(GO) test -race -count=1 -timeout 5m -run 'TestRSSBudget' -v ./cmd/alma-sandbox/ -args -hostile.long

## demo: the emulator and the demo merchant checkout on http://127.0.0.1:4243/demo/
demo:
	$(GO) run ./cmd/alma-sandbox serve --addr $(ADDR) --demo

## test-browser: the pages, widget, dashboard and demo in headless Chromium (screenshots in artifacts/screenshots/)
test-browser:
	$(GO) test -race -count=1 -run 'InBrowser|TestWidget|TestRefused|TestRefusal|TestReopened' -v ./cmd/alma-sandbox/demo

## status-paths: the 41-row status-path suite against an in-process emulator (also in `make test`)
status-paths:
	$(GO) test -race -count=1 -run 'TestStatusPaths|TestRunWithoutARowScenarioNamesTheRow' -v ./scenarios/harness/

## scenarios-run: the same suite against a running emulator (`make run` elsewhere); JUnit in artifacts/
scenarios-run:
	mkdir -p artifacts && $(GO) run ./cmd/alma-sandbox scenarios run --url http://$(ADDR) --junit artifacts/status-paths.xml

## bench: emulator throughput and p99 at 32 connections next to a bare net/http ceiling (in-process, then
## binary against binary with wrk: ratio, p99, CPU µs per request), startup, RSS;
## the SQLite and PostgreSQL stores' create and get; the engine's and the connector's hot paths
bench: build
	$(GO) test -run '^$$' -bench 'CreatePayment|GetPayment' -benchtime 20000x -count=1 ./emulator/
	$(GO) test -run '^$$' -bench 'Stores' -benchtime 5000x -count=1 ./emulator/
	$(GO) test -run '^$$' -bench 'Startup|Handler' -benchmem -count=1 ./emulator/
	bash .ci/bench-binary
	bash .ci/bench-wrk
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./emulator/replay/ ./connector/

## fuzz: each fuzz target for FUZZTIME (seed corpora already run in `make test`)
FUZZTIME ?= 30s
fuzz:
	@set -e; for t in FuzzCreatePayment FuzzEligibility FuzzPaymentOperations FuzzQuery FuzzAppendString; do \
	  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./emulator/; done
	$(GO) test -run '^$$' -fuzz '^FuzzSelect$$' -fuzztime $(FUZZTIME) ./emulator/replay/
	$(GO) test -run '^$$' -fuzz '^FuzzPatch$$' -fuzztime $(FUZZTIME) ./emulator/replay/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./scenarios/
	@set -e; for t in FuzzClassify FuzzDecodePayment FuzzParseAmount; do \
	  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./connector/; done

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

## lint: gofmt, go vet and staticcheck (pinned; fetched by go run from the module proxy)
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint: vet
	$(GO) run $(STATICCHECK) -tags pact ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## alma-js: Alma's JS client @alma/client 1.1.2, unchanged, into .tools/alma-js (idempotent; npm, no root)
alma-js:
	@bash fidelity/js/install.sh $(CURDIR)/.tools/alma-js

## pact-lib: libpact_ffi 0.4.28 into .pact/lib (idempotent; npm pack, no root)
pact-lib:
	@bash contracts/install-pact-lib.sh $(CURDIR)/.pact

## pact: consumer tests (write and drift-check contracts/pacts), then verify the emulator against them
pact: pact-lib
	$(GO) test -race -count=1 -tags pact ./contracts/...

## mutation: apply each mutant of mutation/mutants.txt alone in a temporary copy of the tree, run its
## packages, print the score and the survivors (MUTANTS=regexp selects some; not run by CI)
MUTANTS ?=
mutation: pact-lib
	$(GO) run ./mutation -mutants mutation/mutants.txt -run '$(MUTANTS)'

## verify-alma: verify Alma's real sandbox against the pacts (needs ALMA_API_KEY=sk_test_…; skipped otherwise)
verify-alma: pact-lib
	@if [ -z "$$ALMA_API_KEY" ]; then echo "verify-alma: SKIPPED: ALMA_API_KEY is not set (a sk_test_ key for api.sandbox.getalma.eu)"; exit 0; fi; \
	case "$$ALMA_API_KEY" in sk_test_*) ;; *) echo "verify-alma: ALMA_API_KEY must be a sk_test_ key" >&2; exit 1;; esac; \
	$(GO) test -tags 'pact almasandbox' -count=1 -run '^TestVerifyAlmaSandbox$$' -v ./contracts/

# Docker: the image is FROM scratch around the host-built static binary (see
# Dockerfile); COMPOSE is Compose v2 when present, else Debian's docker-compose.
DOCKER         ?= docker
IMAGE          ?= alma-sandbox:local
DOCKER_SERVICE ?= alma-sandbox
COMPOSE        ?= $(shell $(DOCKER) compose version >/dev/null 2>&1 && echo "$(DOCKER) compose" || echo docker-compose)

## docker-engine: fail in one line, before any build, unless a Docker engine answers
docker-engine:
	@command -v $(DOCKER) >/dev/null 2>&1 || { echo "no Docker engine is reachable: the $(DOCKER) command is not installed (Debian: sudo apt-get install docker.io; then sudo systemctl start docker)" >&2; exit 1; }
	@timeout 20 $(DOCKER) version --format '{{.Server.Version}}' >/dev/null 2>&1 || { echo "no Docker engine is reachable$(if $(DOCKER_HOST), at DOCKER_HOST=$(DOCKER_HOST)): start one (sudo systemctl start docker, or Docker Desktop), or point DOCKER_HOST at a running one; 'docker version' says why" >&2; exit 1; }

## docker-build: the image $(IMAGE): static binary, non-root user 65532, HEALTHCHECK, port 4242, VOLUME /scenarios
docker-build: docker-engine build
	@$(GO) version -m $(BIN) | grep -q 'CGO_ENABLED=0' || { echo "$(BIN) must be built with CGO_ENABLED=0" >&2; exit 1; }
	@mkdir -p bin/rootfs/etc bin/rootfs/scenarios
	@printf 'root:x:0:0:root:/:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/:/sbin/nologin\n' >bin/rootfs/etc/passwd
	@printf 'root:x:0:\nnonroot:x:65532:\n' >bin/rootfs/etc/group
	$(DOCKER) build --build-arg VERSION=$$(git describe --always --dirty 2>/dev/null || echo dev) -t $(IMAGE) .

## docker-up: build the image, start docker-compose.yml's $(DOCKER_SERVICE) on http://127.0.0.1:4242, wait until healthy
docker-up: docker-build
	ALMA_SANDBOX_IMAGE=$(IMAGE) $(COMPOSE) up -d --no-build $(DOCKER_SERVICE)
	@for i in $$(seq 60); do \
	  s=$$($(DOCKER) inspect -f '{{.State.Health.Status}}' $$($(COMPOSE) ps -q $(DOCKER_SERVICE)) 2>/dev/null); \
	  if [ "$$s" = healthy ]; then echo "$(DOCKER_SERVICE): healthy on http://127.0.0.1:4242"; exit 0; fi; sleep 1; \
	done; echo "$(DOCKER_SERVICE): not healthy after 60 s ($$s)" >&2; $(COMPOSE) logs --tail 30 $(DOCKER_SERVICE) >&2; exit 1

## docker-down: stop and remove the compose services
docker-down:
	ALMA_SANDBOX_IMAGE=$(IMAGE) $(COMPOSE) down --remove-orphans

## docker-smoke: the image and compose file with a real Docker engine (root: installs docker.io, runs dockerd)
docker-smoke:
	bash .ci/docker-smoke

clean:
	rm -rf bin artifacts
