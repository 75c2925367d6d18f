package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// Snapshots (docs/internals.md "Snapshots"): one tenant's state in one
// versioned JSON file, to hand over the exact state of a bug or to start
// CI pre-seeded: its payments (every field, events and scenario position
// included), their pending timers, its clock offset and the scenarios
// added through the API. GET /__admin/state exports the call's tenant;
// POST /__admin/state replaces that tenant's state with a file's;
// `alma-sandbox state export|import` and `serve --seed-state` use them.

// Snapshot format.
const (
	SnapshotKind    = "alma-sandbox/state"
	SnapshotVersion = 1
)

// Snapshot is one tenant's state. Times are absolute: a payment keeps its
// dates, a timer its due time on the emulator's clock.
type Snapshot struct {
	Kind        string            `json:"kind"`
	Version     int               `json:"version"`
	MerchantID  string            `json:"merchant_id"`
	APIKey      string            `json:"api_key"` // the sandbox key it was taken with (serve --seed-state imports as it)
	ExportedAt  time.Time         `json:"exported_at"`
	ClockOffset string            `json:"clock_offset"`
	Payments    []json.RawMessage `json:"payments"` // oldest first
	Timers      []armedTimer      `json:"timers"`
	Scenarios   map[string]string `json:"scenarios"` // id → file, as sent to PUT /__admin/scenarios/{id}
}

// export is t's snapshot.
func (s *Server) export(t *tenant) Snapshot {
	ids := s.store.ids(t.ID)
	slices.Reverse(ids)
	snap := Snapshot{
		Kind: SnapshotKind, Version: SnapshotVersion, MerchantID: t.ID, APIKey: t.Key,
		ExportedAt: s.now(t).UTC(), ClockOffset: t.advanced().String(),
		Payments: []json.RawMessage{}, Timers: orEmpty(s.timersOf(orEmpty(ids))), Scenarios: map[string]string{},
	}
	for _, id := range ids {
		_ = s.store.read(id, func(p *payment) error {
			if data, err := encodePayment(p); err == nil {
				snap.Payments = append(snap.Payments, data)
			}
			return nil
		})
	}
	for id, data := range t.live.files() {
		snap.Scenarios[id] = string(data)
	}
	return snap
}

// checkSnapshot refuses a file of another kind or version, in Alma's
// validation shape.
func checkSnapshot(snap *Snapshot) *apiError {
	switch {
	case snap.Kind != SnapshotKind:
		return fieldError("kind", codeInvalidValue, fmt.Sprintf("not an alma-sandbox state file: kind %q, want %q", snap.Kind, SnapshotKind), snap.Kind)
	case snap.Version != SnapshotVersion:
		return fieldError("version", codeInvalidValue, fmt.Sprintf("state file version %d: this emulator reads version %d; export it again from an emulator of this version", snap.Version, SnapshotVersion), snap.Version)
	}
	if _, err := time.ParseDuration(snap.ClockOffset); err != nil && snap.ClockOffset != "" {
		return fieldError("clock_offset", codeInvalidValue, "clock_offset must be a duration such as \"2h0m0s\"", snap.ClockOffset)
	}
	return nil
}

