# alma-sandbox: the project's vocabulary. CI calls the same targets a person does.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/alma-sandbox
ADDR  ?= 127.0.0.1:4242

# pact-go v2 links the native libpact_ffi; it lives in a project-local,
# git-ignored folder that `make pact-lib` fills (see contracts/README.md).
PACT_LIB_DIR := $(CURDIR)/.pact/lib
export CGO_LDFLAGS := -L$(PACT_LIB_DIR) -Wl,-rpath,$(PACT_LIB_DIR)
export LD_LIBRARY_PATH := $(PACT_LIB_DIR)$(if $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))

.PHONY: run build test test-go lint vet fmt bench fuzz pact pact-lib verify-alma docker-build docker-up docker-down docker-smoke clean

## run: start the emulator with the embedded scenarios on http://127.0.0.1:4242
run:
	$(GO) run ./cmd/alma-sandbox serve --addr $(ADDR)

## build: the static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o $(BIN) ./cmd/alma-sandbox

## test: everything, with -race: unit, golden, fuzz seeds, status paths, pacts, browser
test: pact-lib vet
	$(GO) test -race -count=1 ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

lint: vet

fmt:
	gofmt -w $$(git ls-files '*.go')

## pact-lib: libpact_ffi 0.4.28 into .pact/lib (idempotent; npm pack, no root)
pact-lib:
	@bash contracts/install-pact-lib.sh $(CURDIR)/.pact

## pact: consumer tests (write and drift-check contracts/pacts), then verify the emulator against them
pact: pact-lib
	$(GO) test -race -count=1 ./contracts/...

## verify-alma: verify Alma's real sandbox against the pacts (needs ALMA_API_KEY=sk_test_…; skipped otherwise)
verify-alma: pact-lib
	@if [ -z "$$ALMA_API_KEY" ]; then echo "verify-alma: SKIPPED: ALMA_API_KEY is not set (a sk_test_ key for api.sandbox.getalma.eu)"; exit 0; fi; \
	case "$$ALMA_API_KEY" in sk_test_*) ;; *) echo "verify-alma: ALMA_API_KEY must be a sk_test_ key" >&2; exit 1;; esac; \
	$(GO) test -tags almasandbox -count=1 -run '^TestVerifyAlmaSandbox$$' -v ./contracts/

clean:
	rm -rf bin artifacts
