package replay

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Defaults of NotifierOptions' zero fields.
const (
	DefaultIPNRetryBase   = time.Second
	DefaultIPNMaxAttempts = 8
	DefaultIPNMaxLog      = 1000
	maxIPNBackoff         = time.Hour
)

// SignatureHeader carries an IPN's signature.
const SignatureHeader = "X-Alma-Signature"

// NotifierOptions configures a Notifier. The zero value is usable.
type NotifierOptions struct {
	// Client sends the notifications; a client with a 10 s timeout if nil.
	Client *http.Client
	// Delay is waited before the first attempt (Alma: about 60 s); a step's
	// delay adds to it.
	Delay time.Duration
	// RetryBase is the wait after the first failed attempt, doubling after
	// each; DefaultIPNRetryBase if zero.
	RetryBase time.Duration
	// MaxAttempts bounds the attempts of one notification; DefaultIPNMaxAttempts if zero.
	MaxAttempts int
	// MaxLog bounds the delivery log (oldest evicted); DefaultIPNMaxLog if zero.
	MaxLog int
	// Logger receives one line per failed attempt; discarded if nil.
	Logger *slog.Logger
	// Now is the clock stamping deliveries; time.Now if nil.
	Now func() time.Time
	// Seed seeds the random source of a step's delay distribution.
	Seed int64
}

// Delivery is one attempt to deliver an IPN, or a notification a scenario
// skipped (Attempt 0, Error "skipped by scenario").
type Delivery struct {
	PaymentID   string    `json:"payment_id"`
	Attempt     int       `json:"attempt"`
	At          time.Time `json:"at"`
	URL         string    `json:"url"`
	Status      int       `json:"status,omitempty"`
	Error       string    `json:"error,omitempty"`
	SignatureOK bool      `json:"signature_ok"`
}

// errSkipped is the Error of a skipped notification's entry.
const errSkipped = "skipped by scenario"

// Notifier sends signed IPN notifications in the background, retries them
// with backoff until a 2xx and logs every attempt. It is safe for concurrent
// use.
type Notifier struct {
	opt  NotifierOptions
	rand *sampler // draws step delays
	log  *deliveryLog

	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	wg     sync.WaitGroup
}

// NewNotifier returns a notifier; Close it to stop pending deliveries.
func NewNotifier(opt NotifierOptions) *Notifier {
	if opt.Client == nil {
		opt.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if opt.RetryBase <= 0 {
		opt.RetryBase = DefaultIPNRetryBase
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = DefaultIPNMaxAttempts
	}
	if opt.MaxLog <= 0 {
		opt.MaxLog = DefaultIPNMaxLog
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Notifier{
		opt:    opt,
		rand:   newSampler(opt.Seed),
		log:    newDeliveryLog(opt.MaxLog),
		ctx:    ctx,
		cancel: cancel,
	}
}

// Notify schedules the notification of paymentID to callbackURL, signed with
// apiKey, as step says (nil: one normal notification). It returns at once.
// An empty callbackURL or a closed notifier sends nothing.
//
// Of the step, only the IPN fields count: Delay adds to the notifier's delay
// (so successive notifications can arrive out of order), Duplicate sends that
// many extra copies (each retried on its own; at most scenarios.MaxDuplicate,
// also for a scenario built in code the loader never saw), BadSignature signs with a wrong
// key (SignatureOK false), and Skip sends nothing but logs one entry with
// Attempt 0 and Error "skipped by scenario", so the admin API shows it.
func (n *Notifier) Notify(paymentID, callbackURL, apiKey string, step *scenarios.Step) {
	if callbackURL == "" {
		return
	}
	if step == nil {
		step = &scenarios.Step{}
	}
	if step.Skip {
		n.log.add(Delivery{PaymentID: paymentID, At: n.opt.Now(), URL: callbackURL, Error: errSkipped})
		return
	}
	target, err := ipnURL(callbackURL, paymentID)
	if err != nil {
		n.log.add(Delivery{PaymentID: paymentID, Attempt: 1, At: n.opt.Now(), URL: callbackURL, Error: err.Error()})
		return
	}
	key := apiKey
	if step.BadSignature {
		key = "wrong-" + apiKey
	}
	d := notice{pid: paymentID, url: target, sig: Sign(key, paymentID), ok: !step.BadSignature}
	wait := max(n.opt.Delay, 0) + n.rand.draw(step.Delay, maxIPNBackoff)
	for range 1 + min(max(step.Duplicate, 0), scenarios.MaxDuplicate) {
		n.start(d, wait)
	}
}

// notice is one notification to deliver.
type notice struct {
	pid, url, sig string
	ok            bool // signed with the payment's key
}

// start runs one delivery in the background unless the notifier is closed.
func (n *Notifier) start(d notice, wait time.Duration) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.deliver(d, wait)
	}()
}

