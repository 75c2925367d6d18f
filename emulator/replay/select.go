package replay

import (
	"fmt"
	"strings"

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

// armed is one scenario armed for the next payments.
type armed struct {
	id    string
	count int
}

// Select picks the scenario for a new payment: header value, then merchant
// reference (equal to an id or "<id>:…"), then armed, else nil. An unknown id
// named in the header returns a *SelectError.
//
// A reference names a scenario only when it is an id, or starts with an id
// and a colon: any other reference ("ORD:1", "42") is an ordinary order
// reference and never an error, since real references carry colons too.
// An unknown id in the header is an error. An armed scenario is consumed
// only when it is returned.
func (e *Engine) Select(header, merchantReference string) (*scenarios.Scenario, error) {
	if id := strings.TrimSpace(header); id != "" {
		sc, ok := e.cat.Get(id)
		if !ok {
			return nil, &SelectError{Value: header}
		}
		return sc, nil
	}
	if sc, ok := e.cat.Get(merchantReference); ok && merchantReference != "" {
		return sc, nil
	}
	if id, _, found := strings.Cut(merchantReference, ":"); found {
		if sc, ok := e.cat.Get(id); ok {
			return sc, nil
		}
	}
	return e.takeArmed(), nil
}

// Arm makes the next count payments created without a scenario get scenario
// id, after any scenario armed before it. Arming an id again adds to its
// count; count 0 disarms it.
func (e *Engine) Arm(id string, count int) error {
	if _, ok := e.cat.Get(id); !ok {
		return fmt.Errorf("arm %q: unknown scenario", id)
	}
	if count < 0 {
		return fmt.Errorf("arm %q: negative count %d", id, count)
	}
	e.armMu.Lock()
	defer e.armMu.Unlock()
	for i := range e.arms {
		if e.arms[i].id != id {
			continue
		}
		if count == 0 {
			e.arms = append(e.arms[:i], e.arms[i+1:]...)
		} else {
			e.arms[i].count += count
		}
		return nil
	}
	if count > 0 {
		e.arms = append(e.arms, armed{id: id, count: count})
	}
	return nil
}

// Armed returns the armed scenarios and how many payments each still awaits.
func (e *Engine) Armed() map[string]int {
	e.armMu.Lock()
	defer e.armMu.Unlock()
	out := make(map[string]int, len(e.arms))
	for _, a := range e.arms {
		out[a.id] = a.count
	}
	return out
}

// takeArmed consumes one payment of the first armed scenario, or returns nil.
func (e *Engine) takeArmed() *scenarios.Scenario {
	e.armMu.Lock()
	defer e.armMu.Unlock()
	if len(e.arms) == 0 {
		return nil
	}
	a := &e.arms[0]
	a.count--
	id := a.id
	if a.count <= 0 {
		e.arms = e.arms[1:]
	}
	sc, _ := e.cat.Get(id)
	return sc
}
