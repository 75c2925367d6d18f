// Package replay holds the transport primitives of scenario replay: choosing
// a new payment's scenario (Select, Arms), walking a payment's steps (Script,
// Creates), drawing a step's delay and waiting it out (Sampler, Wait),
// dropping or cutting a connection (Drop, Truncate) and patching a JSON body
// (Patch).
//
// It is a leaf: it knows nothing of payments, answers or errors, and calls
// nothing back. The emulator's HTTP layer decides what to do with a step and
// writes every response itself.
package replay
