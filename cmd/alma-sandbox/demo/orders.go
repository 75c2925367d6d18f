package demo

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/connector"
)

// Order is one order of the demo shop and what the connector reported for
// it, as GET /demo/orders/{ref} shows it.
type Order struct {
	Reference   string   `json:"reference"`
	AmountCents int64    `json:"amount_cents"`
	PaymentID   string   `json:"payment_id,omitempty"`
	Initialize  *Outcome `json:"initialize,omitempty"` // connector.Initialize
	Return      *Outcome `json:"return,omitempty"`     // Verify on the return page
	IPN         *Outcome `json:"ipn,omitempty"`        // Verify run by the IPN handler (the last one)
	Cancel      *Outcome `json:"cancel,omitempty"`     // connector.Cancel after the customer closed the widget
	Abort       *Outcome `json:"abort,omitempty"`      // Verify after that Cancel

	merchantID string // from the widget parameters
}

// Outcome is one connector result, reduced to what a merchant stores.
type Outcome struct {
	PSPStatus string `json:"psp_status"`
	State     string `json:"state"`
	Code      string `json:"code"`
	// Message is what the shop tells the customer: it follows the State
	// (see stateMessages), never the individual code.
	Message string `json:"message"`
	// HTTPStatus and AlmaMessage are Alma's answer, when it sent an error:
	// its status and its message (e.g. the emulator's "unknown scenario").
	HTTPStatus  int       `json:"http_status,omitempty"`
	AlmaMessage string    `json:"alma_message,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	At          time.Time `json:"at"`
}

// stateMessages words each State of the status table for the shop's
// pages. UNCERTAIN is not a refusal: Alma's answer is unknown and the
// orchestrator checks again.
var stateMessages = map[string]string{
	connector.StateSuccess:   "Alma accepted the payment.",
	connector.StateWaiting:   "Waiting for Alma's decision.",
	connector.StatePending:   "Alma asks to try again later.",
	connector.StateUncertain: "Alma did not answer clearly; the payment will be checked again.",
	connector.StateError:     "Alma refused the payment.",
}

// stateMessage is the wording of state; an unknown state says so.
func stateMessage(state string) string {
	if m, ok := stateMessages[state]; ok {
		return m
	}
	return "Unknown outcome (" + state + ")."
}

// newOutcome reduces a connector result.
func newOutcome(r connector.Result, at time.Time) *Outcome {
	o := &Outcome{
		PSPStatus: r.Status.PSPStatus, State: r.Status.State, Code: r.Status.Code,
		Message: stateMessage(r.Status.State), Detail: r.String(), At: at,
	}
	if r.AlmaError != nil {
		o.HTTPStatus = r.HTTPStatus
		o.AlmaMessage = almaMessage(r.AlmaError)
	}
	return o
}

// almaMessage is Alma's message, else its first field error's, else its
// error code.
func almaMessage(e *connector.AlmaError) string {
	switch {
	case e.Message != "":
		return e.Message
	case len(e.Errors) > 0 && e.Errors[0].Message != "":
		return e.Errors[0].Message
	}
	return e.ErrorCode
}

// orderBook keeps the orders in memory, by reference and by payment id.
type orderBook struct {
	mu        sync.Mutex
	byRef     map[string]*Order
	byPayment map[string]string
	sessions  map[string]connector.Session
	merchant  string // the merchant id Alma gave, learned from Initialize
}

func newOrderBook() *orderBook {
	return &orderBook{byRef: map[string]*Order{}, byPayment: map[string]string{}, sessions: map[string]connector.Session{}}
}

// newReference returns a fresh order reference; with a scenario id it
// reads "<scenario>:demo-…", which makes the emulator replay that scenario.
func newReference(scenario string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	ref := "demo-" + hex.EncodeToString(b[:])
	if scenario != "" {
		ref = scenario + ":" + ref
	}
	return ref
}

// maxOrders bounds the order book: the demo is not a shop.
const maxOrders = 10000

// add records a new order and its session; false when the book is full.
func (b *orderBook) add(s connector.Session) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.byRef) >= maxOrders {
		return false
	}
	ref := s.Order.Reference
	b.byRef[ref] = &Order{Reference: ref, AmountCents: s.Amount.Cents()}
	b.sessions[ref] = s
	return true
}

// update runs f on the order ref under the lock; false if unknown.
func (b *orderBook) update(ref string, f func(*Order)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.byRef[ref]
	if ok {
		f(o)
		if o.merchantID != "" {
			b.merchant = o.merchantID
		}
		if o.PaymentID != "" {
			b.byPayment[o.PaymentID] = ref
		}
	}
	return ok
}

// get returns a copy of the order ref and its session.
func (b *orderBook) get(ref string) (Order, connector.Session, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.byRef[ref]
	if !ok {
		return Order{}, connector.Session{}, false
	}
	return *o, b.sessions[ref], true
}

// byPaymentID finds the order of a payment.
func (b *orderBook) byPaymentID(pid string) (Order, connector.Session, bool) {
	b.mu.Lock()
	ref, ok := b.byPayment[pid]
	b.mu.Unlock()
	if !ok {
		return Order{}, connector.Session{}, false
	}
	return b.get(ref)
}

// merchantID is the merchant id the widget is initialized with at page load:
// the one the last payment carried ("" before the first; a real shop has it
// in its configuration).
func (b *orderBook) merchantID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.merchant
}
