package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// checkServed says why the emulator cannot run sc as the harness reads it,
// or "": it must serve a scenario with that id (GET /__admin/scenarios/{id})
// with the same content. Otherwise the emulator would take the id in the
// order reference for an ordinary reference and run the happy path.
func (h *harness) checkServed(ctx context.Context, sc *scenarios.Scenario) string {
	served, found, err := h.admin.scenario(ctx, sc.ID)
	switch {
	case err != nil:
		return fmt.Sprintf("cannot ask the emulator for scenario %s: %v", sc.ID, err)
	case !found:
		return fmt.Sprintf("the emulator at %s has no scenario %s (%s): start it with the same scenario files (serve --scenarios DIR)", h.cfg.URL, sc.ID, sc.File)
	}
	local, err := asJSON(sc)
	if err != nil {
		return fmt.Sprintf("scenario %s: %v", sc.ID, err)
	}
	delete(served, "file")
	delete(served, "line")
	if !reflect.DeepEqual(local, served) {
		return fmt.Sprintf("the emulator at %s serves another scenario %s than %s: restart it with the same scenario files", h.cfg.URL, sc.ID, sc.File)
	}
	return ""
}

// checkArmed says why sc's drive cannot arm the scenarios it names, or "":
// each must be in the run's catalogue and served by the emulator with the
// same content, or the trail would come from another scenario than the
// file the reader sees.
func (h *harness) checkArmed(ctx context.Context, sc *scenarios.Scenario) string {
	actions, err := sc.Actions()
	if err != nil {
		return err.Error()
	}
	for _, a := range actions {
		if a.Kind != scenarios.ActArm {
			continue
		}
		armed, ok := h.cfg.Catalog.Get(a.ID)
		if !ok {
			return fmt.Sprintf("scenario %s arms %s, which is not in the catalogue", sc.ID, a.ID)
		}
		if msg := h.checkServed(ctx, armed); msg != "" {
			return msg
		}
	}
	return ""
}

// asJSON is the scenario as the emulator's admin API writes it, without
// where its file lives (the emulator may read it from another folder).
func asJSON(sc *scenarios.Scenario) (map[string]any, error) {
	c := *sc
	c.File, c.Line = "", 0
	data, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return out, nil
}
