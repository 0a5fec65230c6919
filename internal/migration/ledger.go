package migration

import (
	"context"
	"fmt"
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
}

func ledgerTable(tracking string) string {
	if tracking == "" {
		tracking = DefaultTrackingSchema
	}
	return model.QuoteIdent(tracking) + ".migrations"
}

// ensureLedger creates the tracking schema and the ledger table. steps_done
// and steps_total let an interrupted apply resume after the last committed
// step.
func ensureLedger(ctx context.Context, db Execer, tracking string) error {
	if tracking == "" {
		tracking = DefaultTrackingSchema
	}
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
	status          text NOT NULL CHECK (status IN ('applied', 'partial', 'baselined'))
)`, model.QuoteIdent(tracking), ledgerTable(tracking))
	if _, err := db.Exec(ctx, sql); err != nil {
		return fmt.Errorf("create migration ledger %s: %w", ledgerTable(tracking), err)
	}
	return nil
}

// readLedger returns the ledger rows by file name; a database without a
// ledger has none.
func readLedger(ctx context.Context, conn *pgx.Conn, tracking string) (map[string]*row, error) {
	table := ledgerTable(tracking)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&exists); err != nil {
		return nil, fmt.Errorf("look for migration ledger %s: %w", table, err)
	}
	out := map[string]*row{}
	if !exists {
		return out, nil
	}
	rows, err := conn.Query(ctx, `SELECT filename, checksum, baseline, result, applied_at, duration_ms,
		pgflux_version, allowed_hazards, steps_done, steps_total, status FROM `+table)
	if err != nil {
		return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := &row{}
		if err := rows.Scan(&r.Filename, &r.Checksum, &r.Baseline, &r.Result, &r.AppliedAt, &r.DurationMS,
			&r.Version, &r.AllowedHazards, &r.StepsDone, &r.StepsTotal, &r.Status); err != nil {
			return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
		}
		out[r.Filename] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read migration ledger %s: %w", table, err)
	}
	return out, nil
}

// writeRow inserts or updates a ledger row; applied_at is the time of the
// write.
func writeRow(ctx context.Context, db Execer, tracking string, r *row) error {
	allowed := r.AllowedHazards
	if allowed == nil {
		allowed = []string{}
	}
	_, err := db.Exec(ctx, `INSERT INTO `+ledgerTable(tracking)+` AS m
		(filename, checksum, baseline, result, applied_at, duration_ms, pgflux_version, allowed_hazards, steps_done, steps_total, status)
		VALUES ($1, $2, $3, $4, clock_timestamp(), $5, $6, $7, $8, $9, $10)
		ON CONFLICT (filename) DO UPDATE SET
			checksum = EXCLUDED.checksum, baseline = EXCLUDED.baseline, result = EXCLUDED.result,
			applied_at = EXCLUDED.applied_at, duration_ms = EXCLUDED.duration_ms,
			pgflux_version = EXCLUDED.pgflux_version, allowed_hazards = EXCLUDED.allowed_hazards,
			steps_done = EXCLUDED.steps_done, steps_total = EXCLUDED.steps_total, status = EXCLUDED.status`,
		r.Filename, r.Checksum, r.Baseline, r.Result, r.DurationMS, r.Version, allowed, r.StepsDone, r.StepsTotal, r.Status)
	if err != nil {
		return fmt.Errorf("record %s in the migration ledger: %w", r.Filename, err)
	}
	return nil
}
