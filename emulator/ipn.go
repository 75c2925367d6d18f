package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
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

// Errors of the delivery log. A transport failure is "unreachable" whatever
// the OS said (the detail goes to the server's log): the anonymous log must
// not tell a refused port from a silent one.
const (
	errSkipped     = "skipped by scenario"
	errUnreachable = "unreachable"
	errOutage      = "not sent: an IPN outage (chaos)"
	errNotAllowed  = "destination not allowed (--ipn-allow)"
	errCapped      = "dropped: the payment's attempts are used up"
	errHostBusy    = "dropped: too many attempts in flight to this host"
	errBacklog     = "dropped: the sender's queue is full"
)

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
	// Headers the attempt sent; Answer the start of the receiver's body
	// (maxIPNAnswer bytes); DurationMS the wall time it took.
	Headers    map[string]string `json:"headers,omitempty"`
	Answer     string            `json:"answer,omitempty"`
	DurationMS float64           `json:"duration_ms,omitempty"`
}

// maxIPNAnswer bounds the receiver's answer a delivery keeps.
const maxIPNAnswer = 512

// notice is one notification to deliver.
type notice struct {
	tenant        string // the payment's merchant id: its IPN log
	pid, url, sig string
	host          string // host:port, for the per-destination limit
	ok            bool   // signed with the payment's key
}

// ipnLog is the bounded log of delivery attempts; safe for concurrent use.
// In a pool (the byte budget), it counts the bytes its attempts hold and
// gives up its oldest when the pool is over its limit.
type ipnLog struct {
	mu    sync.Mutex
	ring  ring[delivery]
	seqs  ring[uint64] // each attempt's number in ipnSeq, alongside ring
	pool  *pool
	bytes int64 // held by its attempts
}

// add logs one attempt, dropping the oldest when full, then the oldest of
// its pool's logs when the pool is over its limit.
func (l *ipnLog) add(d delivery) {
	size := sizeOf(&d)
	l.mu.Lock()
	if l.seqs.limit != l.ring.limit {
		l.seqs = newRing[uint64](l.ring.limit)
	}
	if old, evicted := l.ring.push(d); evicted {
		size -= sizeOf(&old)
	}
	l.seqs.push(ipnSeq.Add(1))
	l.bytes += size
	l.pool.charge(size)
	l.mu.Unlock()
	l.pool.trim()
}

// join makes l a member of p, counting what it holds.
func (l *ipnLog) join(p *pool) {
	l.mu.Lock()
	l.pool = p
	p.charge(l.bytes)
	l.mu.Unlock()
	p.join(l)
}

// oldest implements member.
func (l *ipnLog) oldest() (uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seqs.len() == 0 {
		return 0, false
	}
	return l.seqs.at(0), true
}

// dropBefore implements member.
func (l *ipnLog) dropBefore(seq uint64, need int64) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var freed int64
	k := 0
	for ; k < l.seqs.len() && freed < need && l.seqs.at(k) < seq; k++ {
		d := l.ring.at(k)
		freed += sizeOf(&d)
	}
	dropOldest(&l.ring, k)
	dropOldest(&l.seqs, k)
	l.bytes -= freed
	l.pool.charge(-freed)
	return freed
}

// size is the bytes l's attempts hold.
func (l *ipnLog) size() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
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
	l.seqs.reset()
	l.pool.charge(-l.bytes)
	l.bytes = 0
}

// notify arms p's notification as step says (nil: one normal notification),
// the first attempt IPNDelay (plus the step's delay) from now on the
// emulator's clock. Of the step only the IPN fields count: Duplicate sends
// that many extra copies (each retried on its own), BadSignature signs with
// a wrong key, Skip sends nothing but logs one entry. A payment without a
// callback URL is not notified. It runs under p's lock.
func (s *Server) notify(p *payment, step *scenarios.Step, now time.Time) {
	s.notifyAfter(p, step, now, max(s.IPNDelay, 0))
}

