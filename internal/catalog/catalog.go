// Package catalog reads pg_catalog into the schema model. The same code reads
// the shadow database (desired state) and the live database, with one
// set-based query per object kind, all sent in a single round trip (two, on
// two sessions sharing a snapshot, with Options.Parallel), and one more for
// the rarely used kinds a schema has (rareKinds): the number of round trips
// does not grow with the number of objects.
package catalog

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// Options select what is inspected.
type Options struct {
	// Schemas are the managed schemas; objects elsewhere are ignored.
	Schemas []string
	// Owners reads object owners into the model (manage_owners); off,
	// owners are neither read nor hashed.
	Owners bool
	// Parallel reads the catalog over two sessions that share one
	// snapshot, so that PostgreSQL plans and runs the queries on two
	// cores. The second session is a new connection with conn's
	// configuration; when it cannot be made in time, conn reads alone.
	// A database dropped right after must be dropped WITH (FORCE): the
	// second session's backend may outlive Inspect by a moment.
	Parallel bool
	// Dial opens the second session's connection; nil dials conn's
	// configuration.
	Dial func(context.Context) (*pgx.Conn, error)
	// Keep, when set, is handed the second session's connection once it
	// has read its share, in place of Inspect closing it; the caller
	// closes it, or hands it to a later inspection of the same database
	// through Dial. Its backend has the catalogs cached and the queries
	// prepared, which a new backend spends longer on than on reading a
	// 200-table catalog's half.
	Keep func(*pgx.Conn)
	// TypeInfo reads what code generation needs into Model.TypeInfo.
	// Off, it stays nil: nothing else reads it, and on 1,000 tables its
	// three queries' maps are about 1 MB of each model.
	TypeInfo bool
	// WithoutDeps leaves Model.Deps empty, for a model that is only
	// compared (diff.Compare leaves dependencies out), never planned from
	// nor hashed as a template: on 1,000 tables the dependency query is the
	// costliest (about 120 ms of the server's time) and its map about
	// 1.7 MB of the model.
	WithoutDeps bool
}

// ParallelFrom is the number of tables from which Options.Parallel pays
// its way when the machine has a core to spare. Below it, the second
// session's backend start and cold query planning cost more CPU than its
// share of the reading saves: measured on 2 tables, no faster and 90 ms
// more CPU; on 200 tables 40 ms faster, on 1,000 tables 200 ms.
const ParallelFrom = 100

// Inspect reads the managed schemas of the connected database into a model.
// Objects that belong to extensions are left out. It reads in one
// repeatable-read, read-only transaction, so the model is a consistent
// snapshot even while the database changes.
func Inspect(ctx context.Context, conn *pgx.Conn, opts Options) (*model.Model, error) {
	m, _, err := inspect(ctx, conn, opts)
	return m, err
}

// InspectSessions is Inspect; it also says how many sessions read the
// catalog: 2 when Options.Parallel's second session read its share, else 1.
func InspectSessions(ctx context.Context, conn *pgx.Conn, opts Options) (*model.Model, int, error) {
	return inspect(ctx, conn, opts)
}

