package replay

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// catalog builds a catalog from scenarios, failing the test on a duplicate.
func catalog(tb testing.TB, list ...*scenarios.Scenario) *scenarios.Catalog {
	tb.Helper()
	cat, err := scenarios.NewCatalog(list)
	require.NoError(tb, err)
	return cat
}

// steps returns a scenario scripting op with steps.
func steps(id string, op scenarios.Op, s ...scenarios.Step) *scenarios.Scenario {
	return &scenarios.Scenario{ID: id, On: map[scenarios.Op][]scenarios.Step{op: s}}
}

// paymentBody is the normal answer the test servers' act returns.
const paymentBody = `{"id":"payment_1","purchase_amount":10000,"state":"in_progress"}`

// serveStep starts a real server on 127.0.0.1 answering every request with
// e.Serve(step) and an act that counts its calls into *acts (read it only
// after the server is closed). Cleanup closes e first, then the server.
func serveStep(tb testing.TB, e *Engine, step *scenarios.Step, acts *int) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.Serve(w, r, step, func() Answer {
			*acts++
			return Answer{Status: http.StatusOK, Body: []byte(paymentBody)}
		})
	}))
	tb.Cleanup(srv.Close)
	tb.Cleanup(e.Close)
	return srv
}

// client returns a fresh client that never reuses connections (so a fault
// is never hidden by a transport retry) with the given deadline.
func client(tb testing.TB, timeout time.Duration) *http.Client {
	tb.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: timeout}
}
