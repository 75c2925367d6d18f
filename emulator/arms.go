package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// armsSet is where the scenarios armed for a scope's next creates live: a
// replay.Arms in memory, or the durable store's table (dbArms), so that
// what one replica arms the next create on any replica takes.
type armsSet interface {
	Arm(id string, count int) error
	Armed() map[string]int
	Take() string
	Reset()
}

// armsOf is the arms an admin call of scope t arms: t's own, or (nil) the
// operator's, which any tenant's next create takes when its own are empty.
func (s *Server) armsOf(t *tenant) armsSet {
	switch {
	case s.durable != nil:
		return dbArms{d: s.durable, tenant: tenantID(t)}
	case t == nil:
		return &s.arms
	}
	return &t.arms
}

// takeArmed consumes one create of the first scenario armed for t, else of
// the operator's, and returns its id ("" when none is armed).
func (s *Server) takeArmed(t *tenant) string {
	if id := s.armsOf(t).Take(); id != "" {
		return id
	}
	return s.armsOf(nil).Take()
}

// dbArms is a scope's arms in the durable store (tenant "" is the
// operator's), in arming order; safe across replicas.
type dbArms struct {
	d      *db
	tenant string
}

// Arm is replay.Arms.Arm on the store: a count adds to what the scenario
// has armed (saturating at replay.MaxArmCount), 0 disarms it.
func (a dbArms) Arm(id string, count int) error {
	if count < 0 {
		return fmt.Errorf("arm %q: negative count %d", id, count)
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if count == 0 {
		_, err := a.d.sql.ExecContext(ctx, a.d.q(`DELETE FROM alma_arms WHERE tenant = ? AND id = ?`), a.tenant, id)
		return a.failedErr("disarm", err)
	}
	least := "MIN"
	if a.d.pg {
		least = "LEAST"
	}
	count = min(count, replay.MaxArmCount)
	_, err := a.d.sql.ExecContext(ctx, a.d.q(`INSERT INTO alma_arms (tenant, id, seq, remaining) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant, id) DO UPDATE SET remaining = `+least+`(alma_arms.remaining + excluded.remaining, ?)`),
		a.tenant, id, a.d.nextSeq(), count, replay.MaxArmCount)
	return a.failedErr("arm", err)
}

// failedErr logs a store failure and returns errStore (nil stays nil).
func (a dbArms) failedErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return a.d.failed(op, err)
}

// Armed is each armed scenario's remaining creates.
func (a dbArms) Armed() map[string]int {
	type arm struct {
		id string
		n  int
	}
	out := map[string]int{}
	for _, x := range collect(a.d, "armed", `SELECT id, remaining FROM alma_arms WHERE tenant = ? ORDER BY seq`, []any{a.tenant}, func(rows *sql.Rows) (arm, error) {
		var x arm
		return x, rows.Scan(&x.id, &x.n)
	}) {
		out[x.id] = x.n
	}
	return out
}

// Take consumes one create of the first armed scenario, under its row's
// lock (two replicas' creates take in arming order, one after the other).
func (a dbArms) Take() string {
	ctx, cancel := storeCtx()
	defer cancel()
	tx, err := a.d.sql.BeginTx(ctx, nil)
	if err != nil {
		_ = a.d.failed("take arm", err)
		return ""
	}
	defer func() { _ = tx.Rollback() }()
	lock := ""
	if a.d.pg {
		lock = " FOR UPDATE"
	}
	var id string
	var n int
	err = tx.QueryRowContext(ctx, a.d.q(`SELECT id, remaining FROM alma_arms WHERE tenant = ? ORDER BY seq LIMIT 1`+lock), a.tenant).Scan(&id, &n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ""
	case err != nil:
		_ = a.d.failed("take arm", err)
		return ""
	}
	if err := a.consume(ctx, tx, id, n); err != nil || tx.Commit() != nil {
		_ = a.d.failed("take arm", err)
		return ""
	}
	return id
}

// consume counts one create of id off (n remaining before it).
func (a dbArms) consume(ctx context.Context, tx *sql.Tx, id string, n int) error {
	query := `UPDATE alma_arms SET remaining = remaining - 1 WHERE tenant = ? AND id = ?`
	if n <= 1 {
		query = `DELETE FROM alma_arms WHERE tenant = ? AND id = ?`
	}
	_, err := tx.ExecContext(ctx, a.d.q(query), a.tenant, id)
	return err
}

// Reset disarms the scope.
func (a dbArms) Reset() {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := a.d.sql.ExecContext(ctx, a.d.q(`DELETE FROM alma_arms WHERE tenant = ?`), a.tenant); err != nil {
		_ = a.d.failed("reset arms", err)
	}
}