// notifyAfter is notify with the first attempt wait before the step's delay.
func (s *Server) notifyAfter(p *payment, step *scenarios.Step, now time.Time, wait time.Duration) {
	if p.IPNCallbackURL == "" {
		return
	}
	if step == nil {
		step = &scenarios.Step{}
	}
	p.note(p.at(now), "ipn", "notification to "+p.IPNCallbackURL)
	log := s.ipnLogOf(p.Tenant)
	if step.Skip {
		log.add(delivery{PaymentID: p.ID, At: now, URL: p.IPNCallbackURL, Error: errSkipped})
		return
	}
	target, err := ipnURL(p.IPNCallbackURL, p.ID)
	if err != nil {
		log.add(delivery{PaymentID: p.ID, Attempt: 1, At: now, URL: p.IPNCallbackURL, Error: err.Error()})
		return
	}
	key := p.APIKey
	if step.BadSignature {
		key = "wrong-" + key
	}
	if !s.ipnAllowed(target) {
		log.add(delivery{PaymentID: p.ID, Attempt: 1, At: now, URL: p.IPNCallbackURL, Error: errNotAllowed})
		return
	}
	n := notice{tenant: p.Tenant, pid: p.ID, url: target, host: hostPort(target), sig: sign(key, p.ID), ok: !step.BadSignature}
	due := now.Add(wait + s.sampler.Draw(step.Delay, maxIPNBackoff))
	for range 1 + min(max(step.Duplicate, 0), scenarios.MaxDuplicate) {
		s.armAttempt(n, 1, due)
	}
}

// armAttempt arms attempt number attempt of n at due; when the sender's
// queue is full at due, the attempt is logged as dropped and retried as a
// failure.
func (s *Server) armAttempt(n notice, attempt int, due time.Time) {
	s.arm(due, timerSpec{Kind: timerIPN, PID: n.pid, Notice: n.record(), Attempt: attempt})
}

// noticeRecord is a notice as a durable timer keeps it.
type noticeRecord struct {
	Tenant string `json:"tenant"`
	URL    string `json:"url"`
	Sig    string `json:"sig"`
	Host   string `json:"host"`
	OK     bool   `json:"ok"`
}

// record is n's stored form.
func (n notice) record() *noticeRecord {
	return &noticeRecord{Tenant: n.tenant, URL: n.url, Sig: n.sig, Host: n.host, OK: n.ok}
}

// notice is the notice a record keeps, of payment pid.
func (r *noticeRecord) notice(pid string) notice {
	return notice{tenant: r.Tenant, pid: pid, url: r.URL, sig: r.Sig, host: r.Host, ok: r.OK}
}

// attempt delivers n once at (the emulator's time) and, on failure, arms
// the next attempt after a doubling backoff, up to IPNMaxAttempts. A payment
// no longer stored (evicted, reset) is not notified; one whose attempts
// reached IPNMaxPerPayment, or whose host has IPNPerHost attempts in
// flight, is not sent (logged as dropped).
func (s *Server) attempt(n notice, attempt int, at time.Time) {
	if s.store.update(n.pid, func(*payment) error { return nil }) != nil {
		s.ipnLimits.forget(n.pid)
		return
	}
	if !s.ipnLimits.enter(n.host, s.IPNPerHost) {
		s.failAttempt(n, attempt, at, delivery{Error: errHostBusy})
		return
	}
	if !s.ipnLimits.take(n.pid, s.IPNMaxPerPayment) {
		s.ipnLimits.leave(n.host)
		s.logAttempt(n, attempt, at, delivery{Error: errCapped})
		return
	}
	var status int
	var answer []byte
	var err error
	start := time.Now()
	outage := s.outage(s.tenants.byMerchant(n.tenant), string(scenarios.OpIPN)) != nil
	if !outage {
		if st, rerr, relayed := s.relay.deliver(s.ipnCtx, n); relayed {
			status, err = st, rerr // delivered by alma-sandbox listen
		} else {
			status, answer, err = s.sendIPN(n)
		}
	}
	took := durationMS(time.Since(start))
	s.ipnLimits.leave(n.host)
	if outage {
		s.failAttempt(n, attempt, at, delivery{Error: errOutage})
		return
	}
	if err != nil && s.ipnCtx.Err() != nil {
		return // closing: not a failure of the receiver
	}
	d := delivery{Status: status, Answer: string(answer), DurationMS: took}
	if err != nil {
		d.Error = errUnreachable
		s.Logger.Debug("ipn attempt unreachable", "payment", n.pid, "attempt", attempt, "err", err)
	}
	if err == nil && status >= 200 && status <= 299 {
		s.logAttempt(n, attempt, at, d)
		return
	}
	s.failAttempt(n, attempt, at, d)
}

