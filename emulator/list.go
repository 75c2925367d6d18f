package emulator

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// List limits of GET /v1/payments.
const (
	defaultListLimit = 20
	maxListLimit     = 100
)

// listPayments answers GET /v1/payments?limit=&state=a,b&starting_after=:
// newest first, {"data":[…],"has_more":bool}.
func (svc *service) listPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, aerr := parseLimit(q.Get("limit"), defaultListLimit, maxListLimit)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	ids := svc.store.ids()
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
	page, more := svc.page(ids, states, limit)
	replay.WriteAnswer(w, listAnswer(page, more))
}

// page renders up to limit payments among ids whose state is in states
// (all when empty), and whether more match.
func (svc *service) page(ids, states []string, limit int) ([][]byte, bool) {
	var out [][]byte
	for _, id := range ids {
		rec, ok := svc.store.get(id)
		if !ok {
			continue
		}
		rec.mu.Lock()
		svc.settle(rec)
		match := len(states) == 0 || slices.Contains(states, rec.p.State)
		var body []byte
		if match && len(out) < limit {
			body = svc.answer(rec).Body
		}
		rec.mu.Unlock()
		if !match {
			continue
		}
		if len(out) == limit {
			return out, true
		}
		out = append(out, body)
	}
	return out, false
}

// listAnswer writes {"data":[…],"has_more":…} from rendered payments.
func listAnswer(items [][]byte, more bool) replay.Answer {
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
	return replay.Answer{Status: http.StatusOK, Body: b.Bytes(), Header: jsonHeader()}
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
