package replay

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// malformedBody is JSON that does not parse: a payment cut short by a stray
// comma and missing its closing brace.
const malformedBody = `{"id":"payment_malformed","state":"in_progress",,"purchase_amount":`

// truncatedFallback is the full body a truncated fault cuts in half when the
// operation did not run (no Commit) or gave no body.
const truncatedFallback = `{"id":"payment_truncated","state":"in_progress","purchase_amount":10000,"installments_count":3}`

// htmlPage is the body of an html fault: what a proxy's error page looks like.
const htmlPage = "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head>" +
	"<body><h1>Service unavailable</h1><p>The upstream server did not answer.</p></body></html>\n"

// fault injects step's transport fault. ans is act's answer when acted.
func (e *Engine) fault(w http.ResponseWriter, r *http.Request, step *scenarios.Step, ans Answer, acted bool) {
	switch step.Fault {
	case scenarios.FaultHang:
		e.hang(w, r)
	case scenarios.FaultReset:
		e.closeConn(w, true)
	case scenarios.FaultEmpty:
		e.closeConn(w, false)
	case scenarios.FaultMalformed:
		w.Header().Set("Content-Type", contentTypeJSON)
		w.Header().Set("Content-Length", strconv.Itoa(len(malformedBody)))
		w.WriteHeader(statusOr(step.Status, http.StatusOK))
		_, _ = w.Write([]byte(malformedBody))
	case scenarios.FaultTruncated:
		body := []byte(truncatedFallback)
		if acted && len(ans.Body) > 1 {
			body = ans.Body
		}
		e.truncate(w, statusOr(step.Status, http.StatusOK), body)
	case scenarios.FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(htmlPage)))
		w.WriteHeader(statusOr(step.Status, http.StatusOK))
		_, _ = w.Write([]byte(htmlPage))
	default:
		e.opt.Logger.Warn("unknown scenario fault; answering 500", "fault", string(step.Fault))
		writeStatus(w, http.StatusInternalServerError)
	}
}

// hang holds the request until the client leaves, the engine closes or the
// hang limit passes, then drops the connection without an answer.
func (e *Engine) hang(w http.ResponseWriter, r *http.Request) {
	prepareWait(r)
	t := time.NewTimer(e.opt.HangLimit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return
	case <-e.done:
	case <-t.C:
	}
	e.closeConn(w, false)
}

// closeConn takes the connection from net/http and closes it without writing
// a byte; with rst, the close sends a TCP RST instead of a FIN.
func (e *Engine) closeConn(w http.ResponseWriter, rst bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		e.unhijackable(w, err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate announces the full body's Content-Length, writes half of it and
// closes the connection.
func (e *Engine) truncate(w http.ResponseWriter, status int, body []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		e.unhijackable(w, err)
		return
	}
	defer conn.Close()
	writeTruncated(buf.Writer, status, body)
}

// writeTruncated writes an HTTP/1.1 response head for body and half of body.
func writeTruncated(bw *bufio.Writer, status int, body []byte) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	fmt.Fprintf(bw, "Content-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", contentTypeJSON, len(body))
	_, _ = bw.Write(body[:len(body)/2])
	_ = bw.Flush()
}

// unhijackable answers 500 when the connection cannot be taken over (HTTP/2,
// a recorder): the fault cannot be injected faithfully.
func (e *Engine) unhijackable(w http.ResponseWriter, err error) {
	e.opt.Logger.Warn("scenario fault needs an HTTP/1 connection; answering 500", "err", err)
	writeStatus(w, http.StatusInternalServerError)
}
