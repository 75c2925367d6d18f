package emulator

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// List limits of GET /v1/payments.
const (
	defaultListLimit = 20
	maxListLimit     = 100
)

// listPayments answers GET /v1/payments?limit=&state=a,b&starting_after=:
// newest first, {"data":[…],"has_more":bool}.
func (s *Server) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, aerr := parseLimit(q.Get("limit"), defaultListLimit, maxListLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ids := s.store.ids(tenantOf(r).ID)
	if after := q.Get("starting_after"); after != "" {
		i := slices.Index(ids, after)
		if i < 0 {
			writeError(w, fieldError("starting_after", codeInvalidValue, "no payment "+after, after))
			return
		}
		ids = ids[i+1:]
	}
	var states []string
	if s := q.Get("state"); s != "" {
		states = strings.Split(s, ",")
	}
	page, more := s.page(r, ids, states, limit)
	writeAnswer(w, listAnswer(page, more))
}

// page renders up to limit payments among ids whose state is in states
// (all when empty), and whether more match.
func (s *Server) page(r *http.Request, ids, states []string, limit int) ([][]byte, bool) {
	var out [][]byte
	now := s.clock.now()
	t := tenantOf(r)
	more := false
	s.store.scan(ids, func(p *payment) bool {
		if t != nil && p.Tenant != t.ID {
			return true
		}
		p.settle(p.at(now))
		switch match := len(states) == 0 || slices.Contains(states, p.State); {
		case match && len(out) == limit:
			more = true
			return false
		case match:
			out = append(out, s.renderPayment(nil, p))
		}
		return true
	})
	return out, more
}

// listAnswer writes {"data":[…],"has_more":…} from rendered payments.
func listAnswer(items [][]byte, more bool) answer {
	var b bytes.Buffer
	b.WriteString(`{"data":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString(`],"has_more":`)
	b.WriteString(strconv.FormatBool(more))
	b.WriteByte('}')
	return ok(b.Bytes())
}

// parseLimit reads a limit query parameter between 1 and max.
func parseLimit(s string, def, max int) (int, *apiError) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, fieldError("limit", codeInvalidValue, "limit must be an integer between 1 and "+strconv.Itoa(max), s)
	}
	return n, nil
}
