package shadow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// LoadOptions adapt Load to the server it loads into; Server.LoadOptions
// gives the right ones.
type LoadOptions struct {
	// CreateRoles creates the roles the source references (GRANT, OWNER
	// TO, policies) but does not create, as NOLOGIN roles. Only for a
	// throwaway cluster: roles are cluster-wide.
	CreateRoles bool
	// Server describes the server in messages ("the shadow server
	// db.example:5432/postgres (--shadow-dsn)").
	Server string
	// ExtensionHint says what to do when CREATE EXTENSION finds the
	// extension missing on the server.
	ExtensionHint string
	// Owners is set when owners are compared (manage_owners): an owner
	// change the shadow refuses is then made possible where it can be
	// (promoteOwner), else it is a failure; without it, such a refused
	// change is left out (tolerantOwnerChange).
	Owners bool
	// Major is the server's major version: a statement using a feature of
	// a newer major fails with a message naming both.
	Major int
	// CommitEvery lets LoadParsing, given a way to start over, commit
	// after about this many statements rather than once at the end; 0
	// loads in one transaction. PostgreSQL ends each statement with a
	// pass over every lock the transaction holds, one per relation made
	// so far (LockReassignCurrentOwner): on 1,000 tables with 3,000
	// indexes, `psql -1` loads in 20-30 % more time than `psql`
	// (BENCHMARKS.md).
	CommitEvery int
}

// LoadError lists the source statements that failed in the shadow database.
type LoadError struct {
	Failures []Failure
}

// Failure is one statement that failed, with PostgreSQL's message.
type Failure struct {
	Statement source.Statement
	// Line is where in Statement.File the error points: the line PostgreSQL
	// reported a position on, else the statement's first line.
	Line    int
	Code    string // SQLSTATE
	Message string
	Detail  string
	Hint    string
	// Unresolved is set when the statement still lacked an object after
	// every other statement had run.
	Unresolved bool
}

// String returns "file:line: message" with DETAIL and HINT lines.
func (f Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: %s", f.Statement.File, f.Line, f.Message)
	if f.Detail != "" {
		b.WriteString("\n  DETAIL: " + indentLines(f.Detail))
	}
	if f.Hint != "" {
		b.WriteString("\n  HINT: " + indentLines(f.Hint))
	}
	if f.Unresolved {
		b.WriteString("\n  (still missing after every other statement ran: declare it in the source, fix the name, or break the dependency cycle)")
	}
	return b.String()
}

func indentLines(s string) string { return strings.ReplaceAll(s, "\n", "\n    ") }

func (e *LoadError) Error() string {
	lines := make([]string, 0, len(e.Failures)+1)
	lines = append(lines, fmt.Sprintf("the schema source does not load: %d statement(s) failed in the shadow database; fix them and run again:", len(e.Failures)))
	for _, f := range e.Failures {
		lines = append(lines, f.String())
	}
	return strings.Join(lines, "\n")
}

// Missing-dependency errors: the statement needs an object that another
// statement, later in file order, may still create.
var missingDependency = map[string]bool{
	"42P01": true, // undefined_table
	"42704": true, // undefined_object (type, role, collation, …)
	"42883": true, // undefined_function
	"3F000": true, // invalid_schema_name
	"42703": true, // undefined_column
	"42830": true, // invalid_foreign_key: the referenced key is declared later
}

var (
	missingRole      = regexp.MustCompile(`^role "(.+)" does not exist$`)
	unknownSetting   = regexp.MustCompile(`^unrecognized configuration parameter "(.+)"$`)
	extensionMessage = regexp.MustCompile(`extension "([^"]+)"|/([^/"]+)\.control"`)
)

// Load runs the source in the connected (empty) database. It sends the
// whole set as one batch, resetting settings between files; statements that
// cannot run in a transaction block follow it one by one, and then the
// default privileges and event triggers (Statement.Late). When the batch
// fails, it starts again statement by statement: a statement that lacks an
// object is retried after the others until a pass makes no progress, each
// after its own file's preceding SET statements, so file order does not
// matter. What still fails is returned as a *LoadError.
func Load(ctx context.Context, conn *pgx.Conn, set *source.Set, opts LoadOptions) error {
	return loadAfter(ctx, conn, set, opts, nil)
}

