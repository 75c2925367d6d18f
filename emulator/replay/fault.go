package replay

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
)

// MalformedBody is JSON that does not parse: a payment cut short by a stray
// comma and missing its closing brace.
const MalformedBody = `{"id":"payment_malformed","state":"in_progress",,"purchase_amount":`

// TruncatedFallback is the full body a truncated fault cuts in half when the
// operation did not run or gave no body.
const TruncatedFallback = `{"id":"payment_truncated","state":"in_progress","purchase_amount":10000,"installments_count":3}`

// HTMLPage is the body of an html fault: what a proxy's error page looks like.
const HTMLPage = "<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head>" +
	"<body><h1>Service unavailable</h1><p>The upstream server did not answer.</p></body></html>\n"

// Drop takes the connection from net/http and closes it without writing a
// byte; with rst, the close sends a TCP RST instead of a FIN. It fails, with
// nothing written, when the connection cannot be taken (HTTP/2, a recorder).
func Drop(w http.ResponseWriter, rst bool) error {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("drop connection: %w", err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0)
	}
	return conn.Close()
}

// Truncate takes the connection, announces body's full Content-Length with
// status, writes half of body and closes. It fails, with nothing written,
// when the connection cannot be taken.
func Truncate(w http.ResponseWriter, status int, body []byte) error {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("truncate answer: %w", err)
	}
	defer conn.Close()
	writeTruncated(buf.Writer, status, body)
	return nil
}

// Stall takes the connection, announces body's full Content-Length with
// status, writes half of body, then holds the connection open until hold
// returns, and closes it: a body that stops arriving. hold is given a
// channel closed when the client hangs up. It fails, with nothing written,
// when the connection cannot be taken.
func Stall(w http.ResponseWriter, status int, body []byte, hold func(clientGone <-chan struct{})) error {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return fmt.Errorf("stall answer: %w", err)
	}
	defer conn.Close()
	writeTruncated(buf.Writer, status, body)
	gone := make(chan struct{})
	go func() {
		defer close(gone)
		var b [512]byte
		for {
			if _, err := conn.Read(b[:]); err != nil {
				return // the client closed, or Stall closed the connection
			}
		}
	}()
	hold(gone)
	return nil
}

// writeTruncated writes an HTTP/1.1 response head for body and half of body.
func writeTruncated(bw *bufio.Writer, status int, body []byte) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	fmt.Fprintf(bw, "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	_, _ = bw.Write(body[:len(body)/2])
	_ = bw.Flush()
}
