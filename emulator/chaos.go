package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Chaos: time-boxed outages switched on while the emulator runs (POST
// /__admin/chaos). A rule answers a share of one operation's calls with a
// fault, a status or an Alma error until its duration passes on the
// emulator's clock; it then lifts itself. Scenario steps stay the
// per-payment tool; chaos is the live switch, and wins over them.

// The operations a chaos rule may name besides scenarios.Ops: the
// eligibility calls, and every merchant API call at once.
const (
	chaosEligibility = "eligibility"
	chaosAll         = "*"
)

// Bounds of chaos rules.
const (
	maxChaosRules    = 50
	maxChaosDuration = 30 * 24 * time.Hour
)

// chaosRule is one outage.
type chaosRule struct {
	ID          string           `json:"id"`
	Operation   string           `json:"operation"`
	Fault       scenarios.Fault  `json:"fault,omitempty"`
	Status      int              `json:"status,omitempty"`
	Error       *scenarios.Error `json:"error,omitempty"`
	Probability float64          `json:"probability"`
	Seed        int64            `json:"seed,omitempty"`
	Duration    string           `json:"duration"`
	Until       time.Time        `json:"until"` // on the emulator's clock
	Hits        int              `json:"hits"`

	rng *rand.Rand
}

// chaos holds the active rules; safe for concurrent use.
type chaos struct {
	active atomic.Int32 // rules held, so the hot path skips the lock when none
	mu     sync.Mutex
	rules  []*chaosRule
	next   int
}

// step returns the step an active rule for op answers this call with, or
// nil; rules past their time are dropped.
func (c *chaos) step(op string, now time.Time) *scenarios.Step {
	if c.active.Load() == 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(now)
	for _, r := range c.rules {
		if !r.covers(op) || r.rng.Float64() >= r.Probability {
			continue
		}
		r.Hits++
		return &scenarios.Step{Fault: r.Fault, Status: r.Status, Error: r.Error}
	}
	return nil
}

// covers reports whether the rule applies to op ("*": the withOutage
// middleware asks for every merchant API call).
func (r *chaosRule) covers(op string) bool { return r.Operation == op }

// prune drops the rules whose time passed; the caller holds mu.
func (c *chaos) prune(now time.Time) {
	c.rules = slices.DeleteFunc(c.rules, func(r *chaosRule) bool { return !now.Before(r.Until) })
	c.active.Store(int32(len(c.rules)))
}

// list returns the active rules.
func (c *chaos) list(now time.Time) []chaosRule {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(now)
	out := make([]chaosRule, len(c.rules))
	for i, r := range c.rules {
		out[i] = *r
		out[i].rng = nil
	}
	return out
}

// add validates and arms rules, all or none.
func (c *chaos) add(rules []chaosRule, now time.Time) ([]chaosRule, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prune(now)
	if len(c.rules)+len(rules) > maxChaosRules {
		return nil, fieldError("rules", codeTooLong, fmt.Sprintf("at most %d chaos rules at once", maxChaosRules), len(rules))
	}
	armed := make([]*chaosRule, len(rules))
	for i := range rules {
		r := rules[i]
		field := "rules[" + strconv.Itoa(i) + "]"
		if aerr := r.validate(field); aerr != nil {
			return nil, aerr
		}
		d, _ := time.ParseDuration(r.Duration)
		c.next++
		r.ID, r.Until, r.Hits = "chaos_"+strconv.Itoa(c.next), now.Add(d), 0
		s := uint64(r.Seed)
		r.rng = rand.New(rand.NewPCG(s, s^0x2545f4914f6cdd1d))
		armed[i] = &r
	}
	c.rules = append(c.rules, armed...)
	c.active.Store(int32(len(c.rules)))
	out := make([]chaosRule, len(armed))
	for i, r := range armed {
		out[i] = *r
		out[i].rng = nil
	}
	return out, nil
}

// validate checks one rule; a zero probability means 1.
func (r *chaosRule) validate(field string) *apiError {
	ops := []string{chaosAll, chaosEligibility}
	for _, op := range scenarios.Ops() {
		ops = append(ops, string(op))
	}
	answers := 0
	for _, set := range []bool{r.Fault != "", r.Status != 0, r.Error != nil} {
		if set {
			answers++
		}
	}
	d, err := time.ParseDuration(r.Duration)
	switch {
	case !slices.Contains(ops, r.Operation):
		return fieldError(field+".operation", codeInvalidValue, fmt.Sprintf("operation must be one of %v", ops), r.Operation)
	case answers != 1 && r.Operation != string(scenarios.OpIPN):
		return fieldError(field, codeInvalidValue, "a rule answers with exactly one of fault, status or error", nil)
	case r.Fault != "" && !slices.Contains(scenarios.Faults(), r.Fault):
		return fieldError(field+".fault", codeInvalidValue, fmt.Sprintf("fault must be one of %v", scenarios.Faults()), r.Fault)
	case r.Status != 0 && (r.Status < 100 || r.Status > 599):
		return fieldError(field+".status", codeInvalidValue, "status must be an HTTP status (100–599)", r.Status)
	case r.Error != nil && r.Error.Code == "":
		return fieldError(field+".error.code", codeMissingField, "an error needs its code", nil)
	case r.Probability < 0 || r.Probability > 1:
		return fieldError(field+".probability", codeInvalidValue, "probability must be between 0 and 1", r.Probability)
	case err != nil || d <= 0 || d > maxChaosDuration:
		return fieldError(field+".duration", codeInvalidValue, `duration must be positive and at most 720h, such as "10m"`, r.Duration)
	}
	if r.Probability == 0 {
		r.Probability = 1
	}
	return nil
}

// lift removes every rule.
func (c *chaos) lift() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rules = nil
	c.active.Store(0)
}

