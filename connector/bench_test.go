package connector_test

import (
	"context"
	"testing"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// BenchmarkInitialize measures a full Initialize (check, mapping, one POST
// to a local server, classification) for the full session.
func BenchmarkInitialize(b *testing.B) {
	c, _ := newStub(b, reply(200, paymentJSON("not_started", 27092, nil)))
	c.Logger = nil // discard: the benchmark measures the connector, not the log buffer
	s := loadSession(b, "session_full.json")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Initialize(ctx, s, connector.FlowAuthorize); r.Status.PSPStatus != "not_started" {
			b.Fatal(r)
		}
	}
}

// BenchmarkVerify measures Verify against a local server.
func BenchmarkVerify(b *testing.B) {
	c, _ := newStub(b, reply(200, paymentJSON("in_progress", 27092, nil)))
	c.Logger = nil // discard: the benchmark measures the connector, not the log buffer
	s := minimalSession(27092)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if r := c.Verify(ctx, payID, s); r.Status.PSPStatus != "in_progress" {
			b.Fatal(r)
		}
	}
}
