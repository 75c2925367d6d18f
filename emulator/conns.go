package emulator

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// closeReadWait is how long, once Close has begun, a request still being
// read (a slow body) may take to arrive.
const closeReadWait = time.Second

// unusedConns tracks the open connections and which of them have not
// carried a request yet.
//
// http.Server.Shutdown treats a connection without a request as busy for its
// first five seconds; clients with connection pools dial spares that may
// never be used, so a graceful Close would wait them out. Close closes them
// first instead: they carry no request, so nothing is lost. A request whose
// body still trickles in would hold Shutdown until ReadTimeout: Close gives
// it closeReadWait to arrive.
type unusedConns struct {
	mu      sync.Mutex
	conns   map[net.Conn]http.ConnState
	closing bool // Close has begun: a new connection is closed at once
}

// reopen forgets a previous Close: the server listens again.
func (u *unusedConns) reopen() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closing = false
}

// track is the http.Server's ConnState hook.
func (u *unusedConns) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	switch {
	case state == http.StateNew && u.closing:
		_ = c.Close() // accepted while Shutdown closes the listener
	case state == http.StateClosed || state == http.StateHijacked:
		delete(u.conns, c)
	default:
		if u.conns == nil {
			u.conns = make(map[net.Conn]http.ConnState)
		}
		u.conns[c] = state
	}
}

// closeAll closes every connection that has not carried a request, and
// from then on each new one as it is accepted (Shutdown would count them
// busy for five seconds); a request still being read must arrive within
// closeReadWait.
func (u *unusedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closing = true
	for c, state := range u.conns {
		switch state {
		case http.StateNew:
			_ = c.Close()
			delete(u.conns, c)
		case http.StateActive:
			_ = c.SetReadDeadline(time.Now().Add(closeReadWait))
		}
	}
}

// maxRefusing bounds the connections being answered 503 at once; past it, a
// connection over the cap is closed without an answer.
const maxRefusing = 64

// refuseWait bounds how long a refused connection is read from and written
// to.
const refuseWait = time.Second

// busyAnswer is what a connection over MaxConns gets: Alma's bare 503.
const busyAnswer = "HTTP/1.1 503 Service Unavailable\r\n" +
	"Content-Type: application/json\r\nContent-Length: 33\r\nConnection: close\r\n\r\n" +
	`{"message":"Service Unavailable"}`

// capListener holds at most max connections open; one over the cap is
// answered 503 in Alma's shape and closed, so a flood of clients never
// exhausts the process's file descriptors.
type capListener struct {
	net.Listener
	open     atomic.Int64
	max      int64
	refusing chan struct{} // semaphore of connections being refused
	refused  atomic.Int64
}

// newCapListener wraps ln with a cap of max open connections.
func newCapListener(ln net.Listener, max int) *capListener {
	return &capListener{Listener: ln, max: int64(max), refusing: make(chan struct{}, maxRefusing)}
}

// Accept returns the next connection under the cap; those over it are
// refused on their own goroutine (at most maxRefusing at once).
func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.open.Add(1) <= l.max {
			return &cappedConn{Conn: c, open: &l.open}, nil
		}
		l.open.Add(-1)
		l.refuse(c)
	}
}

// refuse answers c 503 once its request has arrived (so the client reads
// the answer rather than a reset), then closes it; with too many refusals
// under way, it just closes c.
func (l *capListener) refuse(c net.Conn) {
	l.refused.Add(1)
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseWait))
		readHead(c)
		_, _ = io.WriteString(c, busyAnswer)
	}()
}

// readHead reads c until the end of a request head (a blank line), at most
// 64 KiB, an error or the deadline.
func readHead(c net.Conn) {
	buf := make([]byte, 4096)
	var tail []byte
	for total := 0; total < 64<<10; {
		n, err := c.Read(buf)
		total += n
		tail = append(tail, buf[:n]...)
		if bytes.Contains(tail, []byte("\r\n\r\n")) || err != nil {
			return
		}
		tail = tail[max(len(tail)-3, 0):]
	}
}

// cappedConn gives its slot back once closed.
type cappedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

// Close closes the connection and frees its slot (once).
func (c *cappedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}
