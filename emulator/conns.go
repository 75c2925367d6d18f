package emulator

import (
	"net"
	"net/http"
	"sync"
)

// unusedConns tracks connections that have not carried a request yet.
//
// http.Server.Shutdown treats such a connection as busy for its first five
// seconds; clients with connection pools dial spares that may never be used,
// so a graceful Close would wait them out. Close closes them first instead:
// they carry no request, so nothing is lost.
type unusedConns struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

// track is the http.Server's ConnState hook.
func (u *unusedConns) track(c net.Conn, state http.ConnState) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if state == http.StateNew {
		if u.conns == nil {
			u.conns = make(map[net.Conn]struct{})
		}
		u.conns[c] = struct{}{}
		return
	}
	delete(u.conns, c)
}

// closeAll closes every connection that has not carried a request.
func (u *unusedConns) closeAll() {
	u.mu.Lock()
	defer u.mu.Unlock()
	for c := range u.conns {
		_ = c.Close()
		delete(u.conns, c)
	}
}
