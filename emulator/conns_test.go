package emulator_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alma-sandbox/alma-sandbox/emulator"
)

// rawConn dials s and returns the connection with a reader, closed when
// the test ends; every read gives up after 5 s.
func rawConn(t *testing.T, s *emulator.Server) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	return c, bufio.NewReader(c)
}

// readAnswer reads one HTTP answer from rd.
func readAnswer(t *testing.T, rd *bufio.Reader) (*http.Response, string) {
	t.Helper()
	res, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	_ = res.Body.Close()
	return res, string(body)
}

// TestHangOutlastsReadTimeout: ReadTimeout bounds reading the request, not
// a scenario's hang, which holds the request up to HangLimit.
func TestHangOutlastsReadTimeout(t *testing.T) {
	t.Parallel()
	s, c := open(t, testScenarios(t), func(s *emulator.Server) {
		s.ReadTimeout = 100 * time.Millisecond
		s.HangLimit = time.Hour
	})
	id := c.create(20000, set("order.merchant_reference", "get_hang:o"))["id"].(string)
	conn, rd := rawConn(t, s)
	_, err := fmt.Fprintf(conn, "GET /v1/payments/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Alma-Auth %s\r\n\r\n", id, testKey)
	require.NoError(t, err)
	require.Eventually(t, func() bool { return emulator.InFlight(s) == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(5 * s.ReadTimeout)
	assert.EqualValues(t, 1, emulator.InFlight(s), "the hang still holds the request past ReadTimeout")
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(200*time.Millisecond)))
	_, err = rd.ReadByte()
	require.Error(t, err)
	assert.True(t, err.(net.Error).Timeout(), "nothing answered, the connection still open: %v", err)
}

// TestSlowBodyCutByReadTimeout: a body that trickles in is cut at
// ReadTimeout and answered, rather than holding the connection.
func TestSlowBodyCutByReadTimeout(t *testing.T) {
	t.Parallel()
	s, _ := open(t, func(s *emulator.Server) { s.ReadTimeout = 200 * time.Millisecond })
	conn, rd := rawConn(t, s)
	_, err := fmt.Fprintf(conn, "POST /v1/payments HTTP/1.1\r\nHost: x\r\nAuthorization: Alma-Auth %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"payment\":", testKey)
	require.NoError(t, err)
	res, body := readAnswer(t, rd) // the body never comes
	assert.Equal(t, http.StatusBadRequest, res.StatusCode, body)
	assert.Contains(t, body, `"field":"body"`)
}

// TestIdleConnectionClosed: a keep-alive connection without a request is
// closed after IdleTimeout.
func TestIdleConnectionClosed(t *testing.T) {
	t.Parallel()
	s, _ := open(t, func(s *emulator.Server) { s.IdleTimeout = 100 * time.Millisecond })
	conn, rd := rawConn(t, s)
	_, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	res, _ := readAnswer(t, rd)
	require.Equal(t, http.StatusOK, res.StatusCode)
	_, err = rd.ReadByte()
	assert.ErrorIs(t, err, io.EOF, "the server closed the idle connection")
}

// TestHeadersCapped: a request head above MaxHeaderBytes (64 KiB by
// default) is refused.
func TestHeadersCapped(t *testing.T) {
	t.Parallel()
	s, _ := open(t)
	for _, tt := range []struct {
		name string
		size int
		want int
	}{{"60 KiB", 60 << 10, http.StatusOK}, {"80 KiB", 80 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		req, err := http.NewRequest(http.MethodGet, s.URL()+"/healthz", nil)
		require.NoError(t, err)
		req.Header.Set("X-Big", strings.Repeat("a", tt.size))
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err, tt.name)
		_ = res.Body.Close()
		assert.Equal(t, tt.want, res.StatusCode, tt.name)
	}
}

// TestMaxConnsAnswers503: past MaxConns a new connection is answered
// Alma's 503 and closed; once connections close, new ones are served, and
// the descriptors come back.
func TestMaxConnsAnswers503(t *testing.T) {
	t.Parallel()
	const maxConns = 8
	s, _ := open(t, func(s *emulator.Server) { s.MaxConns = maxConns })
	fds := openFDs(t)
	held := make([]net.Conn, maxConns)
	for i := range held {
		conn, rd := rawConn(t, s)
		_, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		res, _ := readAnswer(t, rd) // served: the connection holds a slot
		require.Equal(t, http.StatusOK, res.StatusCode)
		held[i] = conn
	}
	const extra = 100
	var wg sync.WaitGroup
	statuses := make([]int, extra)
	for i := range extra {
		wg.Go(func() {
			tr := &http.Transport{DisableKeepAlives: true}
			defer tr.CloseIdleConnections()
			res, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Get(s.URL() + "/healthz")
			if err != nil {
				return // more than 64 refused at once: closed without an answer
			}
			body, _ := io.ReadAll(res.Body)
			_ = res.Body.Close()
			statuses[i] = res.StatusCode
			if res.StatusCode == http.StatusServiceUnavailable {
				assert.JSONEq(t, `{"message":"Service Unavailable"}`, string(body))
			}
		})
	}
	wg.Wait()
	assert.NotContains(t, statuses, http.StatusOK, "no connection over the cap is served")
	assert.Contains(t, statuses, http.StatusServiceUnavailable)
	assert.EqualValues(t, extra, s.RefusedConns())

	for _, c := range held {
		_ = c.Close()
	}
	require.Eventually(t, func() bool {
		res, err := http.Get(s.URL() + "/healthz")
		if err != nil {
			return false
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond, "slots come back once connections close")
	http.DefaultClient.CloseIdleConnections()
	assert.Eventually(t, func() bool { return openFDs(t) <= fds }, 5*time.Second, 10*time.Millisecond,
		"descriptors back to %d", fds)
}

// openFDs is how many file descriptors the process holds (/proc/self/fd).
func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}