// loadAfter is Load; when failed is not nil, the batch has been sent already
// (by LoadParsing) and failed with it, and the load goes on from there.
func loadAfter(ctx context.Context, conn *pgx.Conn, set *source.Set, opts LoadOptions, failed error) error {
	if len(set.Statements) == 0 {
		return nil
	}
	l := newLoader(conn, set.Statements, opts)
	var err error
	for attempts := 0; ; {
		batch, later := l.batch()
		if failed != nil {
			err, failed = failed, nil
		} else {
			_, err = conn.Exec(ctx, batch)
		}
		if err == nil {
			err = l.batchRan(ctx, later)
			break
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || ctx.Err() != nil {
			return fmt.Errorf("load the schema source into the shadow database: %w", err)
		}
		// The batch ran as one implicit transaction and is rolled back.
		// Two causes are fixed on the spot and the batch sent again, a few
		// times at most: a setting the server does not know, and (on a
		// throwaway cluster) a role the source references.
		if attempts++; attempts < maxBatchAttempts && pgErr.Code == "42501" {
			if ok, err := l.promoteOwner(ctx, pgErr.Message); err != nil || ok {
				if err != nil {
					return err
				}
				continue
			}
		}
		if attempts < maxBatchAttempts && pgErr.Code == "42704" {
			if l.skipUnknownSetting(pgErr.Message) {
				continue
			}
			if m := missingRole.FindStringSubmatch(pgErr.Message); m != nil && opts.CreateRoles {
				if err := createRole(ctx, conn, m[1]); err != nil {
					return err
				}
				continue
			}
		}
		l.env = envUnknown
		all := make([]int, len(l.stmts))
		for i := range all {
			all[i] = i
		}
		err = l.run(ctx, l.lateLast(all))
		break
	}
	return l.finish(ctx, err)
}

// LoadParsing is Load for a source still being parsed: the batch Load
// would send is sent a piece at a time as the parse goes, in one
// transaction, committed once the whole set is known to be what was sent;
// the load then goes on as Load's does after its batch. When the pieces
// fail, the transaction is rolled back and the load goes on as Load's does
// after its batch failed; when the set is not what was sent, it is rolled
// back and Load loads the set. Statements that create what outside has made
// (see withoutPrelude) are left out. It returns the parsed set; a set that
// does not parse is the error, and what it loaded is left for the caller
// to drop.
//
// With fresh, the batch is committed every opts.CommitEvery statements
// where nothing of the transaction's own would be lost (see
// source.Statement.TransactionScoped); where the load would roll back
// after such a commit, it goes on instead, as it would from the
// rollback, on the session fresh returns: one on a new database holding
// what conn's did before the load (the prelude). conn is then the
// caller's to close.
func LoadParsing(ctx context.Context, conn *pgx.Conn, src Parsing, outside *model.Model, opts LoadOptions, fresh func(context.Context) (*pgx.Conn, error)) (*source.Set, error) {
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		return nil, fmt.Errorf("load the schema source into the shadow database: %w", err)
	}
	w := batchWriter{opts: opts}
	if fresh != nil {
		w.every = opts.CommitEvery
	}
	// rollBack ends the transaction and leaves the database as before the
	// load: on a new one when part of it was committed.
	rollBack := func() error {
		_, err := conn.Exec(ctx, "ROLLBACK")
		if w.commits > 0 {
			conn, err = fresh(ctx)
		}
		if err != nil {
			return fmt.Errorf("load the schema source into the shadow database: %w", err)
		}
		return nil
	}
	var sent []source.Statement
	var failed error // the piece that failed: the transaction is aborted
	for {
		stmts, more := src.Next(ctx, len(sent))
		if !more {
			break
		}
		sent = append(sent, stmts...)
		if failed != nil {
			continue // wait for the set
		}
		w.Reset()
		for _, st := range stmts {
			if !preludeMade(st, outside) {
				w.add(st)
			}
		}
		if w.Len() > 0 {
			_, failed = conn.Exec(ctx, w.String())
		}
	}
	if err := ctx.Err(); err != nil {
		// Called off: the parse is not waited for, and the session, its
		// transaction open, goes with the scratch database.
		return nil, err
	}
	set, err := src.Wait()
	if err != nil {
		_, _ = conn.Exec(ctx, "ROLLBACK") // the parse's error is the one to report
		return nil, err
	}
	if !slices.Equal(sent, set.Statements) {
		failed = nil // this set's batch has not been sent
	} else if failed == nil {
		if _, err := conn.Exec(ctx, "COMMIT"); err == nil {
			return set, batchSent(ctx, conn, withoutPrelude(set, outside), opts)
		}
		// Not committed, for a reason of its own: loaded from the start.
	}
	if err := rollBack(); err != nil {
		return nil, err
	}
	// When the batch, sent in pieces, failed as the whole batch would
	// have, the load goes on from that failure rather than send it again.
	return set, loadAfter(ctx, conn, withoutPrelude(set, outside), opts, failed)
}

