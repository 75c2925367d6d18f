// Package fidelity runs Alma's own clients, unchanged, against the emulator:
// today @alma/client, Alma's JavaScript client (fidelity/js), from the npm
// registry. Its test is the judge of the emulator's wire format from the
// clients' side; it has no code of its own.
package fidelity