// restore replaces t's state with snap's: everything of t is reset, then
// the file's payments (now t's, signing with t's key), timers, clock
// offset and scenarios are put in. All of the file is checked before
// anything changes.
func (s *Server) restore(t *tenant, snap *Snapshot) *apiError {
	if aerr := checkSnapshot(snap); aerr != nil {
		return aerr
	}
	view := func(string) replay.Lookup { return scenarioView{s, t} }
	payments := make([]*payment, 0, len(snap.Payments))
	for i, raw := range snap.Payments {
		p, err := decodePayment(raw, view)
		if err != nil || p.ID == "" {
			return fieldError(fmt.Sprintf("payments[%d]", i), codeInvalidValue, fmt.Sprintf("unreadable payment: %v", err), nil)
		}
		owner := ""
		_ = s.store.read(p.ID, func(q *payment) error { owner = q.Tenant; return nil })
		if owner != "" && owner != t.ID {
			return fieldError(fmt.Sprintf("payments[%d].id", i), codeInvalidValue, "payment "+p.ID+" belongs to another merchant of this emulator", p.ID)
		}
		p.Tenant, p.APIKey = t.ID, t.Key
		payments = append(payments, p)
	}
	parsed := map[string]*scenarios.Scenario{}
	for id, data := range snap.Scenarios {
		sc, err := scenarios.Parse("api:"+id, []byte(data))
		if err != nil || sc.ID != id {
			return fieldError("scenarios."+id, codeInvalidValue, fmt.Sprintf("scenario %s does not load: %v", id, err), nil)
		}
		parsed[id] = sc
	}
	offset, _ := time.ParseDuration(snap.ClockOffset)
	s.resetTenant(t)
	t.live.mu.Lock()
	for id, sc := range parsed {
		t.live.putLocked(id, sc, []byte(snap.Scenarios[id]))
	}
	t.live.mu.Unlock()
	for _, p := range payments {
		if evicted := s.store.add(p); len(evicted) > 0 {
			s.cancelTimers(evicted)
		}
	}
	for _, tm := range snap.Timers {
		if tm.Spec.Notice != nil {
			tm.Spec.Notice.Tenant = t.ID
		}
		s.arm(tm.Due, tm.Spec)
	}
	s.advanceTimers(func() { // not while another replica's offset is being read
		t.offset.Store(int64(offset))
		s.saveTenant(t)
	})
	return nil
}

// adminSnapshot answers GET /__admin/state (the tenant's snapshot) and POST
// (a snapshot replacing the tenant's state). The operator names the
// tenant (X-Alma-Sandbox-Tenant or ?tenant=).
func (s *Server) adminSnapshot(w http.ResponseWriter, r *http.Request) {
	t := tenantOf(r)
	if t == nil {
		writeError(w, fieldError(AdminTenantHeader, codeMissingField, "a state file is one merchant's: call with its key (Authorization: Alma-Auth …) or name it with "+AdminTenantHeader, nil))
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Disposition", `attachment; filename="alma-sandbox-state.json"`)
		writeOK(w, s.export(t))
		return
	}
	var snap Snapshot
	if aerr := decodeBody(r, &snap); aerr != nil {
		writeError(w, aerr)
		return
	}
	if aerr := s.restore(t, &snap); aerr != nil {
		writeError(w, aerr)
		return
	}
	writeOK(w, map[string]any{"merchant_id": t.ID, "payments": len(snap.Payments), "timers": len(snap.Timers), "scenarios": len(snap.Scenarios)})
}

// SeedState loads a snapshot at boot (serve --seed-state), into the
// tenant of the key it was taken with. Set the Server's fields first: it
// starts the server's parts.
func (s *Server) SeedState(data []byte) error {
	s.initOnce.Do(s.init)
	if s.initErr != nil {
		return s.initErr
	}
	var snap Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if aerr := checkSnapshot(&snap); aerr != nil {
		return fmt.Errorf("state file: %s", snapshotError(aerr))
	}
	key, aerr := s.secretKey(schemeSecret + snap.APIKey)
	if aerr != nil {
		return fmt.Errorf("state file: api_key %s is not a key this emulator accepts (--api-key)", redactKey(snap.APIKey))
	}
	t := s.tenants.of(key)
	if t == nil {
		return fmt.Errorf("state file: %s", errTooManyTenants(s.MaxTenants).Message)
	}
	if aerr := s.restore(t, &snap); aerr != nil {
		return fmt.Errorf("state file: %s", snapshotError(aerr))
	}
	return nil
}

// snapshotError is aerr for a command line: field, message.
func snapshotError(aerr *apiError) string {
	if aerr.Field == "" {
		return aerr.Message
	}
	return aerr.Field + ": " + aerr.Message
}