// batchSent goes on with the load of set after its batch ran and was
// committed (LoadParsing), as Load does.
func batchSent(ctx context.Context, conn *pgx.Conn, set *source.Set, opts LoadOptions) error {
	if len(set.Statements) == 0 {
		return nil
	}
	l := newLoader(conn, set.Statements, opts)
	var later []int
	for i, st := range l.stmts {
		if runsAfterBatch(st) {
			later = append(later, i)
		}
	}
	return l.finish(ctx, l.batchRan(ctx, later))
}

// Parsing is a source being parsed, as LoadParsing takes it: its
// statements in order as they are parsed (Next), then the whole set (Wait),
// which may also check it. *source.Stream is one; Parsed is a set parsed
// before.
type Parsing interface {
	Next(ctx context.Context, n int) ([]source.Statement, bool)
	Wait() (*source.Set, error)
}

// Parsed is a set already parsed, as a Parsing.
func Parsed(set *source.Set) Parsing { return parsed{set} }

type parsed struct{ set *source.Set }

func (p parsed) Next(_ context.Context, n int) ([]source.Statement, bool) {
	if n >= len(p.set.Statements) {
		return nil, false
	}
	return p.set.Statements[n:], true
}

func (p parsed) Wait() (*source.Set, error) { return p.set, nil }

// batchRan goes on from a batch that ran: its settings are in force, and
// the statements left for after it (later) run.
func (l *loader) batchRan(ctx context.Context, later []int) error {
	for i, st := range l.stmts {
		if st.IsSetting() && !l.skip[i] {
			l.settingOK[i] = true
		}
	}
	l.env = envUnknown
	return l.run(ctx, l.lateLast(later))
}

// finish ends a load that got as far as err: the session's settings are
// reset and the statements that failed are the *LoadError.
func (l *loader) finish(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	if _, err := l.conn.Exec(ctx, resetSession); err != nil {
		return fmt.Errorf("load the schema source into the shadow database: %w", err)
	}
	if len(l.failures) > 0 {
		return &LoadError{Failures: l.failures}
	}
	return nil
}

// resetSession undoes one file's settings before the next file runs. RESET
// ALL leaves the role alone, so SET ROLE is undone separately.
const resetSession = "RESET ALL; RESET SESSION AUTHORIZATION"

// maxBatchAttempts bounds how often the batch is sent again after fixing
// what made it fail, before going statement by statement.
const maxBatchAttempts = 8

// envUnknown stands for session settings nobody knows: reset before use.
const envUnknown = -2

type loader struct {
	conn  *pgx.Conn
	opts  LoadOptions
	stmts []source.Statement
	// lastSetting[i] is the index of the last setting statement before
	// statement i in the same file, or -1.
	lastSetting []int
	settingOK   map[int]bool
	// skip holds settings the server does not know, left out.
	skip map[int]bool
	// env is the statement index whose file's settings up to and including
	// it are in force on the session; -1 means PostgreSQL's defaults.
	env      int
	failures []Failure
	// relaxBodies creates functions with check_function_bodies off, once
	// retrying with the checks on makes no progress.
	relaxBodies bool
	// onlyIndex marks CREATE INDEX … ON ONLY statements; holdOnly keeps
	// them back while the other statements make progress (see run).
	onlyIndex map[int]bool
	holdOnly  bool
	// promoted holds the roles made superusers for what they own.
	promoted map[string]bool
}

