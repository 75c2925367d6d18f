package emulator

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
	"github.com/alma-sandbox/alma-sandbox/scenarios"
)

// createStep is the step answering this create of sc for reference ref:
// the tenant's create cursors (creates.next's rule), in memory or, on a
// durable store, in the store, so that a client's retries reaching other
// replicas walk the same steps.
func (s *Server) createStep(t *tenant, sc *scenarios.Scenario, ref string) *scenarios.Step {
	now := s.clock.now()
	if s.durable == nil {
		return t.creates.next(sc, ref, now)
	}
	if sc == nil || len(sc.On[scenarios.OpCreate]) == 0 {
		return nil
	}
	return s.durable.nextCreate(t.ID, sc, ref, now)
}

// cursorRecord is a create cursor as the durable store keeps it.
type cursorRecord struct {
	Positions map[scenarios.Op]replay.Position `json:"positions,omitempty"`
	Last      int64                            `json:"last"` // unix ns on the emulator's clock
	Done      bool                             `json:"done,omitempty"`
}

// nextCreate is creates.next on the store: the cursor of (tenant, sc,
// ref) under its row's lock, started over when done, past CreateCursorTTL
// or new.
func (d *db) nextCreate(tenant string, sc *scenarios.Scenario, ref string, now time.Time) *scenarios.Step {
	key := sc.ID + "\n" + strconv.Quote(ref) // quoted: PostgreSQL text holds no NUL
	ctx, cancel := storeCtx()
	defer cancel()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		_ = d.failed("create cursor", err)
		return nil
	}
	defer func() { _ = tx.Rollback() }()
	lock := ""
	if d.pg {
		lock = " FOR UPDATE"
	}
	var data string
	var rec cursorRecord
	script := replay.NewScript(sc)
	switch err := tx.QueryRowContext(ctx, d.q(`SELECT data FROM alma_cursors WHERE tenant = ? AND k = ?`+lock), tenant, key).Scan(&data); {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		_ = d.failed("create cursor", err)
		return nil
	default:
		if json.Unmarshal([]byte(data), &rec) == nil && !rec.Done && now.Sub(time.Unix(0, rec.Last)) <= CreateCursorTTL {
			script = replay.Resume(sc, rec.Positions)
		}
	}
	step := script.Next(scenarios.OpCreate)
	out, _ := json.Marshal(cursorRecord{Positions: script.Positions(), Last: now.UnixNano(), Done: step == nil})
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO alma_cursors (tenant, k, last_ns, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant, k) DO UPDATE SET last_ns = excluded.last_ns, data = excluded.data`), tenant, key, now.UnixNano(), string(out)); err != nil {
		_ = d.failed("create cursor", err)
		return step
	}
	if err := tx.Commit(); err != nil {
		_ = d.failed("create cursor", err)
	}
	return step
}

// resetCursors forgets tenant's create cursors ("": everyone's).
func (d *db) resetCursors(tenant string) {
	ctx, cancel := storeCtx()
	defer cancel()
	query, args := `DELETE FROM alma_cursors`, []any{}
	if tenant != "" {
		query, args = query+` WHERE tenant = ?`, []any{tenant}
	}
	if _, err := d.sql.ExecContext(ctx, d.q(query), args...); err != nil {
		_ = d.failed("reset cursors", err)
	}
}

// dropStaleCursors forgets the cursors unused for CreateCursorTTL (they
// would start over anyway), keeping the table small.
func (d *db) dropStaleCursors(now time.Time) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`DELETE FROM alma_cursors WHERE last_ns < ?`), now.Add(-CreateCursorTTL).UnixNano()); err != nil {
		_ = d.failed("stale cursors", err)
	}
}
