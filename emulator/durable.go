package emulator

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, pure Go
	_ "modernc.org/sqlite"             // SQLite, pure Go: the binary stays static

	"github.com/alma-sandbox/alma-sandbox/emulator/replay"
)

// Durable stores (docs/internals.md "Stores"): Server.Store names one.
//   - "memory" (or empty): everything in memory, as fast as it gets.
//   - "sqlite:PATH": a file; payments, pending timers, tenants and clock
//     offsets survive a restart (and a kill -9: a change is committed
//     before it is answered).
//   - "postgres://…": the same, shared by any number of replicas. Every
//     timer fires once across them: a replica claims a due timer with a
//     lease (SELECT … FOR UPDATE SKIP LOCKED), fires it, then deletes it;
//     the lease of a replica that died runs out and another takes the
//     timer over.
//
// Payments are rows holding their record (record.go), locked while a
// request changes them: the database is the one truth, replicas keep no
// copy. Armed scenarios and create cursors are rows too (arms.go,
// cursors.go). The journal, the IPN log, scenario overrides and chaos
// rules stay in each replica's memory.

// Durable-store settings.
const (
	timerLease    = 30 * time.Second       // a claimed timer's lease
	timerPoll     = 100 * time.Millisecond // how often a replica looks for due timers
	timerBatch    = 32                     // timers claimed at once
	schemaVersion = "1"
)

// schema creates the tables (both dialects).
var schema = []string{
	`CREATE TABLE IF NOT EXISTS alma_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS alma_payments (id TEXT PRIMARY KEY, tenant TEXT NOT NULL, seq BIGINT NOT NULL, data TEXT NOT NULL)`,
	`CREATE INDEX IF NOT EXISTS alma_payments_tenant ON alma_payments (tenant, seq)`,
	`CREATE INDEX IF NOT EXISTS alma_payments_seq ON alma_payments (seq)`,
	`CREATE TABLE IF NOT EXISTS alma_tenants (id TEXT PRIMARY KEY, api_key TEXT NOT NULL, offset_ns BIGINT NOT NULL DEFAULT 0)`,
	`CREATE TABLE IF NOT EXISTS alma_timers (id TEXT PRIMARY KEY, pid TEXT NOT NULL, due_ns BIGINT NOT NULL, seq BIGINT NOT NULL, spec TEXT NOT NULL, lease_owner TEXT NOT NULL DEFAULT '', lease_until_ns BIGINT NOT NULL DEFAULT 0)`,
	`CREATE INDEX IF NOT EXISTS alma_timers_due ON alma_timers (due_ns, seq)`,
	`CREATE INDEX IF NOT EXISTS alma_timers_pid ON alma_timers (pid)`,
	`CREATE TABLE IF NOT EXISTS alma_arms (tenant TEXT NOT NULL, id TEXT NOT NULL, seq BIGINT NOT NULL, remaining INTEGER NOT NULL, PRIMARY KEY (tenant, id))`,
	`CREATE TABLE IF NOT EXISTS alma_cursors (tenant TEXT NOT NULL, k TEXT NOT NULL, last_ns BIGINT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant, k))`,
}

// db is a durable store of payments and timers; safe for concurrent use.
type db struct {
	sql       *sql.DB
	pg        bool
	owner     string // this replica's lease owner
	lookup    func(tenant string) replay.Lookup
	log       *slog.Logger
	max       int
	perTenant int

	locks [storeShards]sync.Mutex // SQLite: one writer per payment shard

	mu       sync.Mutex
	seq      int64
	updating map[string]int        // payments being updated: their arms wait for the commit
	deferred map[string][]armedReq // those arms
}

// armedReq is an arm waiting for its payment's commit.
type armedReq struct {
	due  time.Time
	spec timerSpec
}

// errStore is a store failure (logged; the request is answered as if the
// payment were not found, nothing is half-written).
var errStore = errors.New("store unavailable")

