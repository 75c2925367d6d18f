package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Client drives Alma's API for the orchestrator. Set its exported fields
// before the first call; a Client is then safe for concurrent use.
type Client struct {
	// BaseURL is Alma's API root without a trailing slash, e.g.
	// https://api.sandbox.getalma.eu or the emulator's URL.
	BaseURL string
	// APIKey is the merchant's secret key (sk_test_… or sk_live_…). It is
	// sent in the Authorization header and signs IPNs; it prints redacted.
	APIKey Secret
	// HTTPClient sends the requests; nil means http.DefaultClient. Its own
	// Timeout should be zero or above the per-operation Timeouts, which bound
	// each call. Its CheckRedirect is ignored: the connector never follows a
	// redirect (Go would re-send a create's POST on 307/308), it classifies
	// the 3xx itself. The client given is not modified.
	HTTPClient *http.Client
	// Timeouts bounds each operation (per attempt); a zero field means
	// DefaultTimeout.
	Timeouts Timeouts
	// VerifyRetry is how Verify retries 5xx answers and transport errors.
	// Create is never retried: a lost answer may hide a created payment
	// (see Reconcile).
	VerifyRetry Retry
	// IPNCallbackURL is sent as each payment's ipn_callback_url; empty sends
	// none.
	IPNCallbackURL string
	// Plan is the one payment plan the connector offers; the zero Plan means
	// DefaultPlan (almacb4x).
	Plan Plan
	// Now is the clock, used to time calls in logs.
	Now func() time.Time
	// Logger receives one line per operation result (row, payment, HTTP
	// status, Alma's error code; Info, or Warn for ERROR and UNCERTAIN rows)
	// and, at Debug, one per HTTP call (method, path, status, duration).
	// Never keys, bodies or card data; Alma's messages are logged with keys
	// and card numbers redacted. nil (NewClient's default) discards: the
	// connector is silent unless given a Logger.
	Logger *slog.Logger
	// UserAgent is sent with every request; empty sends DefaultUserAgent.
	UserAgent string
	// ReconcilePages and ReconcilePageSize bound Reconcile's search.
	ReconcilePages    int
	ReconcilePageSize int
	// MaxAnswerBytes bounds how much of one answer is read; zero means
	// DefaultMaxAnswerBytes. A longer answer is not cut: it is an unreadable
	// answer (a Verify stays UNCERTAIN).
	MaxAnswerBytes int64
}

// Timeouts bounds each kind of call to Alma; each attempt gets its own.
type Timeouts struct {
	Create      time.Duration // POST /v1/payments
	Verify      time.Duration // GET /v1/payments/{id}, and the potential-fraud report
	Capture     time.Duration // POST /v1/payments/{id}/capture
	Cancel      time.Duration // PUT /v1/payments/{id}/cancel
	Refund      time.Duration // POST /v1/payments/{id}/refund
	Reconcile   time.Duration // each GET /v1/payments page
	Eligibility time.Duration // POST /v1/payments/eligibility
}

// Retry is a bounded retry policy.
type Retry struct {
	// Attempts is the total number of tries, the first included (1 = none).
	Attempts int
	// Backoff is the wait before the second try; it doubles after each try.
	Backoff time.Duration
}

// DefaultUserAgent is the User-Agent NewClient sets.
const DefaultUserAgent = "alma-sandbox-connector/1 (Go)"

// DefaultTimeout bounds a call whose Timeouts field is zero.
const DefaultTimeout = 10 * time.Second

// DefaultMaxAnswerBytes bounds an answer when MaxAnswerBytes is zero. The
// emulator's largest payment is about 7 MiB: a create body of at most 1 MiB
// whose every character may be written as a 6-byte JSON escape, plus 50
// orders of 16 KiB; 16 MiB leaves room for its refunds.
const DefaultMaxAnswerBytes = 16 << 20

// errTooLarge is an answer longer than MaxAnswerBytes.
var errTooLarge = errors.New("answer larger than the connector's MaxAnswerBytes")

// errNotFinal is an informational (1xx) answer that is not followed by a
// final one, e.g. 101 Switching Protocols: Alma's outcome is unknown.
var errNotFinal = errors.New("informational answer, no final answer")

