package emulator

import (
	"encoding/json"
	"fmt"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// recordVersion is the version of the stored form of a payment (durable
// stores, snapshots); a record of another version is refused.
const recordVersion = 1

// paymentRecord is a payment as durable stores and snapshots keep it: its
// fields, its scenario by id with the script's positions, and its events.
type paymentRecord struct {
	*payment
	Version   int                              `json:"v"`
	Scenario  string                           `json:"scenario,omitempty"`
	Positions map[scenarios.Op]replay.Position `json:"positions,omitempty"`
	EventLog  []event                          `json:"events,omitempty"`
}

// encodePayment is p's stored form.
func encodePayment(p *payment) ([]byte, error) {
	return json.Marshal(paymentRecord{
		payment: p, Version: recordVersion, Scenario: p.Script.ID(),
		Positions: p.Script.Positions(), EventLog: p.Events.oldestFirst(nil),
	})
}

// decodePayment reads a stored payment; its scenario is looked up in its
// tenant's catalogue (one since removed plays the happy path).
func decodePayment(data []byte, catalog func(tenant string) replay.Lookup) (*payment, error) {
	rec := paymentRecord{payment: &payment{}}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, fmt.Errorf("stored payment: %w", err)
	}
	if rec.Version != recordVersion {
		return nil, fmt.Errorf("stored payment %s: record version %d, this emulator reads %d", rec.ID, rec.Version, recordVersion)
	}
	p := rec.payment
	for _, raw := range []*json.RawMessage{&p.CustomData, &p.Cart} {
		if string(*raw) == "null" { // absent when stored: absent again, not null
			*raw = nil
		}
	}
	if rec.Scenario != "" {
		if sc, ok := catalog(p.Tenant).Get(rec.Scenario); ok {
			p.Script = replay.Resume(sc, rec.Positions)
		}
	}
	p.Events = newRing[event](maxEvents)
	for _, e := range rec.EventLog {
		p.Events.push(e)
	}
	return p, nil
}
