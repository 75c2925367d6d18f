//go:build pact

package contracts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// emulatorAdmin sets provider states up through the emulator's public and
// admin APIs, as a merchant, a customer and a tester would. Its create and
// cancel use only Alma's public API, so verify-alma uses them on Alma itself.
type emulatorAdmin struct {
	base   string // the emulator's URL
	apiKey string // the key payments are created with: the consumer's, whose merchant the pact's requests act for
	client *http.Client
}

// newEmulatorAdmin returns the state set-up client for the emulator at base.
func newEmulatorAdmin(base string) *emulatorAdmin {
	return &emulatorAdmin{base: base, apiKey: consumerKey, client: &http.Client{Timeout: 10 * time.Second}}
}

// create makes a payment of 270.92 EUR in 4 installments for order-42, with
// the scenario sc when not empty (X-Alma-Sandbox-Scenario) and a manual
// capture when asked; it returns the payment's id.
func (e *emulatorAdmin) create(sc string, manual bool) (string, error) {
	return e.createExpiring(sc, manual, 0)
}

// expired creates a payment that expires after an hour, then moves its
// clock two hours on, the customer never having paid.
func (e *emulatorAdmin) expired() (string, error) {
	id, err := e.createExpiring("", false, 60)
	if err != nil {
		return "", err
	}
	if err := e.do("POST", "/__admin/payments/"+id+"/advance", nil, map[string]string{"by": "2h"}, nil); err != nil {
		return "", fmt.Errorf("advance %s: %w", id, err)
	}
	return id, nil
}

// createExpiring is create with expires_after (minutes) when not zero.
func (e *emulatorAdmin) createExpiring(sc string, manual bool, expiresAfter int) (string, error) {
	payment := map[string]any{
		"purchase_amount": 27092, "installments_count": 4, "origin": "online_in_page",
		"return_url":  returnURL,
		"custom_data": map[string]any{"order_reference": orderReference},
	}
	if manual {
		payment["capture_method"] = "manual"
	}
	if expiresAfter > 0 {
		payment["expires_after"] = expiresAfter
	}
	body := map[string]any{"payment": payment, "order": map[string]any{"merchant_reference": orderReference}}
	header := http.Header{}
	if sc != "" {
		header.Set("X-Alma-Sandbox-Scenario", sc)
	}
	var p struct {
		ID string `json:"id"`
	}
	if err := e.do("POST", "/v1/payments", header, body, &p); err != nil {
		return "", fmt.Errorf("create payment (scenario %q): %w", sc, err)
	}
	return p.ID, nil
}

// paid creates a payment, pays it with the yes card through the customer's
// step, then runs each of then on it.
func (e *emulatorAdmin) paid(sc string, manual bool, then ...func(string) error) (string, error) {
	id, err := e.create(sc, manual)
	if err != nil {
		return "", err
	}
	if err := e.pay(id); err != nil {
		return "", err
	}
	for _, f := range then {
		if err := f(id); err != nil {
			return "", err
		}
	}
	return id, nil
}

// pay is the customer's step with the yes card; it insists that the card is
// accepted (Alma's scoring may still refuse the payment: scored_no).
func (e *emulatorAdmin) pay(id string) error {
	body := map[string]any{"action": "pay", "card": map[string]string{
		"number": "4242 4242 4242 4242", "expiry": "04/42", "cvc": "424",
	}}
	var out struct {
		Outcome string `json:"outcome"`
		State   string `json:"state"`
		Message string `json:"message"`
	}
	if err := e.do("POST", "/__admin/payments/"+id+"/customer", nil, body, &out); err != nil {
		return fmt.Errorf("customer step on %s: %w", id, err)
	}
	if out.Outcome != "accepted" && (out.Outcome != "refused" || out.State != "scored_no") {
		return fmt.Errorf("customer step on %s: outcome %q (%s), want accepted", id, out.Outcome, out.Message)
	}
	return nil
}

// capture is the merchant's deferred capture of the whole payment.
func (e *emulatorAdmin) capture(id string) error {
	if err := e.do("POST", "/v1/payments/"+id+"/capture", nil, map[string]any{}, nil); err != nil {
		return fmt.Errorf("capture %s: %w", id, err)
	}
	return nil
}

// cancel is the merchant's cancel after the customer closed the widget.
func (e *emulatorAdmin) cancel(id string) error {
	if err := e.do("PUT", "/v1/payments/"+id+"/cancel", nil, nil, nil); err != nil {
		return fmt.Errorf("cancel %s: %w", id, err)
	}
	return nil
}

// payEverything moves the payment's own clock past its last due date, so
// every installment is collected.
func (e *emulatorAdmin) payEverything(id string) error {
	if err := e.do("POST", "/__admin/payments/"+id+"/advance", nil, map[string]string{"by": "2880h"}, nil); err != nil {
		return fmt.Errorf("advance %s: %w", id, err)
	}
	return nil
}

// arm gives the scenario sc to the next payment created without one.
func (e *emulatorAdmin) arm(sc string) error {
	if err := e.do("POST", "/__admin/scenarios/"+sc+"/arm", nil, map[string]int{"count": 1}, nil); err != nil {
		return fmt.Errorf("arm scenario %s: %w", sc, err)
	}
	return nil
}

// reset forgets every payment and armed scenario.
func (e *emulatorAdmin) reset() error {
	if err := e.do("POST", "/__admin/reset", nil, nil, nil); err != nil {
		return fmt.Errorf("reset the emulator: %w", err)
	}
	return nil
}

// do sends one JSON request and decodes a 2xx answer into out (when not
// nil); any other status is an error carrying the body.
func (e *emulatorAdmin) do(method, path string, header http.Header, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Alma-Auth "+e.apiKey)
	if in != nil || method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, raw)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}
