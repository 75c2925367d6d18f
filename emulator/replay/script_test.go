package replay

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// statuses walks n calls of op and returns each step's Status (0 = nil step).
func statuses(s *Script, op scenarios.Op, n int) []int {
	out := make([]int, n)
	for i := range out {
		if st := s.Next(op); st != nil {
			out[i] = st.Status
		}
	}
	return out
}

func TestScriptSequences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps []scenarios.Step
		want  []int
	}{
		{name: "no steps", want: []int{0, 0}},
		{name: "one step, times defaults to 1", steps: []scenarios.Step{{Status: 500}}, want: []int{500, 0, 0}},
		{name: "fail twice then succeed", steps: []scenarios.Step{{Status: 502, Times: 2}}, want: []int{502, 502, 0, 0}},
		{name: "successive answers", steps: []scenarios.Step{{Status: 503}, {Status: 500, Times: 2}, {Status: 429}},
			want: []int{503, 500, 500, 429, 0}},
		{name: "always", steps: []scenarios.Step{{Status: 504, Times: scenarios.Always}}, want: []int{504, 504, 504, 504}},
		{name: "always after a first answer", steps: []scenarios.Step{{Status: 500}, {Status: 503, Times: scenarios.Always}, {Status: 418}},
			want: []int{500, 503, 503, 503}},
		{name: "negative times other than always counts once", steps: []scenarios.Step{{Status: 500, Times: -5}}, want: []int{500, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewScript(steps("x", scenarios.OpGet, tt.steps...))
			assert.Equal(t, tt.want, statuses(s, scenarios.OpGet, len(tt.want)))
		})
	}
}

func TestScriptOpsIndependent(t *testing.T) {
	t.Parallel()
	sc := &scenarios.Scenario{ID: "x", On: map[scenarios.Op][]scenarios.Step{
		scenarios.OpGet:     {{Status: 500}},
		scenarios.OpCapture: {{Status: 402}, {Status: 503}},
	}}
	s := NewScript(sc)
	assert.Same(t, sc, s.Scenario())
	assert.Equal(t, []int{402}, statuses(s, scenarios.OpCapture, 1))
	assert.Equal(t, []int{500, 0}, statuses(s, scenarios.OpGet, 2))
	assert.Equal(t, []int{503, 0}, statuses(s, scenarios.OpCapture, 2))
	assert.Nil(t, s.Next(scenarios.OpRefund))
}

func TestScriptNil(t *testing.T) {
	t.Parallel()
	assert.Nil(t, NewScript(nil).Next(scenarios.OpGet))
	assert.Nil(t, NewScript(nil).Scenario())
	var s *Script
	assert.Nil(t, s.Next(scenarios.OpGet))
	assert.Nil(t, s.Scenario())
}

func TestScriptConcurrentCallsShareTheCount(t *testing.T) {
	t.Parallel()
	s := NewScript(steps("x", scenarios.OpGet, scenarios.Step{Status: 500, Times: 50}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	scripted := 0
	for range 100 {
		wg.Go(func() {
			if s.Next(scenarios.OpGet) != nil {
				mu.Lock()
				scripted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 50, scripted)
}

func TestCreateStep(t *testing.T) {
	t.Parallel()
	a := steps("a", scenarios.OpCreate, scenarios.Step{Status: 500, Times: 2}, scenarios.Step{Status: 503})
	b := steps("b", scenarios.OpCreate, scenarios.Step{Status: 429})
	e := New(catalog(t, a, b), Options{})
	status := func(sc *scenarios.Scenario, key string) int {
		if st := e.CreateStep(sc, key); st != nil {
			return st.Status
		}
		return 0
	}
	assert.Equal(t, 500, status(a, "a:1"))
	assert.Equal(t, 500, status(a, "a:2"), "another reference has its own cursor")
	assert.Equal(t, 500, status(a, "a:1"))
	assert.Equal(t, 503, status(a, "a:1"))
	assert.Equal(t, 0, status(a, "a:1"))
	assert.Equal(t, 429, status(b, "a:1"), "another scenario has its own cursor")
	assert.Equal(t, 0, status(nil, "a:1"))
	assert.Nil(t, e.CreateStep(&scenarios.Scenario{ID: "none"}, "k"))
	e.Reset()
	assert.Equal(t, 500, status(a, "a:1"), "reset forgets the cursors")
}

func TestCursorMapBounded(t *testing.T) {
	t.Parallel()
	sc := steps("a", scenarios.OpCreate, scenarios.Step{Status: 500})
	m := newCursorMap(3)
	first := m.get("k0", sc)
	for i := 1; i <= 3; i++ {
		m.get(fmt.Sprintf("k%d", i), sc)
	}
	assert.Len(t, m.byKey, 3)
	assert.NotSame(t, first, m.get("k0", sc), "the oldest key was evicted")
	assert.Len(t, m.byKey, 3)
	other := steps("a", scenarios.OpCreate, scenarios.Step{Status: 503})
	assert.Same(t, other, m.get("k0", other).Scenario(), "a changed scenario restarts the key")
}

// TestTwoHundredScripts serves 200 payments, each with its own scenario,
// concurrently through one real server: each sees exactly its own sequence.
func TestTwoHundredScripts(t *testing.T) {
	t.Parallel()
	const n = 200
	e := New(nil, Options{})
	t.Cleanup(e.Close)
	scripts := make(map[string]*Script, n)
	for i := range n {
		id := fmt.Sprintf("p%d", i)
		scripts[id] = NewScript(steps(id, scenarios.OpGet, scenarios.Step{Status: 500 + i%4, Times: scenarios.Times(i%3 + 1)}))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		e.Serve(w, r, scripts[id].Next(scenarios.OpGet), func() Answer {
			return Answer{Body: fmt.Appendf(nil, `{"id":%q}`, id)}
		})
	}))
	t.Cleanup(srv.Close)
	c := &http.Client{Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id := fmt.Sprintf("p%d", i)
			want := make([]int, i%3+2)
			for j := range want {
				want[j] = 500 + i%4
			}
			want[len(want)-1] = http.StatusOK
			got := make([]int, len(want))
			for j := range got {
				resp, err := c.Get(srv.URL + "?id=" + id)
				if !assert.NoError(t, err) {
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				assert.NoError(t, err)
				got[j] = resp.StatusCode
				if resp.StatusCode == http.StatusOK {
					assert.JSONEq(t, fmt.Sprintf(`{"id":%q}`, id), string(body))
				}
			}
			assert.Equal(t, want, got, id)
		})
	}
	wg.Wait()
}
