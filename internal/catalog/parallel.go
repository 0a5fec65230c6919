package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// exportSnapshot reads the server's major and exports the transaction's
// snapshot: what a second session imports to read exactly what the first
// one reads. A standby cannot export one, and a session whose current user
// is not its session user (SET ROLE) reads privileges as another role than
// a new connection would: for both, the snapshot is empty and conn reads alone.
func exportSnapshot(ctx context.Context, tx pgx.Tx) (major int, snapshot string, err error) {
	var num int
	err = tx.QueryRow(ctx, `SELECT current_setting('server_version_num')::int,
	CASE WHEN pg_is_in_recovery() OR current_user <> session_user THEN '' ELSE pg_export_snapshot() END`).Scan(&num, &snapshot)
	if err != nil {
		return 0, "", fmt.Errorf("read the server version: %w", err)
	}
	major, err = checkMajor(num)
	return major, snapshot, err
}

// Who reads the queries handed to the second session.
const (
	tailUnclaimed int32 = iota
	tailBySecond
	tailByFirst
)

// secondSession reads the tail of the catalog queries on a connection of
// its own, in a transaction that imports the first session's snapshot,
// and keeps the rows for the first session to scan in order. Whichever
// session is ready first reads the tail: when the connection is not made
// by the time the first session has read the head, the first one reads
// the tail too, so a slow or refused connection costs nothing.
type secondSession struct {
	cancel context.CancelFunc
	work   chan secondWork
	done   chan struct{}
	owner  atomic.Int32

	// Set by run before done is closed.
	results []bufferedResult
	typeMap *pgtype.Map
	err     error
}

type secondWork struct {
	snap    string // exportSnapshot's
	qs      []query
	schemas []string
}

// errNoSnapshot says that the first session exported no snapshot.
var errNoSnapshot = errors.New("no snapshot to share")

// dialSecond starts the second session; keep, when not nil, takes its
// connection if it is left usable (Options.Keep).
func dialSecond(ctx context.Context, dial func(context.Context) (*pgx.Conn, error), keep func(*pgx.Conn)) *secondSession {
	ctx, cancel := context.WithCancel(ctx)
	s := &secondSession{cancel: cancel, work: make(chan secondWork, 1), done: make(chan struct{})}
	go s.run(ctx, dial, keep)
	return s
}

// send hands the second session its work.
func (s *secondSession) send(snap string, qs []query, schemas []string) {
	s.work <- secondWork{snap: snap, qs: qs, schemas: schemas}
}

func (s *secondSession) run(ctx context.Context, dial func(context.Context) (*pgx.Conn, error), keep func(*pgx.Conn)) {
	defer close(s.done)
	conn, err := dial(ctx)
	if err != nil {
		s.err = err
		return
	}
	// Kept only when nothing failed on it (a failed read may leave it
	// mid-protocol); else closed before done: a caller that drops the
	// database right after Inspect finds one session fewer to wait for.
	defer func() {
		if keep != nil && s.err == nil && !conn.IsClosed() {
			keep(conn)
			return
		}
		conn.Close(context.WithoutCancel(ctx))
	}()
	var w secondWork
	select {
	case w = <-s.work:
	case <-ctx.Done():
		s.err = ctx.Err()
		return
	}
	if w.snap == "" {
		s.err = errNoSnapshot
		return
	}
	if !s.owner.CompareAndSwap(tailUnclaimed, tailBySecond) {
		return
	}
	s.results, s.err = readBuffered(ctx, conn, w)
	s.typeMap = conn.TypeMap()
}

// readBuffered runs w's queries in a transaction on w's snapshot and keeps
// their rows.
func readBuffered(ctx context.Context, conn *pgx.Conn, w secondWork) ([]bufferedResult, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// SET TRANSACTION SNAPSHOT must come before the first query.
	if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+strings.ReplaceAll(w.snap, "'", "''")+"'; "+sessionSettings); err != nil {
		return nil, err
	}
	results := make([]bufferedResult, len(w.qs))
	batch := &pgx.Batch{}
	for i, q := range w.qs {
		batch.Queue(q.sql, w.schemas).Query(func(rows pgx.Rows) error {
			return results[i].keep(rows)
		})
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return nil, err
	}
	return results, nil
}

// scan reads the tail's rows in order: the second session's, or, when it
// did not read them, the first session's own (tx). It returns how many
// sessions read the catalog.
func (s *secondSession) scan(ctx context.Context, tx pgx.Tx, qs []query, schemas []string) (int, error) {
	if s.owner.CompareAndSwap(tailUnclaimed, tailByFirst) {
		s.cancel()
		return 1, runQueries(ctx, tx, qs, schemas)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	if s.err != nil {
		// Whatever failed there, the first session's snapshot is the
		// same: it reads the tail itself.
		return 1, runQueries(ctx, tx, qs, schemas)
	}
	for i, q := range qs {
		res := &s.results[i]
		if err := scanAll(q, &bufferedRows{res: res, typeMap: s.typeMap, i: -1}); err != nil {
			return 0, err
		}
	}
	return 2, nil
}

// close ends the second session, and waits until its connection is closed.
func (s *secondSession) close(ctx context.Context) {
	s.cancel()
	<-s.done
}

// bufferedResult is one query's rows, as the server sent them.
type bufferedResult struct {
	fields []pgconn.FieldDescription
	rows   [][][]byte
}

func (b *bufferedResult) keep(rows pgx.Rows) error {
	b.fields = append([]pgconn.FieldDescription(nil), rows.FieldDescriptions()...)
	for rows.Next() {
		raw := rows.RawValues() // reused by the next row: copied
		size := 0
		for _, v := range raw {
			size += len(v)
		}
		buf := make([]byte, 0, size)
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v == nil {
				continue // NULL
			}
			buf = append(buf, v...)
			row[i] = buf[len(buf)-len(v) : len(buf) : len(buf)]
		}
		b.rows = append(b.rows, row)
	}
	return rows.Err()
}

// bufferedRows is a bufferedResult read as pgx.Rows, for the readers,
// which only call Next, Scan and Err.
type bufferedRows struct {
	res     *bufferedResult
	typeMap *pgtype.Map
	i       int
}

func (r *bufferedRows) Close()                                       {}
func (r *bufferedRows) Err() error                                   { return nil }
func (r *bufferedRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (r *bufferedRows) FieldDescriptions() []pgconn.FieldDescription { return r.res.fields }
func (r *bufferedRows) RawValues() [][]byte                          { return r.res.rows[r.i] }
func (r *bufferedRows) Conn() *pgx.Conn                              { return nil }
func (r *bufferedRows) TypeMap() *pgtype.Map                         { return r.typeMap }
func (r *bufferedRows) Scan(dest ...any) error {
	return pgx.ScanRow(r.typeMap, r.res.fields, r.res.rows[r.i], dest...)
}

// Next lets the row before go: each row is read once, and on a large
// schema the rows still to be read and the model made of those read are
// otherwise held together at the inspection's end, the command's peak.
func (r *bufferedRows) Next() bool {
	if r.i >= 0 {
		r.res.rows[r.i] = nil
	}
	r.i++
	return r.i < len(r.res.rows)
}

func (r *bufferedRows) Values() ([]any, error) {
	return nil, errors.New("catalog: Values is not supported on buffered rows")
}
