package contracts

// The tests of this package link pact-go, which links libpact_ffi. These flags
// let a plain `go test ./contracts/...` find the copy `make pact-lib` puts in
// the repository's .pact/lib, without exporting CGO_LDFLAGS by hand.

// #cgo linux LDFLAGS: -L${SRCDIR}/../.pact/lib -Wl,-rpath,${SRCDIR}/../.pact/lib
import "C"