// openDB opens the store named by spec ("sqlite:PATH" or a postgres URL)
// and creates its tables.
func openDB(spec string, perTenant, max int, lookup func(tenant string) replay.Lookup, log *slog.Logger) (*db, error) {
	d := &db{lookup: lookup, log: log, max: max, perTenant: perTenant,
		updating: map[string]int{}, deferred: map[string][]armedReq{}}
	var err error
	switch {
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if path == "" {
			return nil, errors.New("store: sqlite: needs a file, such as sqlite:alma-sandbox.db")
		}
		d.sql, err = sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
		if err == nil {
			d.sql.SetMaxOpenConns(1) // one writer: SQLite's own rule, kept in Go
		}
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		d.pg = true
		d.sql, err = sql.Open("pgx", spec)
		if err == nil {
			d.sql.SetMaxOpenConns(32)
		}
	default:
		return nil, fmt.Errorf("store %q: want memory, sqlite:PATH or postgres://…", spec)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	owner := make([]byte, 8)
	_, _ = rand.Read(owner)
	d.owner = hex.EncodeToString(owner)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.migrate(ctx); err != nil {
		_ = d.sql.Close()
		return nil, err
	}
	return d, nil
}

// migrate creates the tables and checks the schema's version.
func (d *db) migrate(ctx context.Context) error {
	for _, q := range schema {
		if _, err := d.sql.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: create tables: %w", err)
		}
	}
	var v string
	err := d.sql.QueryRowContext(ctx, d.q(`SELECT v FROM alma_meta WHERE k = ?`), "schema").Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = d.sql.ExecContext(ctx, d.q(`INSERT INTO alma_meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING`), "schema", schemaVersion)
		return err
	case err != nil:
		return fmt.Errorf("store: %w", err)
	case v != schemaVersion:
		return fmt.Errorf("store: schema version %s, this emulator reads %s", v, schemaVersion)
	}
	return nil
}

