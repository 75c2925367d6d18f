//go:build pact

package contracts

// The tests of this package that link pact-go, and so libpact_ffi, build only
// with the pact tag (`make test`, `make pact`): a plain `go test ./...` on a
// machine without the library runs the rest. These flags let
// `go test -tags pact ./contracts/...` find the copy `make pact-lib` puts in
// the repository's .pact/lib, without exporting CGO_LDFLAGS by hand.

// #cgo linux LDFLAGS: -L${SRCDIR}/../.pact/lib -Wl,-rpath,${SRCDIR}/../.pact/lib
import "C"