// NewClient returns a Client for Alma at baseURL with the merchant's secret
// key and the defaults: 10 s per call (create 15 s), Verify tried 3 times
// from 100 ms doubling, plan almacb4x, the system clock, no logger (silent),
// and an HTTP client that does not follow redirects (Alma never sends one).
func NewClient(baseURL, apiKey string) *Client {
	return &Client{
		BaseURL:    strings.TrimRight(baseURL, "/"),
		APIKey:     Secret(apiKey),
		HTTPClient: &http.Client{CheckRedirect: noRedirect},
		Timeouts: Timeouts{
			Create: 15 * time.Second, Verify: DefaultTimeout, Capture: DefaultTimeout,
			Cancel: DefaultTimeout, Refund: DefaultTimeout, Reconcile: DefaultTimeout,
			Eligibility: DefaultTimeout,
		},
		VerifyRetry:       Retry{Attempts: 3, Backoff: 100 * time.Millisecond},
		Plan:              DefaultPlan(),
		Now:               time.Now,
		UserAgent:         DefaultUserAgent,
		ReconcilePages:    5,
		ReconcilePageSize: 100,
	}
}

// answer is what came back from one call: a status and body, or an error.
type answer struct {
	status      int
	contentType string
	body        []byte
	// err is a transport error (no answer) when status is 0, else an error
	// reading the body (a truncated answer).
	err error
	// notSent is set when the request could not be built: nothing left.
	notSent bool
}

// call sends one request to Alma within timeout and reads the answer.
func (c *Client) call(ctx context.Context, op string, timeout time.Duration, method, path string, body any) answer {
	start := c.now()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	a := c.send(ctx, method, path, body)
	c.logger().LogAttrs(ctx, slog.LevelDebug, "alma call",
		slog.String("op", op), slog.String("method", method), slog.String("path", path),
		slog.Int("status", a.status), slog.Duration("elapsed", c.now().Sub(start)),
		slog.Bool("error", a.err != nil))
	return a
}

// send builds, sends and reads one request. Every wait ends with ctx: the
// body is closed when ctx is done, so neither a stalled body nor a 101
// answer's raw connection can hold the call past its deadline.
func (c *Client) send(ctx context.Context, method, path string, body any) answer {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return answer{err: err, notSent: true}
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return answer{err: fmt.Errorf("%s %s: %w", method, path, unwrapURLError(err))}
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type")}
	if resp.StatusCode < 200 {
		a.err = fmt.Errorf("%s %s: %d: %w", method, path, resp.StatusCode, errNotFinal)
		return a
	}
	stop := context.AfterFunc(ctx, func() { resp.Body.Close() })
	defer stop()
	a.body, err = readAtMost(resp.Body, c.maxAnswer())
	if err != nil {
		a.err = fmt.Errorf("%s %s: read answer: %w", method, path, errors.Join(err, ctx.Err()))
	}
	return a
}

// readAtMost reads r to its end; an answer longer than limit is errTooLarge.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err == nil && int64(len(b)) > limit {
		return b[:limit], fmt.Errorf("%w (%d bytes)", errTooLarge, limit)
	}
	return b, err
}

// maxAnswer is MaxAnswerBytes, DefaultMaxAnswerBytes when unset.
func (c *Client) maxAnswer() int64 {
	if c.MaxAnswerBytes <= 0 {
		return DefaultMaxAnswerBytes
	}
	return c.MaxAnswerBytes
}

// newRequest builds a request with Alma's headers and a JSON body.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Alma-Auth "+string(c.APIKey))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", firstNonEmpty(c.UserAgent, DefaultUserAgent))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// httpClient is a copy of the caller's client (http.DefaultClient when nil)
// that answers every redirect with the redirect itself, whatever the
// caller's CheckRedirect: a 3xx is classified, never followed, so a create
// is never sent twice.
func (c *Client) httpClient() *http.Client {
	base := c.HTTPClient
	if base == nil {
		base = http.DefaultClient
	}
	hc := *base
	hc.CheckRedirect = noRedirect
	return &hc
}

// noRedirect makes an http.Client return a redirect as the last response.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

// plan is the configured plan, DefaultPlan when unset.
func (c *Client) plan() Plan {
	if c.Plan == (Plan{}) {
		return DefaultPlan()
	}
	return c.Plan
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}
