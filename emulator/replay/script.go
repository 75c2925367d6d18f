package replay

import "github.com/alma-sandbox/alma-sandbox/scenarios"

// Script walks one payment's scenario: for each operation, which step answers
// the next call. It is a value kept with the payment and guarded by whatever
// guards the payment: it is not safe for concurrent use.
type Script struct {
	sc      *scenarios.Scenario
	cursors map[scenarios.Op]cursor
}

// cursor is the position in one operation's steps.
type cursor struct {
	index int // the step answering the next call
	used  int // calls that step has already answered
}

// NewScript starts sc from its first step of every operation. A nil sc gives
// a script whose Next always returns nil.
func NewScript(sc *scenarios.Scenario) Script {
	return Script{sc: sc}
}

// Scenario returns the scenario the script walks, or nil.
func (s *Script) Scenario() *scenarios.Scenario { return s.sc }

// ID is the scenario's id, or "" for the happy path.
func (s *Script) ID() string {
	if s.sc == nil {
		return ""
	}
	return s.sc.ID
}

// Next returns the step answering this call of op and advances past it once
// it has answered Times calls (never for Always). nil means behave normally:
// no steps for op, or all used up.
func (s *Script) Next(op scenarios.Op) *scenarios.Step {
	if s.sc == nil {
		return nil
	}
	steps := s.sc.On[op]
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

// Peek returns the step that would answer the next call of op, without
// advancing.
func (s *Script) Peek(op scenarios.Op) *scenarios.Step {
	if s.sc == nil {
		return nil
	}
	steps := s.sc.On[op]
	if c := s.cursors[op]; c.index < len(steps) {
		return &steps[c.index]
	}
	return nil
}

// Position is where a script stands in one operation's steps: the step
// answering the next call and how many calls it already answered. It is
// what a durable store keeps of a script.
type Position struct {
	Index int `json:"index"`
	Used  int `json:"used,omitempty"`
}

// Positions returns the script's position per operation (nil when at the
// start of every one).
func (s *Script) Positions() map[scenarios.Op]Position {
	if len(s.cursors) == 0 {
		return nil
	}
	out := make(map[scenarios.Op]Position, len(s.cursors))
	for op, c := range s.cursors {
		out[op] = Position{Index: c.index, Used: c.used}
	}
	return out
}

// Resume is a script of sc at the given positions (a stored script).
func Resume(sc *scenarios.Scenario, at map[scenarios.Op]Position) Script {
	s := Script{sc: sc}
	if sc == nil || len(at) == 0 {
		return s
	}
	s.cursors = make(map[scenarios.Op]cursor, len(at))
	for op, p := range at {
		s.cursors[op] = cursor{index: max(p.Index, 0), used: max(p.Used, 0)}
	}
	return s
}
