package migration

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// DefaultTrackingSchema holds the ledger unless configured otherwise.
const DefaultTrackingSchema = "_pgflux"

// Ledger row statuses.
const (
	statusApplied   = "applied"
	statusPartial   = "partial"
	statusBaselined = "baselined"
	// statusRollingBack is a file whose Down section ran partly: a
	// rollback resumes it after DownDone steps.
	statusRollingBack = "rolling_back"
)

// row is one ledger row: one migration file that ran, partly ran, or was
// marked as applied.
type row struct {
	Filename       string
	Checksum       string
	Baseline       string
	Result         string
	AppliedAt      time.Time
	DurationMS     int64
	Version        string
	AllowedHazards []string
	StepsDone      int
	StepsTotal     int
	Status         string
	// Seq orders the rows as they were first recorded; Chain is
	// chainHash(the previous row's Chain, Filename, Checksum), so a row
	// deleted or rewritten in the ledger breaks every later link.
	Seq      int64
	Chain    string
	DownDone int
	// StatementHashes are the parse-tree hashes of the file's statements
	// when it was recorded (File.StatementHashes), for repair.
	StatementHashes []string
}

// chainHash links one ledger row to the one recorded before it, as
// atlas.sum chains its files. The ledger computes the same in SQL (see
// writeRow).
func chainHash(prev, name, checksum string) string {
	sum := sha256.Sum256([]byte(prev + "\n" + name + "\n" + checksum))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func ledgerTable(tracking string) string {
	if tracking == "" {
		tracking = DefaultTrackingSchema
	}
	return model.QuoteIdent(tracking) + ".migrations"
}

// ensureLedger creates the tracking schema and the ledger table, and brings
// a ledger written by an earlier version forward: seq and chain are added
// and filled in the order the rows were applied; down_steps_done and the
// rolling_back status are added. steps_done and steps_total let an
// interrupted apply resume after the last committed step. A ledger that is
// already current is left alone, so that a role that may only write its rows
// (not own it, nor create in the database) can apply.
func ensureLedger(ctx context.Context, db *pgx.Conn, tracking string) error {
	if tracking == "" {
		tracking = DefaultTrackingSchema
	}
	if ok, err := ledgerCurrent(ctx, db, tracking); err != nil || ok {
		return err
	}
	table := ledgerTable(tracking)
	sql := fmt.Sprintf(`CREATE SCHEMA IF NOT EXISTS %s;
CREATE TABLE IF NOT EXISTS %s (
	filename        text PRIMARY KEY,
	checksum        text NOT NULL,
	baseline        text NOT NULL DEFAULT '',
	result          text NOT NULL DEFAULT '',
	applied_at      timestamptz NOT NULL DEFAULT now(),
	duration_ms     bigint NOT NULL DEFAULT 0,
	pgflux_version  text NOT NULL DEFAULT '',
	allowed_hazards text[] NOT NULL DEFAULT '{}',
	steps_done      int NOT NULL DEFAULT 0,
	steps_total     int NOT NULL DEFAULT 0,
	status          text NOT NULL CONSTRAINT migrations_status_check CHECK (status IN ('applied', 'partial', 'baselined', 'rolling_back'))
);
ALTER TABLE %[2]s ADD COLUMN IF NOT EXISTS seq bigint,
	ADD COLUMN IF NOT EXISTS chain text NOT NULL DEFAULT '',
	ADD COLUMN IF NOT EXISTS down_steps_done int NOT NULL DEFAULT 0,
	ADD COLUMN IF NOT EXISTS statement_hashes text[] NOT NULL DEFAULT '{}';
DO $$BEGIN
	IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = %[3]s::regclass AND conname = 'migrations_status_check'
		AND pg_get_constraintdef(oid) LIKE '%%rolling_back%%') THEN
		ALTER TABLE %[2]s DROP CONSTRAINT IF EXISTS migrations_status_check,
			ADD CONSTRAINT migrations_status_check CHECK (status IN ('applied', 'partial', 'baselined', 'rolling_back'));
	END IF;
END$$;
WITH legacy AS (
	SELECT filename, (SELECT coalesce(max(seq), 0) FROM %[2]s) + row_number() OVER (ORDER BY applied_at, filename) AS seq
	FROM %[2]s WHERE seq IS NULL
)
UPDATE %[2]s m SET seq = legacy.seq FROM legacy WHERE m.filename = legacy.filename`, model.QuoteIdent(tracking), table, model.QuoteLiteral(table))
	if _, err := db.Exec(ctx, sql); err != nil {
		return fmt.Errorf("create migration ledger %s: %w", table, err)
	}
	// Rows recorded before the chain existed get their links now, in order.
	_, err := db.Exec(ctx, `DO $$DECLARE r record; prev text := '';
BEGIN
	IF EXISTS (SELECT FROM `+table+` WHERE chain = '') THEN
		FOR r IN SELECT filename, checksum, chain FROM `+table+` ORDER BY seq LOOP
			IF r.chain = '' THEN
				r.chain := `+chainSQL("prev", "r.filename", "r.checksum")+`;
				UPDATE `+table+` SET chain = r.chain WHERE filename = r.filename;
			END IF;
			prev := r.chain;
		END LOOP;
	END IF;
END$$`)
	if err != nil {
		return fmt.Errorf("chain the migration ledger %s: %w", table, err)
	}
	return nil
}

// chainSQL is chainHash as a SQL expression.
func chainSQL(prev, name, checksum string) string {
	return fmt.Sprintf(`'sha256:' || encode(sha256(convert_to(%s || E'\n' || %s || E'\n' || %s, 'UTF8')), 'hex')`, prev, name, checksum)
}

// readLedger returns the ledger rows by file name; a database without a
// ledger has none. A ledger of an earlier version (no seq, chain or
// down_steps_done yet) is read as it is.
func readLedger(ctx context.Context, conn *pgx.Conn, tracking string) (map[string]*row, error) {
	table := ledgerTable(tracking)
	var exists, chained bool
	if err := conn.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL,
		EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'statement_hashes' AND NOT attisdropped)`, table).Scan(&exists, &chained); err != nil {
		return nil, fmt.Errorf("look for migration ledger %s: %w", table, err)
	}
	out := map[string]*row{}
	if !exists {
		return out, nil
	}
	extra := `, row_number() OVER (ORDER BY applied_at, filename), '', 0, '{}'::text[]`
	if chained {
		extra = `, coalesce(seq, 0), chain, down_steps_done, statement_hashes`
	}
	rows, err := conn.Query(ctx, `SELECT filename, checksum, baseline, result, applied_at, duration_ms,
		pgflux_version, allowed_hazards, steps_done, steps_total, status`+extra+` FROM `+table)
	if err != nil {
		return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &row{}
		if err := rows.Scan(&r.Filename, &r.Checksum, &r.Baseline, &r.Result, &r.AppliedAt, &r.DurationMS,
			&r.Version, &r.AllowedHazards, &r.StepsDone, &r.StepsTotal, &r.Status, &r.Seq, &r.Chain, &r.DownDone, &r.StatementHashes); err != nil {
			return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
		}
		out[r.Filename] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
	}
	return out, nil
}

// inOrder returns the ledger rows in the order they were recorded.
func inOrder(ledger map[string]*row) []*row {
	out := make([]*row, 0, len(ledger))
	for _, r := range ledger {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Seq != out[j].Seq {
			return out[i].Seq < out[j].Seq
		}
		return out[i].Filename < out[j].Filename
	})
	return out
}

// writeRow inserts or updates a ledger row; applied_at is the time of the
// write. A new row is linked to the last one recorded (seq, chain); an
// update keeps its place in the chain.
func writeRow(ctx context.Context, db Execer, tracking string, r *row) error {
	allowed := r.AllowedHazards
	if allowed == nil {
		allowed = []string{}
	}
	hashes := r.StatementHashes
	if hashes == nil {
		hashes = []string{}
	}
	table := ledgerTable(tracking)
	_, err := db.Exec(ctx, `INSERT INTO `+table+` AS m
		(filename, checksum, baseline, result, applied_at, duration_ms, pgflux_version, allowed_hazards, steps_done, steps_total, status, seq, chain, down_steps_done, statement_hashes)
		SELECT $1, $2, $3, $4, clock_timestamp(), $5, $6, $7, $8, $9, $10, coalesce(last.seq, 0) + 1,
			`+chainSQL("coalesce(last.chain, '')", "$1::text", "$2::text")+`, $11, $12
		FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT seq, chain FROM `+table+` ORDER BY seq DESC NULLS LAST LIMIT 1) last ON true
		ON CONFLICT (filename) DO UPDATE SET
			checksum = EXCLUDED.checksum, baseline = EXCLUDED.baseline, result = EXCLUDED.result,
			applied_at = EXCLUDED.applied_at, duration_ms = EXCLUDED.duration_ms,
			pgflux_version = EXCLUDED.pgflux_version, allowed_hazards = EXCLUDED.allowed_hazards,
			steps_done = EXCLUDED.steps_done, steps_total = EXCLUDED.steps_total, status = EXCLUDED.status,
			down_steps_done = EXCLUDED.down_steps_done, statement_hashes = EXCLUDED.statement_hashes`,
		r.Filename, r.Checksum, r.Baseline, r.Result, r.DurationMS, r.Version, allowed, r.StepsDone, r.StepsTotal, r.Status, r.DownDone, hashes)
	if err != nil {
		return fmt.Errorf("record %s in the migration ledger: %w", r.Filename, err)
	}
	return nil
}