func inspect(ctx context.Context, conn *pgx.Conn, opts Options) (*model.Model, int, error) {
	var second *secondSession
	if opts.Parallel {
		// Dialled at once: the connection overlaps the first round trip.
		dial := opts.Dial
		if dial == nil {
			cfg := conn.Config()
			dial = func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg) }
		}
		second = dialSecond(ctx, dial, opts.Keep)
		defer second.close(ctx)
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, sessionSettings); err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	var major int
	var snap string
	if second != nil {
		if major, snap, err = exportSnapshot(ctx, tx); err != nil {
			return nil, 0, fmt.Errorf("inspect catalog: %w", err)
		}
	} else if major, err = ServerMajor(ctx, tx); err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	r := &reader{m: model.New(), major: major}
	var qs []query
	strs := interner{}
	queue := func(name, sql string, scan func(pgx.Rows) error) {
		qs = append(qs, query{name: name, sql: sql, scan: scan, strs: strs})
	}
	// Order matters: columns and constraints attach to relations read
	// before them, identity sequences to columns.
	queue("schemas", schemasQuery, r.schema)
	queue("tables and views", relationsQuery, r.relation)
	queue("columns", columnsQuery, r.column)
	queue("constraints", constraintsQuery, r.constraint)
	queue("sequences", sequencesQuery, r.sequence)
	queue("enums", enumsQuery, r.enum)
	queue("functions", functionsQuery, r.function)
	queue("triggers", triggersQuery, r.trigger)
	queue("rules", rulesQuery, r.rule)
	queue("event triggers", eventTriggersQuery, r.eventTrigger)
	queue("foreign servers", serversQuery, r.server)
	queue("casts", castsQuery, r.cast)
	r.queueTypes(queue)
	queue("indexes", indexesQuery, r.index)
	// With Parallel, the second session reads from here on: about half of
	// the work on small and large schemas alike (on a small one the cost
	// is planning, on a large one columns, indexes and dependencies). The
	// second session starts later, once the first has exported its
	// snapshot, and its rows are scanned after the first's: with the
	// indexes it finished last on schemas of 2 and 200 tables.
	mid := len(qs)
	queue("partition indexes", partitionIndexesQuery, r.partitionIndex)
	queue("index statistics targets", indexStatsTargetsQuery, r.indexStatsTarget)
	queueSecurity(queue, r, opts)
	if opts.TypeInfo {
		r.queueTypeInfo(queue)
	}
	if !opts.WithoutDeps {
		queue("dependencies", dependsQuery, r.depend)
	}
	queue("unmodelled objects", unmodelledQueryFor(r.major), r.unmodelled)
	head, rare := r.holdRare(qs[:mid], strs)
	tail := qs[mid:]
	if second == nil {
		if err := runQueries(ctx, tx, append(head, tail...), opts.Schemas); err != nil {
			return nil, 0, fmt.Errorf("inspect catalog: %w", err)
		}
		if err := r.runRare(ctx, tx, rare, opts.Schemas); err != nil {
			return nil, 0, fmt.Errorf("inspect catalog: %w", err)
		}
		r.clipDeps()
		return r.m, 1, nil
	}
	second.send(snap, tail, opts.Schemas)
	if err := runQueries(ctx, tx, head, opts.Schemas); err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	if err := r.runRare(ctx, tx, rare, opts.Schemas); err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	sessions, err := second.scan(ctx, tx, tail, opts.Schemas)
	if err != nil {
		return nil, 0, fmt.Errorf("inspect catalog: %w", err)
	}
	r.clipDeps()
	return r.m, sessions, nil
}

// Dependencies reads what Inspect reads into Model.Deps, alone: for a
// model read with Options.WithoutDeps from a database that has not
// changed since, whose dependencies turn out to be needed after all.
func Dependencies(ctx context.Context, conn *pgx.Conn, schemas []string) (map[model.ObjectID][]model.ObjectID, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("inspect dependencies: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, sessionSettings); err != nil {
		return nil, fmt.Errorf("inspect dependencies: %w", err)
	}
	r := &reader{m: model.New()}
	q := query{name: "dependencies", sql: dependsQuery, scan: r.depend, strs: interner{}}
	if err := runQueries(ctx, tx, []query{q}, schemas); err != nil {
		return nil, fmt.Errorf("inspect dependencies: %w", err)
	}
	r.clipDeps()
	return r.m.Deps, nil
}

// clipDeps gives each object's dependency list its exact length: they grow
// by appending, which leaves up to half of each unused, and dependencies
// are most of a large model.
func (r *reader) clipDeps() {
	for id, deps := range r.m.Deps {
		if cap(deps) > len(deps) {
			r.m.Deps[id] = append([]model.ObjectID(nil), deps...)
		}
	}
}