// q writes a query's ? placeholders as the dialect wants them.
func (d *db) q(query string) string {
	if !d.pg {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// salt is this replica's own seed bits: replicas sharing a seed (or a
// restart with the same --seed) must not draw the same ids.
func (d *db) salt() int64 {
	var n int64
	for _, c := range d.owner {
		n = n*31 + int64(c)
	}
	return n
}

// collect runs a query and keeps what scan reads of each row (a row scan
// fails is skipped); a failed query is logged and gives nothing.
func collect[T any](d *db, op, query string, args []any, scan func(*sql.Rows) (T, error)) []T {
	ctx, cancel := storeCtx()
	defer cancel()
	rows, err := d.sql.QueryContext(ctx, d.q(query), args...)
	if err != nil {
		_ = d.failed(op, err)
		return nil
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		if v, err := scan(rows); err == nil {
			out = append(out, v)
		}
	}
	return out
}

// scanID reads a row of one id.
func scanID(rows *sql.Rows) (string, error) {
	var id string
	return id, rows.Scan(&id)
}

// close closes the database.
func (d *db) close() error { return d.sql.Close() }

// ctx is the context of one store call.
func storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// failed logs a store failure and returns errStore.
func (d *db) failed(op string, err error) error {
	d.log.Error("store: "+op, "err", err)
	return errStore
}

// nextSeq orders payments: nanoseconds, strictly increasing in this
// process.
func (d *db) nextSeq() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq = max(d.seq+1, time.Now().UnixNano())
	return d.seq
}

// add stores p. The caps are kept by enforceCaps, on every replica's poll
// (so a create costs one insert): a tenant or the store may hold a few
// more payments than its cap for up to timerPoll.
func (d *db) add(p *payment) []string {
	data, err := encodePayment(p)
	if err != nil {
		_ = d.failed("encode", err)
		return nil
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO alma_payments (id, tenant, seq, data) VALUES (?, ?, ?, ?)`),
		p.ID, p.Tenant, d.nextSeq(), string(data)); err != nil {
		_ = d.failed("add", err)
	}
	return nil
}

// enforceCaps evicts each tenant's oldest payments past perTenant, then
// the oldest of all past max, with their timers; it returns the evicted
// ids.
func (d *db) enforceCaps() []string {
	ctx, cancel := storeCtx()
	defer cancel()
	type over struct {
		tenant string
		n      int
	}
	tenants := collect(d, "caps", `SELECT tenant, COUNT(*) FROM alma_payments GROUP BY tenant HAVING COUNT(*) > ?`, []any{d.perTenant}, func(rows *sql.Rows) (over, error) {
		var o over
		return o, rows.Scan(&o.tenant, &o.n)
	})
	var evicted []string
	for _, o := range tenants {
		evicted = append(evicted, d.evictOldest(ctx, " WHERE tenant = ?", []any{o.tenant}, o.n-d.perTenant)...)
	}
	var total int
	if d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM alma_payments`).Scan(&total) == nil && total > d.max {
		evicted = append(evicted, d.evictOldest(ctx, "", nil, total-d.max)...)
	}
	return evicted
}

// evictOldest deletes the n oldest payments matching where, and their
// timers, and returns their ids.
func (d *db) evictOldest(ctx context.Context, where string, args []any, n int) []string {
	ids := collect(d, "evict", `SELECT id FROM alma_payments`+where+` ORDER BY seq, id LIMIT `+strconv.Itoa(n), args, scanID)
	for _, id := range ids {
		d.delete(ctx, id)
	}
	return ids
}

// delete forgets payment id and its timers.
func (d *db) delete(ctx context.Context, id string) {
	if _, err := d.sql.ExecContext(ctx, d.q(`DELETE FROM alma_payments WHERE id = ?`), id); err != nil {
		_ = d.failed("evict", err)
	}
	if _, err := d.sql.ExecContext(ctx, d.q(`DELETE FROM alma_timers WHERE pid = ?`), id); err != nil {
		_ = d.failed("evict timers", err)
	}
}

// update runs f on payment id in a transaction holding its row, writes it
// back when f changed it, then arms what f armed; it returns f's error,
// errNoPayment or errStore.
func (d *db) update(id string, f func(*payment) error) error {
	if !d.pg {
		l := &d.locks[shardIndex(id)]
		l.Lock()
		defer l.Unlock()
	}
	ctx, cancel := storeCtx()
	defer cancel()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return d.failed("begin", err)
	}
	defer func() { _ = tx.Rollback() }()
	lock := ""
	if d.pg {
		lock = " FOR UPDATE"
	}
	var data string
	switch err := tx.QueryRowContext(ctx, d.q(`SELECT data FROM alma_payments WHERE id = ?`+lock), id).Scan(&data); {
	case errors.Is(err, sql.ErrNoRows):
		return errNoPayment
	case err != nil:
		return d.failed("read", err)
	}
	p, err := decodePayment([]byte(data), d.lookup)
	if err != nil {
		return d.failed("decode", err)
	}
	d.begin(id)
	ferr := f(p)
	arms := d.end(id)
	after, err := encodePayment(p)
	if err != nil {
		return d.failed("encode", err)
	}
	if !bytes.Equal(after, []byte(data)) {
		if _, err := tx.ExecContext(ctx, d.q(`UPDATE alma_payments SET data = ? WHERE id = ?`), string(after), id); err != nil {
			return d.failed("write", err)
		}
	}
	for _, a := range arms {
		if err := d.insertTimer(ctx, tx, a.due, a.spec); err != nil {
			return d.failed("arm", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return d.failed("commit", err)
	}
	return ferr
}

// read runs f on a copy of payment id, read without a lock; nothing is
// written back (f may settle or render it).
func (d *db) read(id string, f func(*payment) error) error {
	ctx, cancel := storeCtx()
	defer cancel()
	var data string
	switch err := d.sql.QueryRowContext(ctx, d.q(`SELECT data FROM alma_payments WHERE id = ?`), id).Scan(&data); {
	case errors.Is(err, sql.ErrNoRows):
		return errNoPayment
	case err != nil:
		return d.failed("read", err)
	}
	p, err := decodePayment([]byte(data), d.lookup)
	if err != nil {
		return d.failed("decode", err)
	}
	return f(p)
}

// scanChunk is how many payments scan reads in one query.
const scanChunk = 50

// scan reads the payments of ids, scanChunk at a time, in ids' order, until
// f returns false; nothing is written back.
func (d *db) scan(ids []string, f func(*payment) bool) {
	for len(ids) > 0 {
		chunk := ids[:min(scanChunk, len(ids))]
		ids = ids[len(chunk):]
		where, args := d.pidList(chunk)
		ctx, cancel := storeCtx()
		rows, err := d.sql.QueryContext(ctx, d.q(`SELECT id, data FROM alma_payments`+strings.Replace(where, "pid", "id", 1)), args...)
		if err != nil {
			cancel()
			_ = d.failed("scan", err)
			return
		}
		byID := make(map[string]string, len(chunk))
		for rows.Next() {
			var id, data string
			if rows.Scan(&id, &data) == nil {
				byID[id] = data
			}
		}
		rows.Close()
		cancel()
		for _, id := range chunk {
			data, ok := byID[id]
			if !ok {
				continue
			}
			p, err := decodePayment([]byte(data), d.lookup)
			if err != nil {
				_ = d.failed("decode", err)
				continue
			}
			if !f(p) {
				return
			}
		}
	}
}

// shardIndex is the lock shard of an id.
func shardIndex(id string) int {
	if id == "" {
		return 0
	}
	return int(id[len(id)-1]) % storeShards
}

// begin marks payment id as being updated: its arms wait for the commit.
func (d *db) begin(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.updating[id]++
}

// end unmarks id and returns the arms made meanwhile.
func (d *db) end(id string) []armedReq {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.updating[id]--; d.updating[id] <= 0 {
		delete(d.updating, id)
	}
	arms := d.deferred[id]
	delete(d.deferred, id)
	return arms
}

// ids returns tenant's payment ids ("": every tenant's), newest first.
func (d *db) ids(tenant string) []string {
	where, args := "", []any{}
	if tenant != "" {
		where, args = " WHERE tenant = ?", []any{tenant}
	}
	return collect(d, "list", `SELECT id FROM alma_payments`+where+` ORDER BY seq DESC, id DESC`, args, scanID)
}

// len is the number of stored payments.
func (d *db) len() int {
	ctx, cancel := storeCtx()
	defer cancel()
	var n int
	_ = d.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM alma_payments`).Scan(&n)
	return n
}

// reset forgets tenant's payments and their timers ("": everything) and
// returns their ids.
func (d *db) reset(tenant string) []string {
	gone := d.ids(tenant)
	ctx, cancel := storeCtx()
	defer cancel()
	if tenant == "" {
		for _, q := range []string{`DELETE FROM alma_payments`, `DELETE FROM alma_timers`, `DELETE FROM alma_arms`, `DELETE FROM alma_cursors`, `UPDATE alma_tenants SET offset_ns = 0`, `DELETE FROM alma_meta WHERE k = 'clock_offset'`} {
			if _, err := d.sql.ExecContext(ctx, q); err != nil {
				_ = d.failed("reset", err)
			}
		}
		return gone
	}
	for _, id := range gone {
		d.delete(ctx, id)
	}
	return gone
}

// arm keeps a timer; armed while its payment is being updated, it is
// written with the payment's commit.
func (d *db) arm(due time.Time, spec timerSpec) {
	d.mu.Lock()
	if d.updating[spec.PID] > 0 {
		d.deferred[spec.PID] = append(d.deferred[spec.PID], armedReq{due, spec})
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	ctx, cancel := storeCtx()
	defer cancel()
	if err := d.insertTimer(ctx, d.sql, due, spec); err != nil {
		_ = d.failed("arm", err)
	}
}

// execer is a transaction or the database.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertTimer writes one timer.
func (d *db) insertTimer(ctx context.Context, x execer, due time.Time, spec timerSpec) error {
	data, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	_, err = x.ExecContext(ctx, d.q(`INSERT INTO alma_timers (id, pid, due_ns, seq, spec) VALUES (?, ?, ?, ?, ?)`),
		hex.EncodeToString(id), spec.PID, due.UnixNano(), d.nextSeq(), string(data))
	return err
}

// claimed is a timer this replica holds the lease of.
type claimed struct {
	id   string
	due  time.Time
	spec timerSpec
}

// claim leases up to timerBatch timers due by now (on the emulator's
// clock) whose lease is free or ran out (wall clock), oldest first.
func (d *db) claim(now time.Time) ([]claimed, error) {
	ctx, cancel := storeCtx()
	defer cancel()
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	wall := time.Now().UnixNano()
	lock := ""
	if d.pg {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.QueryContext(ctx, d.q(`SELECT id, due_ns, spec FROM alma_timers WHERE due_ns <= ? AND lease_until_ns < ? ORDER BY due_ns, seq LIMIT `+strconv.Itoa(timerBatch)+lock), now.UnixNano(), wall)
	if err != nil {
		return nil, err
	}
	var out []claimed
	for rows.Next() {
		var c claimed
		var due int64
		var spec string
		if err := rows.Scan(&c.id, &due, &spec); err != nil {
			rows.Close()
			return nil, err
		}
		if json.Unmarshal([]byte(spec), &c.spec) != nil {
			continue
		}
		c.due = time.Unix(0, due).UTC()
		out = append(out, c)
	}
	rows.Close()
	for _, c := range out {
		if _, err := tx.ExecContext(ctx, d.q(`UPDATE alma_timers SET lease_owner = ?, lease_until_ns = ? WHERE id = ?`), d.owner, wall+int64(timerLease), c.id); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

// done deletes a fired timer (if this replica still holds it).
func (d *db) done(c claimed) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`DELETE FROM alma_timers WHERE id = ? AND lease_owner = ?`), c.id, d.owner); err != nil {
		_ = d.failed("timer done", err)
	}
}

// pidList is the SQL condition on the timers of pids (nil: all).
func (d *db) pidList(pids []string) (string, []any) {
	if pids == nil {
		return "", nil
	}
	if len(pids) == 0 {
		return " WHERE 1 = 0", nil
	}
	args := make([]any, len(pids))
	for i, p := range pids {
		args[i] = p
	}
	return " WHERE pid IN (" + strings.TrimSuffix(strings.Repeat("?,", len(pids)), ",") + ")", args
}

// shift brings the timers of pids (nil: all) d sooner.
func (d *db) shift(pids []string, dur time.Duration) {
	ctx, cancel := storeCtx()
	defer cancel()
	where, args := d.pidList(pids)
	if _, err := d.sql.ExecContext(ctx, d.q(`UPDATE alma_timers SET due_ns = due_ns - ?`+where), append([]any{int64(dur)}, args...)...); err != nil {
		_ = d.failed("shift timers", err)
	}
}

// cancel drops the timers of pids (nil: all).
func (d *db) cancel(pids []string) {
	ctx, cancel := storeCtx()
	defer cancel()
	where, args := d.pidList(pids)
	if _, err := d.sql.ExecContext(ctx, d.q(`DELETE FROM alma_timers`+where), args...); err != nil {
		_ = d.failed("cancel timers", err)
	}
}

// pending is how many timers are armed for pids (nil: all).
func (d *db) pending(pids []string) int {
	ctx, cancel := storeCtx()
	defer cancel()
	where, args := d.pidList(pids)
	var n int
	_ = d.sql.QueryRowContext(ctx, d.q(`SELECT COUNT(*) FROM alma_timers`+where), args...).Scan(&n)
	return n
}

// registerTenant records a tenant (its key, so other replicas know its
// merchant id), keeping its offset if it is known.
func (d *db) registerTenant(id, key string) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO alma_tenants (id, api_key) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`), id, key); err != nil {
		_ = d.failed("register tenant", err)
	}
}

