package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pg-flux/pg-flux/internal/plan"
)

// rowSample is how many offending rows a check counts at most: enough to
// say how many, without reading a large table to the end.
const rowSample = 1000

// rowCheckTimeout bounds each check: with no offending row it reads the
// whole table, and a plan is no place for a scan of a large DEFAULT
// partition. A check that takes longer is left to PostgreSQL, with a
// warning.
const rowCheckTimeout = 5 * time.Second

// checkPartitionRows refuses, at plan time, a plan whose partition changes
// the rows on live would make fail: a table attached with a bound some of
// its rows are outside of, a partition added beside a DEFAULT partition
// that holds rows belonging in it, a recreated table with rows no
// partition of its new layout takes. PostgreSQL would refuse each when the
// migration is applied, and the proof, on an empty copy of live, cannot
// see rows. Live is read in a read-only transaction, each check a SELECT
// (ACCESS SHARE) that stops at the first rowSample rows found. A check
// pg-flux cannot write or run is left to PostgreSQL, with a warning.
func (a *app) checkPartitionRows(ctx context.Context, conn *pgx.Conn, checks []plan.RowCheck, timeout time.Duration) error {
	if len(checks) == 0 {
		return nil
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", timeout.Milliseconds())); err != nil {
		return err
	}
	var lines []string
	kinds := map[plan.RowCheckKind]bool{}
	for _, c := range checks {
		if c.Refused == "" {
			a.warnf("pg-flux cannot check the rows of %s against %s; PostgreSQL checks them when the migration is applied", c.Table, rowCheckTarget(c))
			continue
		}
		n, sample, err := offendingRows(ctx, tx, c)
		if err != nil {
			var pgErr *pgconn.PgError
			if ctx.Err() == nil && errors.As(err, &pgErr) && pgErr.Code == "57014" { // query_canceled: the timeout
				a.warnf("pg-flux did not check the rows of %s against %s: reading them took more than %s; PostgreSQL checks them when the migration is applied", c.Table, rowCheckTarget(c), timeout)
				continue
			}
			if ctx.Err() == nil && errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "42") || strings.HasPrefix(pgErr.Code, "22")) {
				a.warnf("pg-flux could not check the rows of %s against %s (%s); PostgreSQL checks them when the migration is applied", c.Table, rowCheckTarget(c), pgErr.Message)
				continue
			}
			return fmt.Errorf("checking the rows of %s against %s: %w", c.Table, rowCheckTarget(c), err)
		}
		if n == 0 {
			continue
		}
		kinds[c.Kind] = true
		lines = append(lines, "  "+rowCheckLine(c, n, sample))
	}
	if len(lines) == 0 {
		return nil
	}
	var next []string
	if kinds[plan.RowsOutsideBound] {
		next = append(next, "ATTACH PARTITION does not move rows outside a partition's new bound: delete them, keep the old bound, or move them "+
			"in a migration you write by hand and apply with migrate apply (ALTER TABLE <parent> DETACH PARTITION <partition>; "+
			"WITH moved AS (DELETE FROM <partition> WHERE <outside the new bound> RETURNING *) INSERT INTO <parent> SELECT * FROM moved; "+
			"ALTER TABLE <parent> ATTACH PARTITION <partition> <new bound>).")
	}
	if kinds[plan.RowsInNewPartition] {
		next = append(next, "A DEFAULT partition's rows cannot move into a partition that does not exist yet: declare the new partition first "+
			"as a table of its own (CREATE TABLE <new> (LIKE <parent>)) and apply that, move the rows into it "+
			"(WITH moved AS (DELETE FROM <default> WHERE <in the new bound> RETURNING *) INSERT INTO <new> SELECT * FROM moved), "+
			"then declare it PARTITION OF again: pg-flux attaches it.")
	}
	if kinds[plan.RowsFitNoPartition] {
		next = append(next, "Add a partition (or a DEFAULT partition) that takes those rows, or move or delete them, then run the command again.")
	}
	return &refusal{msg: "refusing to plan: rows on live do not fit the new partition bounds, so PostgreSQL would refuse the migration when it is applied:\n" +
		strings.Join(lines, "\n") + "\n" + strings.Join(next, "\n")}
}

// offendingRows counts the rows of c.Table that c refuses (up to
// rowSample+1) and returns the keys of the first three.
func offendingRows(ctx context.Context, tx pgx.Tx, c plan.RowCheck) (int64, []string, error) {
	key := "NULL::text"
	if len(c.Keys) > 0 {
		key = "ROW(" + strings.Join(c.Keys, ", ") + ")::text"
	}
	q := fmt.Sprintf("SELECT count(*), coalesce((array_agg(k))[1:3], '{}') FROM (SELECT %s AS k FROM %s WHERE %s LIMIT %d) s",
		key, c.Table, c.Refused, rowSample+1)
	sp, err := tx.Begin(ctx) // a savepoint: a check that fails leaves the others to run
	if err != nil {
		return 0, nil, err
	}
	var n int64
	var sample []string
	if err := sp.QueryRow(ctx, q).Scan(&n, &sample); err != nil {
		_ = sp.Rollback(ctx)
		return 0, nil, err
	}
	return n, sample, sp.Commit(ctx)
}

// rowCheckTarget names what c checks the rows against.
func rowCheckTarget(c plan.RowCheck) string {
	switch c.Kind {
	case plan.RowsInNewPartition:
		return "partition " + c.Into.String() + " " + c.Bound + ", added beside it to " + c.Parent.String()
	case plan.RowsFitNoPartition:
		return "the partitions of its new layout " + c.Bound
	}
	return "its new bound in " + c.Parent.String() + ", " + c.Bound
}

// rowCheckLine is one table's line of the refusal.
func rowCheckLine(c plan.RowCheck, n int64, sample []string) string {
	rows := fmt.Sprintf("%d rows", n)
	switch {
	case n > rowSample:
		rows = "more than 1,000 rows" // rowSample
	case n == 1:
		rows = "1 row"
	}
	var what string
	switch c.Kind {
	case plan.RowsInNewPartition:
		what = fmt.Sprintf("table %s, the DEFAULT partition of %s, holds %s that belong in partition %s %s, added beside it",
			c.Table, c.Parent, rows, c.Into, c.Bound)
	case plan.RowsFitNoPartition:
		what = fmt.Sprintf("table %s, recreated with the new partition layout %s, holds %s that no partition of it takes", c.Table, c.Bound, rows)
	default:
		what = fmt.Sprintf("table %s holds %s outside its new bound in %s, %s", c.Table, rows, c.Parent, c.Bound)
	}
	if len(sample) > 0 && len(c.Keys) > 0 {
		what += fmt.Sprintf("; key (%s) = %s", strings.Join(c.Keys, ", "), strings.Join(sample, ", "))
		if n > int64(len(sample)) {
			what += ", …"
		}
	}
	return what
}
