package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// issue is a problem found in a decoded scenario, located by the path of
// the key it is about ("on.capture[0].status").
type issue struct {
	path string
	msg  string
}

// The tables a file's values are checked against. They are arrays so that
// no one can change them; the functions below return copies.
var (
	almaStates      = [...]string{"not_started", "scored_no", "scored_maybe", "scored_yes", "in_progress", "paid", "stopped", "late", "default", "hold", "delegated", "covered", "claimed"}
	decisionStates  = [...]string{"scored_yes", "scored_no"}
	flows           = [...]Flow{FlowCapture, FlowAuthorize, FlowPending}
	faults          = [...]Fault{FaultHang, FaultReset, FaultEmpty, FaultMalformed, FaultTruncated, FaultHTML, FaultStall}
	customerActions = [...]string{"pay", "close", "none"}
)

// AlmaStates returns every payment state Alma reports, in lifecycle order,
// then the collection states that exist after the sale: the one table of
// them (a step may set any; the emulator's admin API may force any).
func AlmaStates() []string { return slices.Clone(almaStates[:]) }

// DecisionStates returns the states Alma's later decision may reach.
func DecisionStates() []string { return slices.Clone(decisionStates[:]) }

// Flows returns the connector flows a scenario may drive.
func Flows() []Flow { return slices.Clone(flows[:]) }

// Faults returns the transport faults a step may inject.
func Faults() []Fault { return slices.Clone(faults[:]) }

// CustomerActions returns what the customer may do at the widget.
func CustomerActions() []string { return slices.Clone(customerActions[:]) }

