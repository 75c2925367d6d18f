package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// SignatureHeader carries an IPN's signature.
const SignatureHeader = "X-Alma-Signature"

// maxIPNBackoff caps the wait between two attempts of a notification.
const maxIPNBackoff = time.Hour

// maxIPNLog bounds the IPN delivery log.
const maxIPNLog = 1000

// errSkipped is the Error of a notification a scenario skipped.
const errSkipped = "skipped by scenario"

// delivery is one attempt to deliver an IPN, or a notification a scenario
// skipped (Attempt 0, Error "skipped by scenario").
type delivery struct {
	PaymentID   string    `json:"payment_id"`
	Attempt     int       `json:"attempt"`
	At          time.Time `json:"at"`
	URL         string    `json:"url"`
	Status      int       `json:"status,omitempty"`
	Error       string    `json:"error,omitempty"`
	SignatureOK bool      `json:"signature_ok"`
}

// notice is one notification to deliver.
type notice struct {
	pid, url, sig string
	ok            bool // signed with the payment's key
}

// ipnLog is the bounded log of delivery attempts; safe for concurrent use.
type ipnLog struct {
	mu   sync.Mutex
	ring ring[delivery]
}

// add logs one attempt.
func (l *ipnLog) add(d delivery) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring.push(d)
}

// of returns pid's attempts, oldest first.
func (l *ipnLog) of(pid string) []delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ring.oldestFirst(func(d delivery) bool { return d.PaymentID == pid })
}

// recent returns up to limit attempts, newest first.
func (l *ipnLog) recent(limit int) []delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ring.newestFirst(limit, nil)
}

// reset forgets every attempt.
func (l *ipnLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring.reset()
}

// notify arms p's notification as step says (nil: one normal notification),
// the first attempt IPNDelay (plus the step's delay) from now on the
// emulator's clock. Of the step only the IPN fields count: Duplicate sends
// that many extra copies (each retried on its own), BadSignature signs with
// a wrong key, Skip sends nothing but logs one entry. A payment without a
// callback URL is not notified. It runs under p's lock.
func (s *Server) notify(p *payment, step *scenarios.Step, now time.Time) {
	if p.IPNCallbackURL == "" {
		return
	}
	if step == nil {
		step = &scenarios.Step{}
	}
	p.note(p.at(now), "ipn", "notification to "+p.IPNCallbackURL)
	if step.Skip {
		s.ipnLog.add(delivery{PaymentID: p.ID, At: now, URL: p.IPNCallbackURL, Error: errSkipped})
		return
	}
	target, err := ipnURL(p.IPNCallbackURL, p.ID)
	if err != nil {
		s.ipnLog.add(delivery{PaymentID: p.ID, Attempt: 1, At: now, URL: p.IPNCallbackURL, Error: err.Error()})
		return
	}
	key := p.APIKey
	if step.BadSignature {
		key = "wrong-" + key
	}
	n := notice{pid: p.ID, url: target, sig: sign(key, p.ID), ok: !step.BadSignature}
	due := now.Add(max(s.IPNDelay, 0) + s.sampler.Draw(step.Delay, maxIPNBackoff))
	for range 1 + min(max(step.Duplicate, 0), scenarios.MaxDuplicate) {
		s.armAttempt(n, 1, due)
	}
}

// armAttempt arms attempt number attempt of n at due.
func (s *Server) armAttempt(n notice, attempt int, due time.Time) {
	s.timers.at(due, n.pid, true, func(at time.Time) { s.attempt(n, attempt, at) })
}

// attempt delivers n once at (the emulator's time) and, on failure, arms
// the next attempt after a doubling backoff, up to IPNMaxAttempts. A payment
// no longer stored (evicted, reset) is not notified.
func (s *Server) attempt(n notice, attempt int, at time.Time) {
	if s.store.update(n.pid, func(*payment) error { return nil }) != nil {
		return
	}
	d := delivery{PaymentID: n.pid, Attempt: attempt, At: at, URL: n.url, SignatureOK: n.ok}
	var status int
	var err error
	if s.chaos.step(string(scenarios.OpIPN), at) != nil {
		err = errors.New("not sent: an IPN outage (chaos)")
	} else if st, rerr, relayed := s.relay.deliver(s.ipnCtx, n); relayed {
		status, err = st, rerr // delivered by alma-sandbox listen
	} else {
		status, err = s.sendIPN(n)
	}
	if err != nil && s.ipnCtx.Err() != nil {
		return // closing: not a failure of the receiver
	}
	d.Status = status
	if err != nil {
		d.Error = err.Error()
	}
	s.ipnLog.add(d)
	if err == nil && status >= 200 && status <= 299 {
		return
	}
	s.Logger.Debug("ipn attempt failed", "payment", n.pid, "attempt", attempt, "status", status, "err", err)
	if attempt >= s.IPNMaxAttempts {
		s.Logger.Info("ipn given up", "payment", n.pid, "attempts", attempt, "url", n.url)
		return
	}
	backoff := s.IPNRetryBase
	for range attempt - 1 {
		backoff = min(2*backoff, maxIPNBackoff)
	}
	s.armAttempt(n, attempt+1, at.Add(backoff))
}

// sendIPN performs the signed GET and returns the receiver's status.
// Redirects are not followed.
func (s *Server) sendIPN(n notice) (int, error) {
	req, err := http.NewRequestWithContext(s.ipnCtx, http.MethodGet, n.url, nil)
	if err != nil {
		return 0, fmt.Errorf("ipn request: %w", err)
	}
	req.Header.Set(SignatureHeader, n.sig)
	resp, err := s.ipnClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("ipn get: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// noRedirects makes a client return a redirect as it is.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// ipnClient is HTTPClient (a 10 s timeout if nil) that never follows a
// redirect, so a signature never travels to a host the merchant did not name.
func ipnClient(c *http.Client) *http.Client {
	if c == nil {
		return &http.Client{Timeout: DefaultIPNTimeout, CheckRedirect: noRedirects}
	}
	cc := *c
	cc.CheckRedirect = noRedirects
	return &cc
}

// sign is Alma's IPN signature: lowercase hex HMAC-SHA256 of the payment id,
// keyed with the API key.
func sign(apiKey, paymentID string) string {
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
		return "", errors.New("ipn callback url: scheme must be http or https")
	}
	pid := "pid=" + url.QueryEscape(paymentID)
	if u.RawQuery == "" {
		u.RawQuery = pid
	} else {
		u.RawQuery += "&" + pid
	}
	return u.String(), nil
}
