package demo

import (
	"net/http"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// scenarioHeader names the emulator scenario a new payment replays. The
// emulator answers an id it does not serve with Alma's 400 (invalid_value
// on this header), so a typo in the product page's scenario box shows an
// error instead of silently running the happy path.
const scenarioHeader = "X-Alma-Sandbox-Scenario"

// withScenario returns a copy of c whose requests carry the scenario
// header; c itself is not modified. An empty id returns c.
func withScenario(c *connector.Client, id string) *connector.Client {
	if id == "" {
		return c
	}
	copied := *c
	hc := http.Client{}
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = scenarioTransport{id: id, next: next}
	copied.HTTPClient = &hc
	return &copied
}

// scenarioTransport adds the scenario header to every request.
type scenarioTransport struct {
	id   string
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper without modifying req.
func (t scenarioTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(scenarioHeader, t.id)
	return t.next.RoundTrip(req)
}