// sessionSettings are set in every inspecting transaction. Deparsers
// qualify every name that is not visible on the search path; with only
// pg_catalog on it, both sides print fully qualified SQL. work_mem: the
// dependency query sorts tens of thousands of rows on a large schema,
// which spills to disk at the 4MB default. The collapse limits keep joins
// in the order written: in a new session these queries take longer to
// plan than to run, and searching join orders was about a fifth of the
// planning, with no slower reads on large catalogs (BENCHMARKS.md).
const sessionSettings = "SET LOCAL search_path = pg_catalog; SET LOCAL work_mem = '64MB'; " +
	"SET LOCAL join_collapse_limit = 1; SET LOCAL from_collapse_limit = 1"

// query is one catalog query and the reader of its rows.
type query struct {
	name string
	sql  string
	scan func(pgx.Rows) error
	strs interner // shared by the queries of one inspection
}

// runQueries sends qs in one round trip and scans their rows in order.
func runQueries(ctx context.Context, tx pgx.Tx, qs []query, schemas []string) error {
	batch := &pgx.Batch{}
	for _, q := range qs {
		batch.Queue(q.sql, schemas).Query(func(rows pgx.Rows) error { return scanAll(q, rows) })
	}
	return tx.SendBatch(ctx, batch).Close()
}