// isOnlyIndex reports CREATE INDEX … ON ONLY: a partition created after
// it gets a copy of the index, named by PostgreSQL, which the source's own
// index of that partition cannot then be attached in place of.
func isOnlyIndex(st source.Statement) bool {
	// Most indexes say no ONLY: they are not parsed again.
	if st.Node != "IndexStmt" || !strings.Contains(strings.ToLower(st.SQL), "only") {
		return false
	}
	tree, err := pg_query.Parse(st.SQL)
	if err != nil || len(tree.Stmts) != 1 {
		return false
	}
	ix := tree.Stmts[0].Stmt.GetIndexStmt()
	return ix != nil && ix.Relation != nil && !ix.Relation.Inh
}

// createsFunction reports whether any of the statements creates a function
// or procedure.
func createsFunction(stmts []source.Statement, idx []int) bool {
	for _, i := range idx {
		if stmts[i].Node == "CreateFunctionStmt" {
			return true
		}
	}
	return false
}

func newLoader(conn *pgx.Conn, stmts []source.Statement, opts LoadOptions) *loader {
	l := &loader{conn: conn, opts: opts, stmts: stmts, lastSetting: make([]int, len(stmts)), settingOK: map[int]bool{}, skip: map[int]bool{}, env: -1,
		onlyIndex: map[int]bool{}, holdOnly: true, promoted: map[string]bool{}}
	last, file := -1, ""
	for i, st := range stmts {
		l.onlyIndex[i] = isOnlyIndex(st)
		if st.File != file {
			last, file = -1, st.File
		}
		l.lastSetting[i] = last
		if st.IsSetting() {
			last = i
		}
	}
	return l
}

// batch returns the statements that can run in one transaction as one
// multi-statement string, with RESET ALL between files, and the indexes of
// the statements left for after it.
func (l *loader) batch() (string, []int) {
	w := batchWriter{opts: l.opts}
	var later []int
	for i, st := range l.stmts {
		if l.skip[i] {
			w.enter(st.File)
			continue
		}
		if !w.add(st) {
			later = append(later, i)
		}
	}
	return w.String(), later
}

// batchWriter writes a batch (loader.batch), or its pieces one after the
// other (LoadParsing).
type batchWriter struct {
	strings.Builder
	opts LoadOptions
	file string // the file of the statement written last
	// every, when not 0, commits the transaction and begins another
	// before a statement once every statements have been written since
	// it began, unless one of the file's statements so far is
	// TransactionScoped (scoped). commits counts the commits written.
	every, since, commits int
	scoped                bool
}

// enter starts the statements of file: the session's settings are reset
// after another file's.
func (w *batchWriter) enter(file string) {
	if file != w.file {
		if w.file != "" {
			w.WriteString(resetSession + ";\n")
		}
		w.file = file
		w.scoped = false
	}
}

// add writes st, or reports that it cannot run in the batch: those run
// after it, one by one.
func (w *batchWriter) add(st source.Statement) bool {
	w.enter(st.File)
	if runsAfterBatch(st) {
		return false
	}
	if w.every > 0 && w.since >= w.every && !w.scoped {
		w.WriteString("COMMIT;\nBEGIN;\n")
		w.since = 0
		w.commits++
	}
	w.scoped = w.scoped || st.TransactionScoped
	w.WriteString(statementSQL(st, w.opts))
	w.WriteString(";\n")
	w.since++
	return true
}

// runsAfterBatch reports a statement that cannot run in the batch: it
// runs after it, on its own.
func runsAfterBatch(st source.Statement) bool { return st.NoTransaction || st.Late }

// sql is the text to run for statement i.
func (l *loader) sql(i int) string { return statementSQL(l.stmts[i], l.opts) }

