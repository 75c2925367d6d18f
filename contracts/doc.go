// Package contracts holds the Pact contracts between the connector (consumer
// "alma-connector") and Alma's API (provider "alma-api").
//
// The package has no production code. Its tests drive the real connector
// against the Pact mock server, write the pacts to pacts/ and fail when they
// differ from the committed ones (go test ./contracts -update rewrites them),
// then verify the real emulator against those pacts, each provider state set
// up through the emulator's own API and scenario engine. See README.md.
//
// The tests that link pact-go (and the native libpact_ffi) build only with
// the pact tag: go test -tags pact ./contracts/... (make pact, make test).
// Without it the package runs the checks of the committed pact that need no
// library (pactrules_test.go).
package contracts