func scanAll(q query, rows pgx.Rows) error {
	interned := &internedRows{Rows: rows, strs: q.strs}
	for rows.Next() {
		if err := q.scan(interned); err != nil {
			return fmt.Errorf("read %s: %w", q.name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", q.name, err)
	}
	return nil
}

// reader fills a model from the rows of the catalog queries.
type reader struct {
	m     *model.Model
	major int // the server's major version: picks the query of each kind
	// found is, for each rare kind held back (holdRare), whether the
	// catalog holds any.
	found []bool
}

func (r *reader) schema(rows pgx.Rows) error {
	s := &model.Schema{}
	if err := rows.Scan(&s.Name, &s.Comment); err != nil {
		return err
	}
	r.m.Schemas[s.Name] = s
	return nil
}

func (r *reader) relation(rows pgx.Rows) error {
	var (
		name          model.QName
		kind, comment string
		viewdef       string
		options       []string
		tuples        float64
		pages         int64
		server        string
		ftOptions     []string
	)
	if err := rows.Scan(&name.Schema, &name.Name, &kind, &comment, &viewdef, &options, &tuples, &pages, &server, &ftOptions); err != nil {
		return err
	}
	switch kind {
	case "r", "p":
		r.m.Tables[name] = &model.Table{Name: name, Constraints: map[string]*model.Constraint{}, Comment: comment}
		r.m.Stats[name] = model.TableStats{RelTuples: tuples, RelPages: pages}
	case "f":
		if len(ftOptions) == 0 {
			ftOptions = nil
		}
		r.m.Tables[name] = &model.Table{Name: name, Constraints: map[string]*model.Constraint{}, Comment: comment,
			Foreign: &model.ForeignTable{Server: server, Options: ftOptions}}
	case "v":
		r.m.Views[name] = &model.View{Name: name, Definition: viewdef, Options: options, Comment: comment}
	}
	return nil
}

func (r *reader) column(rows pgx.Rows) error {
	var (
		rel                   model.QName
		c                     model.Column
		def, ident, generated string
	)
	if err := rows.Scan(&rel.Schema, &rel.Name, &c.Name, &c.Type, &c.NotNull, &def, &ident, &generated, &c.Collation, &c.Comment,
		&c.FDWOptions, &c.Inherited); err != nil {
		return err
	}
	if len(c.FDWOptions) == 0 {
		c.FDWOptions = nil
	}
	if v, ok := r.m.Views[rel]; ok {
		v.Columns = append(v.Columns, model.ViewColumn{Name: c.Name, Type: c.Type, Comment: c.Comment})
		return nil
	}
	t, ok := r.m.Tables[rel]
	if !ok {
		return nil
	}
	c.Identity = ident
	switch generated {
	case "s":
		c.Generated = def
	case "v":
		// A virtual generated column (PostgreSQL 18).
		c.Generated, c.Virtual = def, true
	default:
		c.Default = def
	}
	t.Columns = append(t.Columns, &c)
	return nil
}

func (r *reader) constraint(rows pgx.Rows) error {
	var (
		rel            model.QName
		c              model.Constraint
		refNsp, refRel string
	)
	if err := rows.Scan(&rel.Schema, &rel.Name, &c.Name, &c.Type, &c.Definition, &c.Validated, &refNsp, &refRel, &c.Comment); err != nil {
		return err
	}
	t, ok := r.m.Tables[rel]
	if !ok {
		return nil
	}
	if c.Type == model.ForeignKey {
		c.References = &model.QName{Schema: refNsp, Name: refRel}
	}
	t.Constraints[c.Name] = &c
	return nil
}

// partitionIndex adds an attached partition index to its top index; those
// of constraint indexes are not modelled (constraints are).
func (r *reader) partitionIndex(rows pgx.Rows) error {
	var top model.QName
	var pi model.PartitionIndex
	if err := rows.Scan(&top.Schema, &top.Name, &pi.Table.Schema, &pi.Table.Name, &pi.Name); err != nil {
		return err
	}
	if ix := r.m.Indexes[top]; ix != nil {
		ix.Partitions = append(ix.Partitions, pi)
	}
	return nil
}

func (r *reader) index(rows pgx.Rows) error {
	ix := &model.Index{}
	if err := rows.Scan(&ix.Name.Schema, &ix.Name.Name, &ix.Table.Schema, &ix.Table.Name, &ix.Definition, &ix.Unique, &ix.Comment, &ix.Invalid); err != nil {
		return err
	}
	r.m.Indexes[ix.Name] = ix
	return nil
}

func (r *reader) sequence(rows pgx.Rows) error {
	var (
		s                        model.Sequence
		deptype, tnsp, trel, col string
	)
	if err := rows.Scan(&s.Name.Schema, &s.Name.Name, &s.Type, &s.Start, &s.Increment, &s.Min, &s.Max, &s.Cache, &s.Cycle,
		&s.Comment, &deptype, &tnsp, &trel, &col); err != nil {
		return err
	}
	owner := model.QName{Schema: tnsp, Name: trel}
	switch deptype {
	case "i":
		// The implicit sequence of an identity column is part of the column.
		if t, ok := r.m.Tables[owner]; ok {
			if c := t.Column(col); c != nil {
				c.IdentitySequence = &s
			}
		}
		return nil
	case "a":
		s.OwnedBy = &model.ColumnRef{Table: owner, Column: col}
	}
	r.m.Sequences[s.Name] = &s
	return nil
}

func (r *reader) enum(rows pgx.Rows) error {
	e := &model.Enum{}
	if err := rows.Scan(&e.Name.Schema, &e.Name.Name, &e.Labels, &e.Comment); err != nil {
		return err
	}
	r.m.Enums[e.Name] = e
	return nil
}

func (r *reader) depend(rows pgx.Rows) error {
	var (
		from    model.ObjectID
		to      model.ObjectID
		kind    string
		refKind string
		refCol  string
	)
	// A function is named by its identity arguments as well (overloads).
	if err := rows.Scan(&kind, &from.Schema, &from.Name, &from.Sub, &refKind, &to.Schema, &to.Name, &refCol, &to.Sub); err != nil {
		return err
	}
	from.Kind, to.Kind = model.Kind(kind), model.Kind(refKind)
	r.m.Deps[from] = appendUnique(r.m.Deps[from], to)
	if refCol != "" {
		col := model.ObjectID{Kind: model.KindColumn, Schema: to.Schema, Name: to.Name, Sub: refCol}
		r.m.Deps[from] = appendUnique(r.m.Deps[from], col)
	}
	return nil
}

func appendUnique(ids []model.ObjectID, id model.ObjectID) []model.ObjectID {
	for _, x := range ids {
		if x == id {
			return ids
		}
	}
	return append(ids, id)
}

func (r *reader) server(rows pgx.Rows) error {
	s := &model.ForeignServer{}
	if err := rows.Scan(&s.Name, &s.Wrapper, &s.Type, &s.Version, &s.Options, &s.Comment, &s.WrapperExtension); err != nil {
		return err
	}
	if len(s.Options) == 0 {
		s.Options = nil
	}
	r.m.Servers[s.Name] = s
	return nil
}
