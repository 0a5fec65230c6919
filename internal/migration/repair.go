package migration

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/source"
)

// StatementHashes are the hashes of the file's statements as parse trees:
// comments, whitespace and letter case of keywords do not change them, a
// changed statement does. The ledger records them, so that repair can tell
// a comment edit from a real one. The Down section's follow the Up's,
// each prefixed with downHash: rollback runs them from the file.
func (f *File) StatementHashes() ([]string, error) {
	out := make([]string, 0, len(f.Statements))
	add := func(path string, stmts []source.Statement, prefix string) error {
		for _, st := range stmts {
			h, err := statementHash(st.SQL)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", path, st.Line, err)
			}
			out = append(out, prefix+h)
		}
		return nil
	}
	if err := add(f.Path, f.Statements, ""); err != nil {
		return nil, err
	}
	if f.Down != nil {
		if err := add(f.Down.Path, f.Down.Statements, downHash); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// downHash prefixes a Down statement's hash in the ledger.
const downHash = "down:"

// splitHashes splits recorded or computed statement hashes into the Up's
// and the Down's (without their prefix); down is nil when none were
// recorded, as by pg-flux before it kept them.
func splitHashes(all []string) (up, down []string) {
	for i, h := range all {
		if strings.HasPrefix(h, downHash) {
			up = all[:i]
			for _, d := range all[i:] {
				down = append(down, strings.TrimPrefix(d, downHash))
			}
			return up, down
		}
	}
	return all, nil
}

// locations are the byte offsets pg_query keeps in a parse tree; they move
// with every comment and space, so they are left out of a statement's hash.
var locations = regexp.MustCompile(`"(location|stmt_location|stmt_len)":-?\d+,?`)

// statementHash is sha256 of the statement's parse tree without locations.
func statementHash(sql string) (string, error) {
	tree, err := pg_query.ParseToJSON(sql)
	if err != nil {
		// PostgreSQL 18 syntax the parser cannot read: compared by its
		// normalized token stream instead.
		toks, terr := source.TokenStream(sql)
		if terr != nil {
			return "", err
		}
		sum := sha256.Sum256([]byte("tokens:" + toks))
		return hex.EncodeToString(sum[:12]), nil
	}
	// A JSON key is never preceded by a backslash: string contents with a
	// quote in them are escaped, so only real keys match.
	tree = locations.ReplaceAllString(tree, "")
	sum := sha256.Sum256([]byte(tree))
	return hex.EncodeToString(sum[:12]), nil
}

// RepairOptions configure Repair.
type RepairOptions struct {
	Dir, TrackingSchema string
	// Target is the advisory lock's target (as ApplyOptions.Target), so a
	// repair waits for a running apply.
	Target string
	DryRun bool
}

// Repaired says what Repair did (or would do, for a dry run).
type Repaired struct {
	// Files are the applied files whose checksum was re-recorded.
	Files []string
	// Rechained is set when the ledger's chain was rebuilt from the row
	// named ChainFrom on.
	Rechained bool
	ChainFrom string
}

// RepairError is a repair refused: a statement of an applied file changed.
type RepairError struct {
	File string
	msg  string
}

func (e *RepairError) Error() string { return e.msg }

// Repair re-records the checksums of applied files that changed only in
// comments and whitespace (their statements' parse trees are those
// recorded when they were applied), and rebuilds the ledger's checksum
// chain from the first row that needs it. A statement that changed
// refuses the whole repair, naming it; nothing is written.
func Repair(ctx context.Context, conn *pgx.Conn, opts RepairOptions) (*Repaired, error) {
	files, err := ReadDir(opts.Dir)
	if err != nil {
		return nil, err
	}
	ledger, err := readLedger(ctx, conn, opts.TrackingSchema)
	if err != nil {
		return nil, err
	}
	res := &Repaired{}
	newSum := map[string]string{}
	for _, f := range files {
		r := ledger[f.Name]
		if r == nil || r.Checksum == f.Checksum {
			continue
		}
		if err := sameStatements(f, r); err != nil {
			return nil, err
		}
		newSum[f.Name] = f.Checksum
		res.Files = append(res.Files, f.Name)
	}
	prev := ""
	for _, r := range inOrder(ledger) {
		sum := r.Checksum
		if s, ok := newSum[r.Filename]; ok {
			sum = s
		}
		chain := chainHash(prev, r.Filename, sum)
		if chain != r.Chain && !res.Rechained {
			res.Rechained, res.ChainFrom = true, r.Filename
		}
		r.Checksum, r.Chain, prev = sum, chain, chain
	}
	if opts.DryRun || (!res.Rechained && len(res.Files) == 0) {
		return res, nil
	}
	unlock, err := acquireLock(ctx, conn, cmp.Or(opts.Target, targetOf(conn)), DefaultLockWait)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := ensureLedger(ctx, conn, opts.TrackingSchema); err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, r := range inOrder(ledger) {
		if _, err := tx.Exec(ctx, `UPDATE `+ledgerTable(opts.TrackingSchema)+` SET checksum = $2, chain = $3 WHERE filename = $1`,
			r.Filename, r.Checksum, r.Chain); err != nil {
			return nil, fmt.Errorf("repair %s: %w", r.Filename, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("repair: %w", err)
	}
	return res, nil
}

// sameStatements compares a changed file's statements, its Down section's
// too, with the hashes recorded when it was applied.
func sameStatements(f *File, r *row) error {
	if len(r.StatementHashes) == 0 && r.StepsTotal > 0 {
		return &RepairError{File: f.Name, msg: fmt.Sprintf(
			"refusing to repair %s: it was recorded before pg-flux kept the parse trees of applied statements, so a comment edit cannot be told from a real one.\n"+
				"Restore the file from version control (`git checkout -- %s`); put further changes in a new migration.", f.Name, f.Path)}
	}
	hashes, err := f.StatementHashes()
	if err != nil {
		return err
	}
	got, gotDown := splitHashes(hashes)
	ran, ranDown := splitHashes(r.StatementHashes)
	if err := sameSection(f, f.Path, "statement", f.Statements, got, ran); err != nil {
		return err
	}
	var down []source.Statement
	downPath := f.Path
	if f.Down != nil {
		down, downPath = f.Down.Statements, f.Down.Path
	}
	if ranDown == nil && len(down) > 0 {
		return &RepairError{File: f.Name, msg: fmt.Sprintf(
			"refusing to repair %s: it was recorded before pg-flux kept the parse trees of Down sections, so a comment edit there cannot be told from a real one.\n"+
				"Restore the file from version control (`git checkout -- %s`); put further changes in a new migration.", f.Name, downPath)}
	}
	return sameSection(f, downPath, "Down statement", down, gotDown, ranDown)
}

// sameSection compares the statements of one section of f (the Up's, or
// the Down's in path) with their hashes now (got) and when it was applied
// (ran).
func sameSection(f *File, path, what string, stmts []source.Statement, got, ran []string) error {
	for i := 0; i < max(len(got), len(ran)); i++ {
		switch {
		case i >= len(got):
			return &RepairError{File: f.Name, msg: fmt.Sprintf(
				"refusing to repair %s: %s %d of the applied file was removed (the file has %d, %d were recorded).\n"+
					"Restore the file from version control (`git checkout -- %s`); put further changes in a new migration.",
				f.Name, what, i+1, len(got), len(ran), path)}
		case i >= len(ran) || got[i] != ran[i]:
			st := stmts[i]
			change := "changed"
			if i >= len(ran) {
				change = "was added"
			}
			return &RepairError{File: f.Name, msg: fmt.Sprintf(
				"refusing to repair %s: %s %d (%s:%d) %s after the file was applied, not only comments or whitespace:\n  %s\n"+
					"Restore the file from version control (`git checkout -- %s`); put further changes in a new migration.",
				f.Name, what, i+1, path, st.Line, change, firstLine(st.SQL), path)}
		}
	}
	return nil
}

// targetOf is the advisory lock key's target of a connection, as Apply
// builds it when none is given.
func targetOf(conn *pgx.Conn) string {
	cfg := conn.Config()
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database)
}