// known lists a table's values for a message: "a, b, c".
func known[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// MaxDuplicate bounds an IPN step's duplicate: each copy is a delivery of
// its own, with its own retries.
const MaxDuplicate = 10

// idRe is what an id may look like: it is carried in order references as
// "<id>:<suffix>", so it has no colon.
var idRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// ValidID reports whether id is a well-formed scenario id: 1 to 64
// lowercase letters, digits, _ and -, starting with a letter or digit, no
// colon. It says nothing of whether a catalogue holds it.
func ValidID(id string) bool { return idRe.MatchString(id) }

// MaxDueMonths bounds an entry of expect.due_months (ten years).
const MaxDueMonths = 120

// MaxAPIKeyLen bounds a scenario's api_key.
const MaxAPIKeyLen = 128

// apiKeyRe is what a scenario's api_key may hold: printable ASCII without
// spaces (it goes into a header), possibly empty after its prefix.
var apiKeyRe = regexp.MustCompile(`^[!-~]{1,128}$`)

// amountRe is a session amount in major units.
var amountRe = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,2})?$`)

// Validate checks a scenario built in code the way the loader checks a file;
// the problems carry the scenario's File and Line.
func (sc *Scenario) Validate() error {
	var ps Problems
	for _, is := range sc.check() {
		ps = append(ps, Problem{File: sc.File, Line: sc.Line, Msg: is.msg})
	}
	if len(ps) > 0 {
		return ps
	}
	return nil
}

// check returns every semantic problem of the scenario.
func (sc *Scenario) check() []issue {
	var out []issue
	add := func(path, format string, args ...any) {
		out = append(out, issue{path: path, msg: fmt.Sprintf(format, args...)})
	}
	switch {
	case sc.ID == "":
		add("id", "id is missing: every scenario needs one (lowercase letters, digits, _ and -)")
	case !ValidID(sc.ID):
		add("id", "id %q must be lowercase letters, digits, _ and - (no colon: order references carry it as <id>:<suffix>)", sc.ID)
	}
	if sc.Flow != "" && !slices.Contains(flows[:], sc.Flow) {
		add("flow", "unknown flow %q (known: %s)", sc.Flow, known(flows[:]))
	}
	for i, s := range sc.Expect.Trail {
		if strings.TrimSpace(s) == "" {
			add(fmt.Sprintf("expect.trail[%d]", i), "trail entries are PSP statuses and may not be empty")
		}
	}
	for i, m := range sc.Expect.DueMonths {
		if m < 0 || m > MaxDueMonths {
			add(fmt.Sprintf("expect.due_months[%d]", i), "due_months entries are months after creation, 0 to %d, not %d", MaxDueMonths, m)
		}
	}
	for i, s := range sc.Drive {
		if _, err := ParseAction(s); err != nil {
			add(fmt.Sprintf("drive[%d]", i), "%s", err.Error())
		}
	}
	if sc.Arms() && len(sc.On) > 0 {
		add("on", "a drive that arms (arm:<id>) creates its payments under the armed scenarios: this scenario's own on: steps would never apply")
	}
	if a := sc.Customer.Action; a != "" && !slices.Contains(customerActions[:], a) {
		add("customer.action", "unknown customer action %q (known: %s)", a, known(customerActions[:]))
	}
	if sc.Session != nil && sc.Session.Amount != "" && !amountRe.MatchString(sc.Session.Amount) {
		add("session.amount", "session amount %q must be a decimal in major units, e.g. \"270.92\"", sc.Session.Amount)
	}
	out = append(out, sc.checkAPIKey()...)
	out = append(out, sc.checkDecision()...)
	for _, op := range ops {
		for i, st := range sc.On[op] {
			out = append(out, st.check(op, fmt.Sprintf("on.%s[%d]", op, i))...)
		}
	}
	return out
}

// checkAPIKey refuses an api_key that cannot go into a header, or that
// could be a real live key: no such key belongs in a file.
func (sc *Scenario) checkAPIKey() []issue {
	k := sc.APIKey
	switch {
	case k == "":
		return nil
	case len(k) > MaxAPIKeyLen || !apiKeyRe.MatchString(k):
		return []issue{{"api_key", fmt.Sprintf("api_key must be 1 to %d printable ASCII characters without spaces, e.g. \"sk_test_\"", MaxAPIKeyLen)}}
	case strings.HasPrefix(k, "sk_live_") && k != "sk_live_":
		return []issue{{"api_key", "api_key must not be a live key (sk_live_…): no real key belongs in a scenario file; a bare \"sk_live_\" tests the refusal"}}
	}
	return nil
}

func (sc *Scenario) checkDecision() []issue {
	d := sc.Decision
	if d == nil {
		return nil
	}
	if !slices.Contains(decisionStates[:], d.State) {
		return []issue{{"decision.state", fmt.Sprintf("decision state %q must be %s", d.State, strings.Join(decisionStates[:], " or "))}}
	}
	return nil
}

// check returns the problems of one step of operation op at path.
func (st Step) check(op Op, path string) []issue {
	var out []issue
	add := func(key, format string, args ...any) {
		out = append(out, issue{path: path + key, msg: fmt.Sprintf(format, args...)})
	}
	if st.Fault != "" && !slices.Contains(faults[:], st.Fault) {
		add(".fault", "unknown fault %q (known: %s)", st.Fault, known(faults[:]))
	}
	if st.Status != 0 && (st.Status < 100 || st.Status > 599) {
		add(".status", "status %d is not an HTTP status (100–599)", st.Status)
	}
	if st.Status != 0 && (st.Fault == FaultHang || st.Fault == FaultReset || st.Fault == FaultEmpty) {
		add(".status", "fault %s sends no answer, so a status means nothing here", st.Fault)
	}
	if st.Error != nil && st.Error.Code == "" {
		add(".error", "error needs a code (e.g. card_declined, or missing_field with a field)")
	}
	if st.Error != nil && (st.Fault != "" || st.Body != "") {
		add(".error", "a step answers one thing: error, fault or body, not several")
	}
	if st.Body != "" && st.Fault != "" {
		add(".body", "a step answers one thing: body or fault, not both")
	}
	if st.Body != "" && st.Status == 0 {
		add(".body", "a raw body needs the status to answer it with")
	}
	if st.State != "" && !slices.Contains(almaStates[:], st.State) {
		add(".state", "unknown payment state %q (known: %s)", st.State, known(almaStates[:]))
	}
	if st.State != "" && op != OpCustomer && op != OpGet {
		add(".state", "state is for on.customer and on.get steps only: the emulator ignores it on %s", op)
	}
	if st.Commit && !st.answersInstead() {
		add(".commit", "commit only means something with a fault, error or status that hides the real answer")
	}
	if st.Delay != nil {
		out = append(out, st.Delay.check(path+".delay")...)
	}
	out = append(out, st.checkIPN(op, path)...)
	return out
}

// answersInstead reports whether the step replaces the normal answer.
func (st Step) answersInstead() bool {
	return st.Fault != "" || st.Error != nil || st.Status != 0
}

func (st Step) checkIPN(op Op, path string) []issue {
	var out []issue
	if op != OpIPN && (st.Skip || st.Duplicate != 0 || st.BadSignature) {
		out = append(out, issue{path, "skip, duplicate and bad_signature are for on.ipn steps only"})
	}
	if st.Duplicate < 0 {
		out = append(out, issue{path + ".duplicate", fmt.Sprintf("duplicate %d must not be negative", st.Duplicate)})
	}
	if st.Duplicate > MaxDuplicate {
		out = append(out, issue{path + ".duplicate", fmt.Sprintf("duplicate %d is more than %d extra copies", st.Duplicate, MaxDuplicate)})
	}
	if op == OpIPN && (st.Status != 0 || st.Error != nil || st.Body != "" || st.Fault != "" || st.Commit) {
		out = append(out, issue{path, "an ipn step may only say delay, times, skip, duplicate or bad_signature"})
	}
	return out
}

// check returns the problems of a delay.
func (d Delay) check(path string) []issue {
	uniform := d.Min != 0 || d.Max != 0
	normal := d.Mean != 0 || d.Stddev != 0
	switch {
	case btoi(uniform)+btoi(normal)+btoi(d.Fixed != 0) > 1:
		return []issue{{path, "a delay is one of: fixed \"150ms\", {min, max} or {mean, stddev}"}}
	case uniform && d.Max < d.Min:
		return []issue{{path, fmt.Sprintf("delay max %s is below min %s", d.Max, d.Min)}}
	case uniform && d.Max == 0:
		return []issue{{path, "a uniform delay needs max"}}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