// deliver waits, then attempts until a 2xx, MaxAttempts or Close.
func (n *Notifier) deliver(d notice, wait time.Duration) {
	backoff := n.opt.RetryBase
	for attempt := 1; attempt <= n.opt.MaxAttempts; attempt++ {
		if !n.sleep(wait) {
			return
		}
		if n.attempt(d, attempt) {
			return
		}
		wait, backoff = backoff, min(2*backoff, maxIPNBackoff)
	}
}

// sleep waits d; false if the notifier closed meanwhile.
func (n *Notifier) sleep(d time.Duration) bool {
	if d <= 0 {
		return n.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-n.ctx.Done():
		return false
	}
}

// attempt sends d once, records it and reports whether it got a 2xx.
func (n *Notifier) attempt(d notice, attempt int) bool {
	rec := Delivery{PaymentID: d.pid, Attempt: attempt, At: n.opt.Now(), URL: d.url, SignatureOK: d.ok}
	status, err := n.send(d)
	rec.Status = status
	if err != nil {
		if n.ctx.Err() != nil {
			return true // closing: not a failure of the receiver
		}
		rec.Error = err.Error()
	}
	n.log.add(rec)
	if err != nil || status < 200 || status > 299 {
		n.opt.Logger.Info("ipn attempt failed", "payment", d.pid, "attempt", attempt, "status", status, "err", err)
		return false
	}
	return true
}

// send performs the signed GET and returns the receiver's status.
func (n *Notifier) send(d notice) (int, error) {
	req, err := http.NewRequestWithContext(n.ctx, http.MethodGet, d.url, nil)
	if err != nil {
		return 0, fmt.Errorf("ipn request: %w", err)
	}
	req.Header.Set(SignatureHeader, d.sig)
	resp, err := n.opt.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("ipn get: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// Deliveries returns the logged attempts for paymentID, oldest first.
func (n *Notifier) Deliveries(paymentID string) []Delivery {
	return n.log.byPayment(paymentID)
}

// Recent returns up to limit logged attempts, newest first (limit ≤ 0: all).
func (n *Notifier) Recent(limit int) []Delivery {
	return n.log.recent(limit)
}

// Close stops pending deliveries and retries and waits for in-flight ones.
func (n *Notifier) Close() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.cancel()
	n.wg.Wait()
}

// Sign is Alma's IPN signature: lowercase hex HMAC-SHA256 of the payment id,
// keyed with the API key.
func Sign(apiKey, paymentID string) string {
	m := hmac.New(sha256.New, []byte(apiKey))
	m.Write([]byte(paymentID))
	return hex.EncodeToString(m.Sum(nil))
}

// ipnURL adds pid=<paymentID> to callbackURL's query, keeping what is there.
func ipnURL(callbackURL, paymentID string) (string, error) {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return "", fmt.Errorf("ipn callback url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("ipn callback url %q: scheme must be http or https", callbackURL)
	}
	pid := "pid=" + url.QueryEscape(paymentID)
	if u.RawQuery == "" {
		u.RawQuery = pid
	} else {
		u.RawQuery += "&" + pid
	}
	return u.String(), nil
}