// logAttempt logs attempt number attempt of n, d holding its outcome.
func (s *Server) logAttempt(n notice, attempt int, at time.Time, d delivery) {
	d.PaymentID, d.Attempt, d.At, d.URL, d.SignatureOK = n.pid, attempt, at, n.url, n.ok
	d.Headers = map[string]string{SignatureHeader: n.sig}
	s.ipnLogOf(n.tenant).add(d)
}

// failAttempt logs a failed attempt and arms the next after a doubling
// backoff, up to IPNMaxAttempts.
func (s *Server) failAttempt(n notice, attempt int, at time.Time, d delivery) {
	s.logAttempt(n, attempt, at, d)
	s.Logger.Debug("ipn attempt failed", "payment", n.pid, "attempt", attempt, "status", d.Status, "error", d.Error)
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

// ipnLimits counts each payment's attempts and the attempts in flight per
// host:port; safe for concurrent use.
type ipnLimits struct {
	mu       sync.Mutex
	made     map[string]int // attempts per payment id
	inFlight map[string]int // attempts in flight per host:port
}

// maxTracked bounds the payments whose attempts are counted; past it the
// counts start again (a payment then may make up to twice its cap).
const maxTracked = 1 << 16

// take counts one GET of pid and reports whether it is within limit.
func (l *ipnLimits) take(pid string, limit int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.made == nil || len(l.made) >= maxTracked {
		l.made = make(map[string]int)
	}
	if l.made[pid] >= limit {
		return false
	}
	l.made[pid]++
	return true
}

// forget drops pid's count (its payment is gone).
func (l *ipnLimits) forget(pid string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.made, pid)
}

// reset forgets every payment's count (slots in flight stay: their
// attempts still leave).
func (l *ipnLimits) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.made = nil
}

// enter takes a slot of host and reports whether one was free (limit in
// flight).
func (l *ipnLimits) enter(host string, limit int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight == nil {
		l.inFlight = make(map[string]int)
	}
	if l.inFlight[host] >= limit {
		return false
	}
	l.inFlight[host]++
	return true
}

// leave frees host's slot.
func (l *ipnLimits) leave(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inFlight[host]--; l.inFlight[host] <= 0 {
		delete(l.inFlight, host)
	}
}

// ipnAllowed reports whether target's host matches IPNAllow (empty: any).
func (s *Server) ipnAllowed(target string) bool {
	if len(s.IPNAllow) == 0 {
		return true
	}
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	for _, pattern := range s.IPNAllow {
		if hostMatches(strings.ToLower(pattern), host, port) {
			return true
		}
	}
	return false
}

// hostMatches reports whether pattern ("name", "*.suffix", either with an
// optional ":port"; IPv6 in brackets) matches host and port.
func hostMatches(pattern, host, port string) bool {
	if h, p, err := net.SplitHostPort(pattern); err == nil {
		if p != port {
			return false
		}
		pattern = h
	}
	pattern = strings.Trim(pattern, "[]")
	if suffix, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(host, "."+suffix)
	}
	return host == pattern
}

// hostPort is target's host:port (the scheme's port when none is given).
func hostPort(target string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// sendIPN performs the signed GET and returns the receiver's status.
// Redirects are not followed.
func (s *Server) sendIPN(n notice) (int, []byte, error) {
	req, err := http.NewRequestWithContext(s.ipnCtx, http.MethodGet, n.url, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("ipn request: %w", err)
	}
	req.Header.Set(SignatureHeader, n.sig)
	resp, err := s.ipnClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("ipn get: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxIPNAnswer))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, answer, nil
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
