package replay

import (
	"fmt"
	"strings"
	"sync"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// FieldHeader is the request header that names a scenario for a new
// payment, and so the field the emulator's validation error names when the
// header holds an unknown id.
const FieldHeader = "X-Alma-Sandbox-Scenario"

// SelectError reports a scenario id, named by the FieldHeader header, that
// the catalog does not hold. It is Select's only error: a merchant reference
// naming no scenario is an ordinary order reference.
type SelectError struct {
	Value string // the header as sent
}

// Error implements error.
func (e *SelectError) Error() string {
	return fmt.Sprintf("unknown scenario %q in %s", e.Value, FieldHeader)
}

// Lookup finds a scenario by id; *scenarios.Catalog is one.
type Lookup interface {
	Get(id string) (*scenarios.Scenario, bool)
}

// Select picks the scenario for a new payment: header value, then merchant
// reference (equal to an id or "<id>:…"), then the first armed scenario,
// else nil. An unknown id named in the header returns a *SelectError.
//
// A reference names a scenario only when it is an id, or starts with an id
// and a colon: any other reference ("ORD:1", "42") is an ordinary order
// reference and never an error, since real references carry colons too.
// An armed scenario is consumed only when it is returned. arms may be nil.
func Select(cat Lookup, arms *Arms, header, merchantReference string) (*scenarios.Scenario, error) {
	if cat == nil {
		cat = (*scenarios.Catalog)(nil) // knows no scenario
	}
	if id := strings.TrimSpace(header); id != "" {
		sc, ok := cat.Get(id)
		if !ok {
			return nil, &SelectError{Value: header}
		}
		return sc, nil
	}
	if sc, ok := cat.Get(merchantReference); ok && merchantReference != "" {
		return sc, nil
	}
	if id, _, found := strings.Cut(merchantReference, ":"); found {
		if sc, ok := cat.Get(id); ok {
			return sc, nil
		}
	}
	if id := arms.take(); id != "" {
		sc, _ := cat.Get(id)
		return sc, nil
	}
	return nil, nil
}

// Arms are the scenarios armed for the next payments created without one,
// in arming order. The zero value is ready; it is safe for concurrent use.
type Arms struct {
	mu   sync.Mutex
	list []armed
}

// armed is one scenario armed for the next payments.
type armed struct {
	id    string
	count int
}

// MaxArmCount bounds how many payments one arming can cover; counts add up
// to it and stop there.
const MaxArmCount = 1_000_000

// Arm makes the next count payments created without a scenario get scenario
// id, after any scenario armed before it. Arming an id again adds to its
// count (saturating at MaxArmCount); count 0 disarms it. The caller checks
// that id names a scenario.
func (a *Arms) Arm(id string, count int) error {
	if count < 0 {
		return fmt.Errorf("arm %q: negative count %d", id, count)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range a.list {
		if a.list[i].id != id {
			continue
		}
		if count == 0 {
			a.list = append(a.list[:i], a.list[i+1:]...)
		} else {
			a.list[i].count = min(a.list[i].count+min(count, MaxArmCount), MaxArmCount)
		}
		return nil
	}
	if count > 0 {
		a.list = append(a.list, armed{id: id, count: min(count, MaxArmCount)})
	}
	return nil
}

// Armed returns the armed scenarios and how many payments each still awaits.
func (a *Arms) Armed() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]int, len(a.list))
	for _, x := range a.list {
		out[x.id] = x.count
	}
	return out
}

// Reset disarms everything.
func (a *Arms) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = nil
}

// Take consumes one payment of the first armed scenario and returns its
// id, or "" when nothing is armed (or a is nil).
func (a *Arms) Take() string { return a.take() }

// take consumes one payment of the first armed scenario and returns its id,
// or "" when nothing is armed (or a is nil).
func (a *Arms) take() string {
	if a == nil {
		return ""
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.list) == 0 {
		return ""
	}
	x := &a.list[0]
	x.count--
	id := x.id
	if x.count <= 0 {
		a.list = a.list[1:]
	}
	return id
}
