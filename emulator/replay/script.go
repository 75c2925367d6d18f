package replay

import (
	"sync"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Script walks one payment's scenario: for each operation, which step answers
// the next call. It is safe for concurrent use.
type Script struct {
	sc *scenarios.Scenario

	mu      sync.Mutex
	cursors map[scenarios.Op]cursor
}

// cursor is the position in one operation's steps.
type cursor struct {
	index int // the step answering the next call
	used  int // calls that step has already answered
}

// NewScript starts sc from its first step of every operation. A nil sc gives
// a script whose Next always returns nil.
func NewScript(sc *scenarios.Scenario) *Script {
	return &Script{sc: sc}
}

// Scenario returns the scenario the script walks, or nil.
func (s *Script) Scenario() *scenarios.Scenario {
	if s == nil {
		return nil
	}
	return s.sc
}

// Next returns the step answering this call of op and advances past it once
// it has answered Times calls (never for Always). nil means behave normally:
// no steps for op, or all used up.
func (s *Script) Next(op scenarios.Op) *scenarios.Step {
	if s == nil || s.sc == nil {
		return nil
	}
	steps := s.sc.On[op]
	if len(steps) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cursors[op]
	if c.index >= len(steps) {
		return nil
	}
	step := &steps[c.index]
	if step.Times != scenarios.Always {
		c.used++
		if c.used >= max(int(step.Times), 1) {
			c = cursor{index: c.index + 1}
		}
		if s.cursors == nil {
			s.cursors = make(map[scenarios.Op]cursor, 1)
		}
		s.cursors[op] = c
	}
	return step
}

// CreateStep returns the step answering a create call of sc for this key
// (the merchant reference): successive creates with the same key advance, so
// "fail twice, then succeed" holds across the client's retries. Each
// scenario has its own cursors, and an empty key is one shared cursor of the
// scenario. The engine remembers a bounded number of keys, oldest forgotten
// first. nil sc: nil.
func (e *Engine) CreateStep(sc *scenarios.Scenario, key string) *scenarios.Step {
	if sc == nil || len(sc.On[scenarios.OpCreate]) == 0 {
		return nil
	}
	e.createMu.Lock()
	s := e.creates.get(sc.ID+"\x00"+key, sc)
	e.createMu.Unlock()
	return s.Next(scenarios.OpCreate)
}

// cursorMap is a bounded map of scripts; the oldest key is evicted first.
// It is not safe for concurrent use.
type cursorMap struct {
	byKey map[string]*Script
	ring  []string // keys in insertion order, len ≤ cap
	next  int      // ring slot the next key takes once the ring is full
}

// newCursorMap returns a map holding at most limit scripts.
func newCursorMap(limit int) *cursorMap {
	limit = max(limit, 1)
	return &cursorMap{byKey: make(map[string]*Script), ring: make([]string, 0, limit)}
}

// get returns the script for key, starting one for sc if the key is new.
func (m *cursorMap) get(key string, sc *scenarios.Scenario) *Script {
	if s, ok := m.byKey[key]; ok && s.sc == sc {
		return s
	} else if ok {
		m.byKey[key] = NewScript(sc) // the catalog changed under this key
		return m.byKey[key]
	}
	if len(m.ring) < cap(m.ring) {
		m.ring = append(m.ring, key)
	} else {
		delete(m.byKey, m.ring[m.next])
		m.ring[m.next] = key
		m.next = (m.next + 1) % len(m.ring)
	}
	s := NewScript(sc)
	m.byKey[key] = s
	return s
}