// statementSQL is the text to run for st. CREATE ROLE tolerates an
// existing role: roles are cluster-wide and outlive the scratch database.
// Without manage_owners, an owner change may be refused
// (tolerantOwnerChange).
func statementSQL(st source.Statement, opts LoadOptions) string {
	switch {
	case st.Node == "CreateRoleStmt":
		return doBlock(st.SQL, "duplicate_object")
	case st.Node == "AlterOwnerStmt" && !opts.Owners:
		return tolerantOwnerChange(st.SQL)
	}
	return st.SQL
}

// doBlock runs sql in a DO block that ignores the named condition.
func doBlock(sql, condition string) string {
	tag := "$pgflux$"
	for n := 0; strings.Contains(sql, tag); n++ {
		tag = fmt.Sprintf("$pgflux%d$", n)
	}
	return "DO " + tag + " BEGIN " + sql + "; EXCEPTION WHEN " + condition + " THEN NULL; END " + tag
}

// lateLast orders statement indexes so that the Late ones (default
// privileges, event triggers) follow all others, each group in file order.
func (l *loader) lateLast(idx []int) []int {
	out := make([]int, 0, len(idx))
	for _, i := range idx {
		if !l.stmts[i].Late {
			out = append(out, i)
		}
	}
	for _, i := range idx {
		if l.stmts[i].Late {
			out = append(out, i)
		}
	}
	return out
}

// run executes the statements one at a time in autocommit mode (one
// statement is atomic, so a failure leaves nothing behind, and an enum value
// added by one is usable by the next), retrying those that lack an object
// until a pass makes no progress.
//
// Late statements (default privileges, event triggers) come last and wait
// until every other statement has run, retries included, and what follows
// one waits for it: they act on what is created after them, and the source
// declares each object's privileges itself, whatever the file order. When
// what they wait for fails for good, they run anyway.
func (l *loader) run(ctx context.Context, todo []int) error {
	first, forceDefaults := true, false
	for len(todo) > 0 {
		var retry []int
		var deferred []Failure
		progress, held, heldOnly := false, false, false
		for _, i := range todo {
			st := l.stmts[i]
			if st.IsSetting() {
				if first && !l.skip[i] {
					if err := l.runSetting(ctx, i); err != nil {
						return err
					}
				}
				continue
			}
			if l.holdOnly && l.onlyIndex[i] {
				// Out of file order, a partition may still wait for its
				// parent: the partitions go first, as pg_dump orders
				// them, so that the source's partition indexes attach.
				retry = append(retry, i)
				heldOnly = true
				continue
			}
			if !forceDefaults && (held || st.Late && len(retry) > 0) {
				retry = append(retry, i)
				held = true
				continue
			}
			f, err := l.runStatement(ctx, i)
			if err != nil {
				return err
			}
			switch {
			case f == nil:
				progress = true
			case missingDependency[f.Code] && !isDrop(st):
				retry = append(retry, i)
				deferred = append(deferred, *f)
			case missingDependency[f.Code]:
				// A DROP of something not there (yet): in file order it
				// had nothing to drop. Retrying it later would drop what
				// the source creates.
			default:
				l.failures = append(l.failures, *f)
			}
		}
		first = false
		if !progress && heldOnly {
			l.holdOnly = false
			todo = retry
			continue
		}
		if !progress && !l.relaxBodies && createsFunction(l.stmts, retry) {
			// A SQL function body that reads a table whose default calls
			// the function is a cycle no order resolves while bodies are
			// checked at creation; pg_dump turns the check off too.
			l.relaxBodies = true
			todo = retry
			continue
		}
		if !progress && held && !forceDefaults {
			// What still waits fails for good; the default privileges
			// held behind it run now.
			forceDefaults = true
			todo = retry
			continue
		}
		if !progress {
			for _, f := range deferred {
				f.Unresolved = true
				l.failures = append(l.failures, f)
			}
			break
		}
		todo = retry
	}
	sortFailures(l.failures, l.stmts)
	return nil
}