// chaosStep is the step an active chaos rule answers this request with, or
// nil; it names the outage in the journal. The request's tenant's rules
// apply (on its clock), then the operator's, which apply to every tenant.
func (s *Server) chaosStep(r *http.Request, op string) *scenarios.Step {
	t := tenantOf(r)
	if t == nil && op == chaosAll { // before auth: the key's tenant, if it has one
		if key, aerr := s.secretKey(r.Header.Get("Authorization")); aerr == nil {
			t = s.tenants.known(key)
		}
	}
	st := s.outage(t, op)
	if st != nil {
		info(r).warning = "chaos: " + op + " outage"
	}
	return st
}

// outage is the step t's rules for op answer with, else the operator's.
func (s *Server) outage(t *tenant, op string) *scenarios.Step {
	if t != nil {
		if st := t.chaos.step(op, s.now(t)); st != nil {
			return st
		}
	}
	return s.chaos.step(op, s.clock.now())
}

// chaosOf is the rules an admin call of scope t changes: t's own, or
// (nil) the operator's, which apply to every tenant.
func (s *Server) chaosOf(t *tenant) *chaos {
	if t == nil {
		return &s.chaos
	}
	return &t.chaos
}

// adminChaos answers GET /__admin/chaos (the active rules), POST (add
// {"rules":[…]}) and DELETE (lift them all: Alma is back), for the call's
// scope: a tenant's own rules, or the operator's.
func (s *Server) adminChaos(w http.ResponseWriter, r *http.Request) {
	t := tenantOf(r)
	c, now := s.chaosOf(t), s.now(t)
	switch r.Method {
	case http.MethodPost:
		var body struct {
			Rules []chaosRule `json:"rules"`
		}
		if aerr := decodeBody(r, &body); aerr != nil {
			writeError(w, aerr)
			return
		}
		if len(body.Rules) == 0 {
			writeError(w, fieldError("rules", codeMissingField, "rules is required", nil))
			return
		}
		added, aerr := c.add(body.Rules, now)
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		writeOK(w, map[string]any{"added": added, "data": c.list(now)})
	case http.MethodDelete:
		c.lift()
		writeOK(w, map[string]any{"data": []chaosRule{}})
	default:
		writeOK(w, map[string]any{"data": c.list(now)})
	}
}

// withOutage answers every merchant API call (/v1, /v2) as an active "*"
// rule says, before auth and routing: Alma is down.
func (s *Server) withOutage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPIPath(r.URL.Path) {
			if cs := s.chaosStep(r, chaosAll); cs != nil {
				s.serveStep(w, r, cs, func() answer { return answer{} })
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
