package emulator

import (
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// maxLiveScenarios bounds the scenarios added through the admin API.
const maxLiveScenarios = 200

// The sources of a scenario, as the catalogue shows them.
const (
	sourceEmbedded = "embedded"
	sourceFolder   = "folder"
	sourceAPI      = "api"
)

// liveScenarios are the scenarios added or replaced at run time (PUT
// /__admin/scenarios/{id}); they take precedence over Server.Scenarios for
// payments created afterwards. Safe for concurrent use.
type liveScenarios struct {
	mu  sync.RWMutex
	m   map[string]*scenarios.Scenario
	raw map[string][]byte // the files as sent, for snapshots
}

// scenarioView is what the emulator selects from for tenant t: t's live
// scenarios, then the operator's, then Server.Scenarios (t nil: the
// operator's view). It implements replay.Lookup.
type scenarioView struct {
	s *Server
	t *tenant
}

// lives are the live scenario sets of the view, the tenant's first.
func (v scenarioView) lives() []*liveScenarios {
	if v.t == nil {
		return []*liveScenarios{&v.s.live}
	}
	return []*liveScenarios{&v.t.live, &v.s.live}
}

// get finds a scenario among l's.
func (l *liveScenarios) get(id string) (*scenarios.Scenario, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	sc, ok := l.m[id]
	return sc, ok
}

// Get finds a scenario by id.
func (v scenarioView) Get(id string) (*scenarios.Scenario, bool) {
	for _, l := range v.lives() {
		if sc, ok := l.get(id); ok {
			return sc, true
		}
	}
	return v.s.files().Get(id)
}

// list is every scenario the emulator selects from, by id, with its source.
func (v scenarioView) list() ([]*scenarios.Scenario, map[string]string) {
	byID := map[string]*scenarios.Scenario{}
	sources := map[string]string{}
	embedded, _ := scenarios.Default()
	for _, sc := range v.s.files().List() {
		byID[sc.ID] = sc
		sources[sc.ID] = sourceFolder
		if e, ok := embedded.Get(sc.ID); ok && e.File == sc.File && !strings.HasPrefix(sc.File, "/") {
			sources[sc.ID] = sourceEmbedded
		}
	}
	lives := v.lives()
	for i := len(lives) - 1; i >= 0; i-- { // the tenant's win
		lives[i].mu.RLock()
		for id, sc := range lives[i].m {
			byID[id], sources[id] = sc, sourceAPI
		}
		lives[i].mu.RUnlock()
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]*scenarios.Scenario, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, sources
}

// adminPutScenario answers PUT /__admin/scenarios/{id} with a scenario file
// (YAML or JSON) as its body: validated as the loader validates files (each
// problem with its line), then added, or replacing the scenario of that id
// for the payments created from now on.
func (s *Server) adminPutScenario(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	buf := getBuffer()
	defer putBuffer(buf)
	data, err := readAll(r.Body, (*buf)[:0])
	*buf = data[:0]
	if err != nil {
		writeError(w, fieldError("body", codeTooLong, "request body is too large or unreadable", nil))
		return
	}
	sc, err := scenarios.Parse("api:"+id, data)
	if err != nil {
		writeError(w, fieldError("body", codeInvalidValue, err.Error(), nil))
		return
	}
	if sc.ID != id {
		writeError(w, fieldError("id", codeInvalidValue, "the file's id "+sc.ID+" is not the path's "+id, sc.ID))
		return
	}
	live := s.liveOf(tenantOf(r))
	live.mu.Lock()
	_, replacing := live.m[id]
	full := !replacing && len(live.m) >= maxLiveScenarios
	if !full {
		live.putLocked(id, sc, data)
	}
	live.mu.Unlock()
	if full {
		writeError(w, fieldError("id", codeTooLong, "at most 200 scenarios can be added through the API; DELETE some first", id))
		return
	}
	writeOK(w, map[string]any{"scenario": sc, "source": sourceAPI})
}

// adminDeleteScenario answers DELETE /__admin/scenarios/{id}: a scenario
// added through the API is removed (the file's, if any, applies again);
// the others cannot be.
func (s *Server) adminDeleteScenario(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	live := s.liveOf(tenantOf(r))
	live.mu.Lock()
	_, ok := live.m[id]
	delete(live.m, id)
	delete(live.raw, id)
	live.mu.Unlock()
	switch _, inFiles := s.files().Get(id); {
	case ok:
		writeOK(w, map[string]any{"deleted": id})
	case inFiles:
		writeError(w, &apiError{Status: http.StatusConflict, Code: "conflict", Message: "scenario " + id + " comes from a file: only scenarios added through the API can be deleted"})
	default:
		writeError(w, topError(codeNotFound, "Scenario "+id+" not found"))
	}
}

// files is the catalogue of files the emulator selects from: Server.Scenarios
// at start, then whatever SetScenarios put in its place.
func (s *Server) files() *scenarios.Catalog {
	if c := s.catalog.Load(); c != nil {
		return c
	}
	return s.Scenarios
}

// SetScenarios replaces the catalogue of files while the emulator runs (serve
// --watch reloads the folder with it): payments created afterwards select
// from cat; payments already made keep their scenario. Scenarios added
// through the API still come first.
func (s *Server) SetScenarios(cat *scenarios.Catalog) {
	s.initOnce.Do(s.init)
	s.catalog.Store(cat)
}

// liveOf is the live scenarios an admin call of scope t changes: t's own,
// or (nil) the operator's, which every tenant sees.
func (s *Server) liveOf(t *tenant) *liveScenarios {
	if t == nil {
		return &s.live
	}
	return &t.live
}

// reset forgets every live scenario.
func (l *liveScenarios) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m, l.raw = nil, nil
}

// putLocked adds or replaces scenario id, parsed from data; the caller
// holds mu.
func (l *liveScenarios) putLocked(id string, sc *scenarios.Scenario, data []byte) {
	if l.m == nil {
		l.m, l.raw = map[string]*scenarios.Scenario{}, map[string][]byte{}
	}
	l.m[id], l.raw[id] = sc, append([]byte(nil), data...)
}

// files returns the live scenarios' files as sent, by id.
func (l *liveScenarios) files() map[string][]byte {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[string][]byte, len(l.raw))
	for id, data := range l.raw {
		out[id] = data
	}
	return out
}