// skipUnknownSetting leaves out the settings of a parameter the server does
// not know (a newer pg_dump's transaction_timeout on an older server), from
// PostgreSQL's message about it. Settings do not change the structure.
func (l *loader) skipUnknownSetting(msg string) bool {
	m := unknownSetting.FindStringSubmatch(msg)
	if m == nil {
		return false
	}
	name := regexp.MustCompile(`(?i)^(SET\s+(SESSION\s+|LOCAL\s+)?"?|RESET\s+"?|SELECT\s+(pg_catalog\.)?set_config\s*\(\s*')` + regexp.QuoteMeta(m[1]) + `\b`)
	skipped := false
	for i, st := range l.stmts {
		if st.IsSetting() && !l.skip[i] && name.MatchString(st.SQL) {
			l.skip[i] = true
			skipped = true
		}
	}
	return skipped
}

// runSetting runs a SET or set_config statement in its file's context. An
// unknown setting (a newer pg_dump's transaction_timeout on an older
// server) is skipped: settings do not change the structure.
func (l *loader) runSetting(ctx context.Context, i int) error {
	if err := l.applyEnv(ctx, l.lastSetting[i]); err != nil {
		return err
	}
	_, err := l.conn.Exec(ctx, l.stmts[i].SQL)
	l.env = i
	if err == nil {
		l.settingOK[i] = true
		return nil
	}
	f, err := l.failure(ctx, i, err)
	if err != nil {
		return err
	}
	if !(f.Code == "42704" && unknownSetting.MatchString(f.Message)) {
		l.failures = append(l.failures, *f)
	}
	l.env = envUnknown // the failed statement may have changed nothing or something
	return nil
}

// runStatement runs statement i after its file's settings, creating missing
// roles when allowed. It returns the failure, or an error when the
// connection itself failed.
func (l *loader) runStatement(ctx context.Context, i int) (*Failure, error) {
	if err := l.applyEnv(ctx, l.lastSetting[i]); err != nil {
		return nil, err
	}
	if l.relaxBodies && l.stmts[i].Node == "CreateFunctionStmt" {
		if _, err := l.conn.Exec(ctx, "SET check_function_bodies = off"); err != nil {
			return nil, fmt.Errorf("load the schema source into the shadow database: %w", err)
		}
		l.env = envUnknown // the file's own settings are put back before the next statement
	}
	created := map[string]bool{}
	for {
		_, err := l.conn.Exec(ctx, l.sql(i))
		if err == nil {
			return nil, nil
		}
		f, err := l.failure(ctx, i, err)
		if err == nil && f.Code == "42501" {
			if ok, err := l.promoteOwner(ctx, f.Message); err != nil || ok {
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		if err != nil || f.Code != "42704" || !l.opts.CreateRoles {
			return f, err
		}
		m := missingRole.FindStringSubmatch(f.Message)
		if m == nil || created[m[1]] {
			return f, nil
		}
		created[m[1]] = true
		if err := createRole(ctx, l.conn, m[1]); err != nil {
			return nil, err
		}
	}
}

// createRole creates a NOLOGIN role, tolerating one created meanwhile.
func createRole(ctx context.Context, conn *pgx.Conn, name string) error {
	_, err := conn.Exec(ctx, "CREATE ROLE "+pgx.Identifier{name}.Sanitize()+" NOLOGIN")
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && pgErr.Code == "42710") { // created meanwhile
		return fmt.Errorf("create role %s referenced by the schema source: %w", name, err)
	}
	return nil
}

// applyEnv puts the session in the settings state `want` (see loader.env).
func (l *loader) applyEnv(ctx context.Context, want int) error {
	if l.env == want {
		return nil
	}
	var b strings.Builder
	b.WriteString(resetSession + ";")
	if want >= 0 {
		file := l.stmts[want].File
		for j := 0; j <= want; j++ {
			if l.stmts[j].File == file && l.settingOK[j] {
				b.WriteString(l.stmts[j].SQL)
				b.WriteString(";")
			}
		}
	}
	if _, err := l.conn.Exec(ctx, b.String()); err != nil {
		return fmt.Errorf("load the schema source into the shadow database: restore the settings of %s: %w", l.stmts[max(want, 0)].File, err)
	}
	l.env = want
	return nil
}

// failure describes a failed statement; errors that are not PostgreSQL's
// (a lost connection, a cancelled context) are returned as err.
func (l *loader) failure(ctx context.Context, i int, err error) (*Failure, error) {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || ctx.Err() != nil {
		return nil, fmt.Errorf("load the schema source into the shadow database: %w", err)
	}
	st := l.stmts[i]
	f := &Failure{
		Statement: st,
		Line:      st.Line,
		Code:      pgErr.Code,
		Message:   pgErr.Message,
		Detail:    pgErr.Detail,
		Hint:      pgErr.Hint,
	}
	if pgErr.Position > 0 && l.sql(i) == st.SQL {
		f.Line = st.Line + strings.Count(prefixChars(st.SQL, int(pgErr.Position)-1), "\n")
	}
	if st.Node == "CreateExtensionStmt" && (pgErr.Code == "0A000" || pgErr.Code == "58P01") {
		name := extensionName(st, pgErr.Message)
		f.Message = fmt.Sprintf("extension %q is not available on %s", name, l.opts.Server)
		f.Detail = pgErr.Message
		if pgErr.Detail != "" {
			f.Detail += "\n" + pgErr.Detail
		}
		f.Hint = l.opts.ExtensionHint
	}
	superuserHint(f, l.opts)
	if msg := newerFeatureIn(st.SQL, l.opts.Major); msg != "" {
		f.Detail = strings.TrimSpace(f.Message + "\n" + f.Detail)
		f.Message = msg
		f.Hint = "Use a PostgreSQL server of that major for the live database, or leave the feature out of the source."
	}
	if f.Code == "42704" && !l.opts.CreateRoles && missingRole.MatchString(f.Message) && f.Hint == "" {
		f.Hint = fmt.Sprintf("roles are not created on %s: create the role there, or let pg-flux use an embedded shadow server (no --shadow-dsn), where it creates referenced roles itself", l.opts.Server)
	}
	return f, nil
}

func extensionName(st source.Statement, msg string) string {
	if m := extensionMessage.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			return m[1]
		}
		return m[2]
	}
	if tree, err := pg_query.Parse(st.SQL); err == nil && len(tree.Stmts) == 1 {
		if ce := tree.Stmts[0].Stmt.GetCreateExtensionStmt(); ce != nil {
			return ce.Extname
		}
	}
	return "?"
}