// saveOffset records a tenant's clock offset.
func (d *db) saveOffset(id string, offset time.Duration) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`UPDATE alma_tenants SET offset_ns = ? WHERE id = ?`), int64(offset), id); err != nil {
		_ = d.failed("save tenant", err)
	}
}

// tenantRow is a stored tenant.
type tenantRow struct {
	id, key string
	offset  time.Duration
}

// tenants reads every stored tenant.
func (d *db) tenants() []tenantRow {
	return collect(d, "tenants", `SELECT id, api_key, offset_ns FROM alma_tenants`, nil, func(rows *sql.Rows) (tenantRow, error) {
		var r tenantRow
		var ns int64
		err := rows.Scan(&r.id, &r.key, &ns)
		r.offset = time.Duration(ns)
		return r, err
	})
}

// clockOffset is the emulator's stored clock advance.
func (d *db) clockOffset() time.Duration {
	ctx, cancel := storeCtx()
	defer cancel()
	var v string
	if d.sql.QueryRowContext(ctx, d.q(`SELECT v FROM alma_meta WHERE k = ?`), "clock_offset").Scan(&v) != nil {
		return 0
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	return time.Duration(n)
}

// saveClockOffset records the emulator's clock advance.
func (d *db) saveClockOffset(offset time.Duration) {
	ctx, cancel := storeCtx()
	defer cancel()
	if _, err := d.sql.ExecContext(ctx, d.q(`INSERT INTO alma_meta (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`), "clock_offset", strconv.FormatInt(int64(offset), 10)); err != nil {
		_ = d.failed("save clock", err)
	}
}

// timersOf lists the pending timers of pids (nil: all), in due order.
func (d *db) timersOf(pids []string) []armedTimer {
	where, args := d.pidList(pids)
	return collect(d, "list timers", `SELECT due_ns, spec FROM alma_timers`+where+` ORDER BY due_ns, seq`, args, func(rows *sql.Rows) (armedTimer, error) {
		var due int64
		var spec string
		var a armedTimer
		if err := rows.Scan(&due, &spec); err != nil {
			return a, err
		}
		a.Due = time.Unix(0, due).UTC()
		return a, json.Unmarshal([]byte(spec), &a.Spec)
	})
}
