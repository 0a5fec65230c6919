package shadow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgserver"
)

// scratchName names a scratch database after the process that creates it,
// so that one left behind by a killed command can be told from one in use:
// prefix, PID, "_", random hex.
func scratchName(prefix string, random []byte) string {
	return prefix + strconv.Itoa(os.Getpid()) + "_" + hex.EncodeToString(random)
}

// scratchOwnerGone reports whether name is a scratch database whose
// creating process no longer exists.
func scratchOwnerGone(name string) bool {
	for _, prefix := range []string{DatabasePrefix, templateBuildPrefix} {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "_")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 {
			return false
		}
		return !pgserver.Alive(pid)
	}
	return false
}

// databasesLike lists the server's databases whose name is LIKE pattern,
// the newest first.
func databasesLike(ctx context.Context, conn *pgx.Conn, pattern string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY oid DESC`, pattern)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// dropOrphans drops the scratch databases of commands that were killed
// before they could drop them (on a shared server, which outlives them).
func (s *Server) dropOrphans(ctx context.Context) {
	_ = s.withAdmin(ctx, func(conn *pgx.Conn) error {
		names, err := databasesLike(ctx, conn, `pgflux\_%`)
		if err != nil {
			return err
		}
		for _, name := range names {
			if scratchOwnerGone(name) {
				_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			}
		}
		return nil
	})
}

// Empty databases made ahead of need and not used by the command that made
// them wait on a shared server for the next command, under poolPrefix: a
// command takes one by renaming it, which only one can do.
const (
	poolPrefix = "pgflux_pool_"
	// poolPattern matches the pool's databases in LIKE.
	poolPattern = `pgflux\_pool\_%`
	// maxPool bounds how many wait.
	maxPool = 2
)

// toPool adds a database to the pool, named pooled, with put (a rename
// or a CREATE), unless the pool is full.
func (s *Server) toPool(put func(ctx context.Context, conn *pgx.Conn, pooled string) error) {
	ctx, cancel := context.WithTimeout(context.Background(), dropTimeout)
	defer cancel()
	_ = s.withAdmin(ctx, func(conn *pgx.Conn) error {
		if pooled, err := databasesLike(ctx, conn, poolPattern); err != nil || len(pooled) >= maxPool {
			return err
		}
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		return put(ctx, conn, poolPrefix+hex.EncodeToString(b))
	})
}

// renameInto puts the unused empty database name into the pool (toPool);
// Close drops it when the pool is full, as whatever is still recorded as
// created.
func (s *Server) renameInto(name string) func(ctx context.Context, conn *pgx.Conn, pooled string) error {
	return func(ctx context.Context, conn *pgx.Conn, pooled string) error {
		_, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" RENAME TO "+pgx.Identifier{pooled}.Sanitize())
		if err == nil {
			s.forget(name)
		}
		return err
	}
}

// fromPool takes an empty database from the pool and names it name.
func (s *Server) fromPool(ctx context.Context, conn *pgx.Conn, name string) bool {
	names, err := databasesLike(ctx, conn, poolPattern)
	if err != nil {
		return false
	}
	for _, pooled := range names {
		// Fails when another command took it first.
		if _, err := conn.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{pooled}.Sanitize()+" RENAME TO "+pgx.Identifier{name}.Sanitize()); err == nil {
			return true
		}
	}
	return false
}
