package emulatortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Card is what a customer types on Alma's page.
type Card struct {
	Number string `json:"number"`
	Expiry string `json:"expiry"`
	CVC    string `json:"cvc"`
}

// YesCard is the orchestrator's public yes card: 4242 4242 4242 4242, 04/42,
// CVC 424. Any other expiry or CVC with that number is declined.
var YesCard = Card{Number: "4242 4242 4242 4242", Expiry: "04/42", CVC: "424"}

// Outcome is the answer of the customer's step.
type Outcome struct {
	Outcome     string `json:"outcome"` // accepted, refused or closed
	State       string `json:"state"`
	ErrorCode   string `json:"error_code"`
	Message     string `json:"message"`
	RedirectURL string `json:"redirect_url"`
}

// Delivery is one IPN attempt in the emulator's delivery log.
type Delivery struct {
	PaymentID   string    `json:"payment_id"`
	Attempt     int       `json:"attempt"`
	At          time.Time `json:"at"`
	URL         string    `json:"url"`
	Status      int       `json:"status"`
	Error       string    `json:"error"`
	SignatureOK bool      `json:"signature_ok"`
}

// Admin drives an emulator's admin API (/__admin), in-process or not: the
// customer's step, forced states, the clock, armed scenarios, the IPN log.
type Admin struct {
	// URL is the emulator's base URL, e.g. "http://127.0.0.1:4242".
	URL string
	// Client sends the calls; LoopbackOnly() if nil.
	Client *http.Client
}

// NewAdmin returns an Admin for the emulator at baseURL.
func NewAdmin(baseURL string) *Admin {
	return &Admin{URL: strings.TrimRight(baseURL, "/"), Client: LoopbackOnly()}
}

// Pay is the customer paying payment id with card.
func (a *Admin) Pay(ctx context.Context, id string, card Card) (Outcome, error) {
	var out Outcome
	err := a.do(ctx, http.MethodPost, "/__admin/payments/"+id+"/customer", map[string]any{"action": "pay", "card": card}, &out)
	return out, err
}

// CloseWidget is the customer closing the In-Page modal of payment id.
func (a *Admin) CloseWidget(ctx context.Context, id string) (Outcome, error) {
	var out Outcome
	err := a.do(ctx, http.MethodPost, "/__admin/payments/"+id+"/customer", map[string]any{"action": "close"}, &out)
	return out, err
}

// Force moves payment id to state, as Alma's scoring or collection would.
func (a *Admin) Force(ctx context.Context, id, state string) error {
	return a.do(ctx, http.MethodPost, "/__admin/payments/"+id+"/state", map[string]string{"state": state}, nil)
}

// Advance moves the emulator's clock forward by d; what falls due (decisions,
// IPNs) fires before it returns.
func (a *Admin) Advance(ctx context.Context, d time.Duration) error {
	return a.do(ctx, http.MethodPost, "/__admin/clock/advance", map[string]string{"by": d.String()}, nil)
}

// AdvancePayment moves payment id's own clock forward by d.
func (a *Admin) AdvancePayment(ctx context.Context, id string, d time.Duration) error {
	return a.do(ctx, http.MethodPost, "/__admin/payments/"+id+"/advance", map[string]string{"by": d.String()}, nil)
}

// Arm gives scenario the next count payments created without one (0
// disarms).
func (a *Admin) Arm(ctx context.Context, scenario string, count int) error {
	return a.do(ctx, http.MethodPost, "/__admin/scenarios/"+scenario+"/arm", map[string]int{"count": count}, nil)
}

// Reset forgets every payment, the journal, armed scenarios and timers.
func (a *Admin) Reset(ctx context.Context) error {
	return a.do(ctx, http.MethodPost, "/__admin/reset", map[string]any{}, nil)
}

// Deliveries is payment id's IPN attempts, oldest first.
func (a *Admin) Deliveries(ctx context.Context, id string) ([]Delivery, error) {
	var out struct {
		Data []Delivery `json:"data"`
	}
	err := a.do(ctx, http.MethodGet, "/__admin/ipn?payment="+id, nil, &out)
	return out.Data, err
}

// do sends one admin call and decodes a 2xx answer into out (if not nil);
// another status is an error carrying the emulator's message.
func (a *Admin) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("emulatortest: %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.URL+path, rd)
	if err != nil {
		return fmt.Errorf("emulatortest: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := a.Client
	if c == nil {
		c = LoopbackOnly()
	}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("emulatortest: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("emulatortest: %s %s: read answer: %w", method, path, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("emulatortest: %s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(data))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("emulatortest: %s %s: decode answer: %w", method, path, err)
	}
	return nil
}
