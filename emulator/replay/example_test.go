package replay_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// A payment whose Verify answers 502 twice, then normally.
func Example() {
	sc := &scenarios.Scenario{ID: "verify_bad_gateway", On: map[scenarios.Op][]scenarios.Step{
		scenarios.OpGet: {{Status: http.StatusBadGateway, Times: 2}},
	}}
	cat, err := scenarios.NewCatalog([]*scenarios.Scenario{sc})
	if err != nil {
		fmt.Println(err)
		return
	}
	e := replay.New(cat, replay.Options{Seed: 42})
	defer e.Close()

	picked, err := e.Select("", "verify_bad_gateway:order-42") // POST /v1/payments
	if err != nil {
		fmt.Println(err)
		return
	}
	script := replay.NewScript(picked) // kept with the payment
	for range 3 {                      // GET /v1/payments/{id}
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/v1/payments/payment_1", nil)
		e.Serve(rec, req, script.Next(scenarios.OpGet), func() replay.Answer {
			return replay.Answer{Body: []byte(`{"id":"payment_1","state":"in_progress"}`)}
		})
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 502 {"message":"Bad Gateway"}
	// 502 {"message":"Bad Gateway"}
	// 200 {"id":"payment_1","state":"in_progress"}
}
