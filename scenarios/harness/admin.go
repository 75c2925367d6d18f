package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// admin is a tiny client of the emulator's admin API (/__admin/): the
// customer's step, a payment's clock and the IPN delivery log.
type admin struct {
	base    string
	client  *http.Client
	timeout time.Duration
}

// customerAnswer is the answer of POST /__admin/payments/{id}/customer.
type customerAnswer struct {
	Outcome   string `json:"outcome"` // accepted, refused or closed
	State     string `json:"state"`
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

// delivery is one IPN delivery attempt as the admin API shows it.
type delivery struct {
	Attempt     int    `json:"attempt"`
	Status      int    `json:"status"`
	Error       string `json:"error"`
	SignatureOK bool   `json:"signature_ok"`
}

// Default test card: the orchestrator's "yes" card.
const (
	defaultCard   = "4242 4242 4242 4242"
	defaultExpiry = "04/42"
	defaultCVC    = "424"
)

// customer performs the customer's step on a payment: pay with the
// scenario's card (the yes card by default) or close the widget.
func (a *admin) customer(ctx context.Context, paymentID string, c scenarios.Customer) (customerAnswer, error) {
	body := map[string]any{"action": "close"}
	if c.Action != "close" {
		body = map[string]any{"action": "pay", "card": map[string]string{
			"number": or(c.Card, defaultCard), "expiry": or(c.Expiry, defaultExpiry), "cvc": or(c.CVC, defaultCVC),
		}}
	}
	var out customerAnswer
	err := a.do(ctx, http.MethodPost, "/__admin/payments/"+url.PathEscape(paymentID)+"/customer", body, &out)
	return out, err
}

// advance moves one payment's clock ahead.
func (a *admin) advance(ctx context.Context, paymentID string, by time.Duration) error {
	return a.do(ctx, http.MethodPost, "/__admin/payments/"+url.PathEscape(paymentID)+"/advance",
		map[string]string{"by": by.String()}, nil)
}

// arm arms scenario id for the next payment created without one.
func (a *admin) arm(ctx context.Context, id string) error {
	return a.do(ctx, http.MethodPost, "/__admin/scenarios/"+url.PathEscape(id)+"/arm", map[string]int{"count": 1}, nil)
}

// deliveries lists a payment's IPN delivery attempts.
func (a *admin) deliveries(ctx context.Context, paymentID string) ([]delivery, error) {
	var out struct {
		Data []delivery `json:"data"`
	}
	err := a.do(ctx, http.MethodGet, "/__admin/ipn?payment="+url.QueryEscape(paymentID), nil, &out)
	return out.Data, err
}

// scenario fetches GET /__admin/scenarios/{id}: the scenario as the
// emulator serves it, or found false when it has none by that id.
func (a *admin) scenario(ctx context.Context, id string) (served map[string]any, found bool, err error) {
	path := "/__admin/scenarios/" + url.PathEscape(id)
	status, data, err := a.send(ctx, http.MethodGet, path, nil)
	switch {
	case err != nil:
		return nil, false, err
	case status == http.StatusNotFound:
		return nil, false, nil
	case status/100 != 2:
		return nil, false, fmt.Errorf("admin GET %s: %d %s", path, status, strings.TrimSpace(string(data)))
	}
	if err := json.Unmarshal(data, &served); err != nil {
		return nil, false, fmt.Errorf("admin GET %s: decode: %w", path, err)
	}
	return served, true, nil
}

// do sends one admin call and decodes a 2xx answer into out (if not nil).
func (a *admin) do(ctx context.Context, method, path string, body, out any) error {
	status, data, err := a.send(ctx, method, path, body)
	if err != nil {
		return err
	}
	if status/100 != 2 {
		return fmt.Errorf("admin %s %s: %d %s", method, path, status, strings.TrimSpace(string(data)))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("admin %s %s: decode: %w", method, path, err)
	}
	return nil
}

// send sends one admin call and reads the answer, whatever its status.
func (a *admin) send(ctx context.Context, method, path string, body any) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, fmt.Errorf("admin %s %s: encode: %w", method, path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, r)
	if err != nil {
		return 0, nil, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("admin %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("admin %s %s: read: %w", method, path, err)
	}
	return resp.StatusCode, data, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