// prefixChars returns the first n characters of s (PostgreSQL positions
// count characters).
func prefixChars(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// isDrop reports statements that only remove objects: a DROP, or an ALTER
// TABLE made only of DROP actions (pg_dump --clean preludes).
func isDrop(st source.Statement) bool {
	if strings.HasPrefix(st.Node, "Drop") {
		return true
	}
	if st.Node != "AlterTableStmt" {
		return false
	}
	tree, err := pg_query.Parse(st.SQL)
	if err != nil || len(tree.Stmts) != 1 {
		return false
	}
	at := tree.Stmts[0].Stmt.GetAlterTableStmt()
	if at == nil || len(at.Cmds) == 0 {
		return false
	}
	for _, c := range at.Cmds {
		switch c.GetAlterTableCmd().GetSubtype() {
		case pg_query.AlterTableType_AT_DropColumn, pg_query.AlterTableType_AT_DropConstraint,
			pg_query.AlterTableType_AT_DropNotNull, pg_query.AlterTableType_AT_DropIdentity,
			pg_query.AlterTableType_AT_DropExpression, pg_query.AlterTableType_AT_DropInherit,
			pg_query.AlterTableType_AT_DropOf, pg_query.AlterTableType_AT_DetachPartition:
		default:
			return false
		}
	}
	return true
}

// sortFailures puts failures in source order.
func sortFailures(fs []Failure, stmts []source.Statement) {
	pos := make(map[source.Statement]int, len(stmts))
	for i, st := range stmts {
		pos[st] = i
	}
	sort.SliceStable(fs, func(i, j int) bool { return pos[fs[i].Statement] < pos[fs[j].Statement] })
}
