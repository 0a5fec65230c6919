package migration

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// The privilege precheck: before the first statement of an apply or a
// rollback runs (and before the ledger is created), the privileges the
// pending statements need are derived from their parse trees and checked
// with has_*_privilege and pg_has_role, so that a role that lacks one is
// refused with the privilege named and the GRANT that fixes it, instead
// of failing half-way with PostgreSQL's permission error. Only what can
// be told from a statement is checked: a DO block, a GRANT, a function
// body are left to PostgreSQL.

// need is one privilege a statement needs on one object.
type need struct {
	// kind is "create_schema" (CREATE on schema Schema), "create_db"
	// (CREATE on the database), "owner" (ownership of Object, a Kind:
	// table, view, type, function, schema), "trigger" (TRIGGER on table
	// Object).
	kind   string
	schema string
	object model.QName
	okind  string // "relation", "type", "function", "schema"
	stmt   *source.Statement
	// why is said instead of the statement, for the ledger's needs.
	why string
}

func (n need) key() string {
	return n.kind + "\x00" + n.schema + "\x00" + n.okind + "\x00" + n.object.String()
}

// ledgerState is what the ledger looks like before an apply or rollback.
type ledgerState struct {
	schemaExists bool
	exists       bool // the table
	// current: every column and the status constraint of this version are
	// there, so ensureLedger has nothing to create or change.
	current bool
}

func readLedgerState(ctx context.Context, conn *pgx.Conn, tracking string) (ledgerState, error) {
	var s ledgerState
	if tracking == "" {
		tracking = DefaultTrackingSchema
	}
	table := ledgerTable(tracking)
	// Not to_regclass: it fails without USAGE on the schema, which is
	// one of the things checked.
	err := conn.QueryRow(ctx, `WITH t AS (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = 'migrations')
	SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1),
		EXISTS (SELECT FROM t),
		EXISTS (SELECT FROM pg_attribute WHERE attrelid = (SELECT oid FROM t) AND attname = 'statement_hashes' AND NOT attisdropped)
		AND EXISTS (SELECT FROM pg_constraint WHERE conrelid = (SELECT oid FROM t) AND conname = 'migrations_status_check'
			AND pg_get_constraintdef(oid) LIKE '%rolling_back%')`, tracking).Scan(&s.schemaExists, &s.exists, &s.current)
	if err != nil {
		return s, fmt.Errorf("look for migration ledger %s: %w", table, err)
	}
	return s, nil
}

// ledgerCurrent reports whether the ledger needs nothing from ensureLedger:
// it is current and every row has its seq and chain.
func ledgerCurrent(ctx context.Context, conn *pgx.Conn, tracking string) (bool, error) {
	s, err := readLedgerState(ctx, conn, tracking)
	if err != nil || !s.current {
		return false, err
	}
	var stale bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT FROM `+ledgerTable(tracking)+` WHERE seq IS NULL OR chain = '')`).Scan(&stale); err != nil {
		return false, fmt.Errorf("read migration ledger %s: %w", ledgerTable(tracking), err)
	}
	return !stale, nil
}

// privilegeChecker derives and checks needs.
type privilegeChecker struct {
	conn     *pgx.Conn
	tracking string
	verb     string // "apply" or "roll back"
	command  string // "apply" or "rollback"
	needs    []need
	seen     map[string]bool
	// created are objects created earlier in the pending statements: the
	// role will own them.
	created map[string]bool
	current string // current_schema(), for unqualified names
}

// checkPrivileges refuses, with a *RefusedError naming each missing
// privilege, when the role cannot run the pending statements or write the
// ledger. A superuser is not checked.
func (a *applier) checkPrivileges(ctx context.Context, pending []*pendingFile, ledger ledgerState, rollback bool) error {
	var super bool
	var current *string
	if err := a.conn.QueryRow(ctx, `SELECT rolsuper, current_schema() FROM pg_roles WHERE rolname = current_user`).Scan(&super, &current); err != nil {
		return fmt.Errorf("check the role's privileges: %w", err)
	}
	if super {
		return nil
	}
	c := a.newPrivilegeChecker(rollback)
	if current != nil {
		c.current = *current
	}
	if ledger.exists {
		// Reading it was checked before it was read.
		c.ledgerWriteNeeds(rollback)
	} else {
		c.ledgerNeeds(ledger, rollback)
	}
	for _, p := range pending {
		for i := range p.file.Statements {
			if i < p.start {
				continue
			}
			st := &p.file.Statements[i]
			tree, err := pg_query.Parse(st.SQL)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", st.File, st.Line, err)
			}
			for _, raw := range tree.Stmts {
				c.derive(st, raw.Stmt)
			}
		}
	}
	missing, err := c.check(ctx)
	if err != nil || len(missing) == 0 {
		return err
	}
	return c.refusal(ctx, pending, missing)
}

func (c *privilegeChecker) add(n need) {
	if c.seen[n.key()] {
		return
	}
	c.seen[n.key()] = true
	c.needs = append(c.needs, n)
}

func (c *privilegeChecker) ledgerNeeds(s ledgerState, rollback bool) {
	table := ledgerTable(c.tracking)
	switch {
	case !s.schemaExists:
		c.add(need{kind: "create_db", why: "creating the migration ledger " + table})
	case !s.exists:
		c.add(need{kind: "create_schema", schema: c.tracking, why: "creating the migration ledger " + table})
	default:
		q := model.QName{Schema: c.tracking, Name: "migrations"}
		c.add(need{kind: "usage_schema", schema: c.tracking, why: "reading the migration ledger " + table})
		if !s.current {
			c.add(need{kind: "owner", okind: "relation", object: q, why: "bringing the migration ledger " + table + " up to this version"})
		}
		c.add(need{kind: "table:SELECT", okind: "relation", object: q, why: "reading the migration ledger " + table})
	}
}

// ledgerWriteNeeds are what recording progress in an existing ledger needs.
func (c *privilegeChecker) ledgerWriteNeeds(rollback bool) {
	table := ledgerTable(c.tracking)
	q := model.QName{Schema: c.tracking, Name: "migrations"}
	privs := []string{"INSERT", "UPDATE"}
	if rollback {
		privs = []string{"UPDATE", "DELETE"}
	}
	for _, p := range privs {
		c.add(need{kind: "table:" + p, okind: "relation", object: q, why: "recording progress in the migration ledger " + table})
	}
}

// qname resolves an unqualified name to current_schema().
func (c *privilegeChecker) qname(schema, name string) model.QName {
	if schema == "" {
		schema = c.current
	}
	return model.QName{Schema: schema, Name: name}
}

func (c *privilegeChecker) rv(rv *pg_query.RangeVar) model.QName {
	if rv == nil {
		return model.QName{}
	}
	return c.qname(rv.Schemaname, rv.Relname)
}

func (c *privilegeChecker) names(nodes []*pg_query.Node) model.QName {
	var parts []string
	for _, n := range nodes {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.Sval)
		}
	}
	switch len(parts) {
	case 1:
		return c.qname("", parts[0])
	case 2:
		return c.qname(parts[0], parts[1])
	}
	return model.QName{}
}

// creates records an object the statement creates in schema q.Schema.
func (c *privilegeChecker) creates(st *source.Statement, okind string, q model.QName) {
	if q.Name == "" {
		return
	}
	if !c.created["schema\x00"+q.Schema] {
		c.add(need{kind: "create_schema", schema: q.Schema, stmt: st})
	}
	c.created[okind+"\x00"+q.String()] = true
}

// owns records that the statement needs ownership of an existing object.
func (c *privilegeChecker) owns(st *source.Statement, okind string, q model.QName) {
	if q.Name == "" || c.created[okind+"\x00"+q.String()] || c.created["schema\x00"+q.Schema] {
		return
	}
	c.add(need{kind: "owner", okind: okind, object: q, stmt: st})
}

var relationKinds = map[pg_query.ObjectType]bool{
	pg_query.ObjectType_OBJECT_TABLE: true, pg_query.ObjectType_OBJECT_VIEW: true, pg_query.ObjectType_OBJECT_MATVIEW: true,
	pg_query.ObjectType_OBJECT_INDEX: true, pg_query.ObjectType_OBJECT_SEQUENCE: true, pg_query.ObjectType_OBJECT_FOREIGN_TABLE: true,
}

var typeKinds = map[pg_query.ObjectType]bool{pg_query.ObjectType_OBJECT_TYPE: true, pg_query.ObjectType_OBJECT_DOMAIN: true}

var functionKinds = map[pg_query.ObjectType]bool{
	pg_query.ObjectType_OBJECT_FUNCTION: true, pg_query.ObjectType_OBJECT_PROCEDURE: true, pg_query.ObjectType_OBJECT_ROUTINE: true,
}

// object names the object of a DROP, COMMENT or RENAME by its kind; ok is
// false for kinds not checked.
func (c *privilegeChecker) object(kind pg_query.ObjectType, n *pg_query.Node) (string, model.QName, bool) {
	switch {
	case relationKinds[kind]:
		if l := n.GetList(); l != nil {
			return "relation", c.names(l.Items), true
		}
	case typeKinds[kind]:
		if tn := n.GetTypeName(); tn != nil {
			return "type", c.names(tn.Names), true
		}
		if l := n.GetList(); l != nil {
			return "type", c.names(l.Items), true
		}
	case functionKinds[kind]:
		if f := n.GetObjectWithArgs(); f != nil {
			return "function", c.names(f.Objname), true
		}
	case kind == pg_query.ObjectType_OBJECT_SCHEMA:
		if s := n.GetString_(); s != nil {
			return "schema", model.QName{Name: s.Sval}, true
		}
	case kind == pg_query.ObjectType_OBJECT_COLUMN:
		if l := n.GetList(); l != nil && len(l.Items) >= 2 {
			return "relation", c.names(l.Items[:len(l.Items)-1]), true
		}
	}
	return "", model.QName{}, false
}

// derive adds the needs of one parsed statement.
func (c *privilegeChecker) derive(st *source.Statement, n *pg_query.Node) {
	switch {
	case n.GetCreateSchemaStmt() != nil:
		s := n.GetCreateSchemaStmt()
		c.add(need{kind: "create_db", stmt: st})
		c.created["schema\x00"+s.Schemaname] = true
		for _, e := range s.SchemaElts {
			c.derive(st, e)
		}
	case n.GetCreateExtensionStmt() != nil:
		// IF NOT EXISTS of an installed extension needs nothing: PostgreSQL
		// looks for it before checking privileges.
		s := n.GetCreateExtensionStmt()
		if s.IfNotExists {
			c.add(need{kind: "create_db", okind: "extension", object: model.QName{Name: s.Extname}, stmt: st})
		} else {
			c.add(need{kind: "create_db", stmt: st})
		}
	case n.GetCreateStmt() != nil:
		c.creates(st, "relation", c.rv(n.GetCreateStmt().Relation))
	case n.GetCreateForeignTableStmt() != nil && n.GetCreateForeignTableStmt().BaseStmt != nil:
		c.creates(st, "relation", c.rv(n.GetCreateForeignTableStmt().BaseStmt.Relation))
	case n.GetCreateTableAsStmt() != nil:
		if s := n.GetCreateTableAsStmt(); s.Into != nil {
			c.creates(st, "relation", c.rv(s.Into.Rel))
		}
	case n.GetViewStmt() != nil:
		s := n.GetViewStmt()
		q := c.rv(s.View)
		if s.Replace {
			c.owns(st, "relation", q) // checked only when it exists
		}
		c.creates(st, "relation", q)
	case n.GetCreateSeqStmt() != nil:
		c.creates(st, "relation", c.rv(n.GetCreateSeqStmt().Sequence))
	case n.GetCreateEnumStmt() != nil:
		c.creates(st, "type", c.names(n.GetCreateEnumStmt().TypeName))
	case n.GetCompositeTypeStmt() != nil:
		c.creates(st, "type", c.rv(n.GetCompositeTypeStmt().Typevar))
	case n.GetCreateRangeStmt() != nil:
		c.creates(st, "type", c.names(n.GetCreateRangeStmt().TypeName))
	case n.GetCreateDomainStmt() != nil:
		c.creates(st, "type", c.names(n.GetCreateDomainStmt().Domainname))
	case n.GetCreateFunctionStmt() != nil:
		s := n.GetCreateFunctionStmt()
		q := c.names(s.Funcname)
		if s.Replace {
			c.owns(st, "function", q)
		}
		c.creates(st, "function", q)
	case n.GetIndexStmt() != nil:
		t := c.rv(n.GetIndexStmt().Relation)
		c.owns(st, "relation", t)
		if !c.created["schema\x00"+t.Schema] {
			c.add(need{kind: "create_schema", schema: t.Schema, stmt: st})
		}
	case n.GetAlterTableStmt() != nil:
		c.owns(st, "relation", c.rv(n.GetAlterTableStmt().Relation))
	case n.GetAlterSeqStmt() != nil:
		c.owns(st, "relation", c.rv(n.GetAlterSeqStmt().Sequence))
	case n.GetAlterEnumStmt() != nil:
		c.owns(st, "type", c.names(n.GetAlterEnumStmt().TypeName))
	case n.GetAlterDomainStmt() != nil:
		c.owns(st, "type", c.names(n.GetAlterDomainStmt().TypeName))
	case n.GetAlterFunctionStmt() != nil:
		if f := n.GetAlterFunctionStmt().Func; f != nil {
			c.owns(st, "function", c.names(f.Objname))
		}
	case n.GetDropStmt() != nil:
		s := n.GetDropStmt()
		for _, o := range s.Objects {
			if okind, q, ok := c.object(s.RemoveType, o); ok {
				c.owns(st, okind, q)
			}
		}
	case n.GetCommentStmt() != nil:
		s := n.GetCommentStmt()
		if okind, q, ok := c.object(s.Objtype, s.Object); ok {
			c.owns(st, okind, q)
		}
	case n.GetRenameStmt() != nil:
		s := n.GetRenameStmt()
		switch {
		case s.Relation != nil:
			c.owns(st, "relation", c.rv(s.Relation))
		case s.Object != nil:
			if okind, q, ok := c.object(s.RenameType, s.Object); ok {
				c.owns(st, okind, q)
			}
		}
	case n.GetCreateTrigStmt() != nil:
		t := c.rv(n.GetCreateTrigStmt().Relation)
		if !c.created["relation\x00"+t.String()] && !c.created["schema\x00"+t.Schema] {
			c.add(need{kind: "table:TRIGGER", okind: "relation", object: t, stmt: st})
		}
	case n.GetCreatePolicyStmt() != nil:
		c.owns(st, "relation", c.rv(n.GetCreatePolicyStmt().Table))
	case n.GetAlterPolicyStmt() != nil:
		c.owns(st, "relation", c.rv(n.GetAlterPolicyStmt().Table))
	}
}

// missingNeed is a need the role does not have, with the owner of the
// object for an ownership need.
type missingNeed struct {
	need
	owner string
}

// check runs one query per need; a need on an object that does not exist
// (yet) is not the precheck's to judge.
func (c *privilegeChecker) check(ctx context.Context) ([]missingNeed, error) {
	var out []missingNeed
	for _, n := range c.needs {
		var ok *bool
		var owner *string
		var err error
		switch {
		case n.kind == "create_db":
			err = c.conn.QueryRow(ctx, `SELECT has_database_privilege(current_database(), 'CREATE')
				OR ($1 <> '' AND EXISTS (SELECT FROM pg_extension WHERE extname = $1))`, n.object.Name).Scan(&ok)
		case n.kind == "create_schema":
			err = c.conn.QueryRow(ctx, `SELECT has_schema_privilege(n.oid, 'CREATE') FROM pg_namespace n WHERE nspname = $1`, n.schema).Scan(&ok)
		case n.kind == "usage_schema":
			err = c.conn.QueryRow(ctx, `SELECT has_schema_privilege(n.oid, 'USAGE') FROM pg_namespace n WHERE nspname = $1`, n.schema).Scan(&ok)
		case strings.HasPrefix(n.kind, "table:"):
			err = c.conn.QueryRow(ctx, `SELECT has_table_privilege(c.oid, $2) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
				WHERE n.nspname = $1 AND c.relname = $3`, n.object.Schema, strings.TrimPrefix(n.kind, "table:"), n.object.Name).Scan(&ok)
		case n.kind == "owner":
			err = c.ownerQuery(ctx, n).Scan(&ok, &owner)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("check the role's privileges: %w", err)
		}
		if ok != nil && !*ok {
			m := missingNeed{need: n}
			if owner != nil {
				m.owner = *owner
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// ownerQuery returns (member of the owner, owner) for the object; no row
// when it does not exist, and a NULL membership when a function name is
// overloaded (which one the statement means is not told here).
func (c *privilegeChecker) ownerQuery(ctx context.Context, n need) pgx.Row {
	switch n.okind {
	case "relation":
		return c.conn.QueryRow(ctx, `SELECT pg_has_role(c.relowner, 'USAGE'), c.relowner::regrole::text FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, n.object.Schema, n.object.Name)
	case "type":
		return c.conn.QueryRow(ctx, `SELECT pg_has_role(t.typowner, 'USAGE'), t.typowner::regrole::text FROM pg_type t
			JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = $1 AND t.typname = $2`, n.object.Schema, n.object.Name)
	case "function":
		return c.conn.QueryRow(ctx, `SELECT CASE WHEN count(DISTINCT p.proowner) = 1 THEN pg_has_role(min(p.proowner::int)::oid, 'USAGE') END,
			min(p.proowner::int)::oid::regrole::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = $1 AND p.proname = $2 HAVING count(*) > 0`, n.object.Schema, n.object.Name)
	default: // schema
		return c.conn.QueryRow(ctx, `SELECT pg_has_role(nspowner, 'USAGE'), nspowner::regrole::text FROM pg_namespace WHERE nspname = $1`, n.object.Name)
	}
}

var kindWords = map[string]string{"relation": "", "type": "TYPE", "function": "FUNCTION", "schema": "SCHEMA"}

// refusal is the one message: each missing privilege at the statement that
// needs it first, and the GRANT (or ALTER … OWNER) that fixes it.
func (c *privilegeChecker) refusal(ctx context.Context, pending []*pendingFile, missing []missingNeed) error {
	var role, db string
	if err := c.conn.QueryRow(ctx, `SELECT current_user, current_database()`).Scan(&role, &db); err != nil {
		return fmt.Errorf("check the role's privileges: %w", err)
	}
	qrole, qdb := model.QuoteIdent(role), model.QuoteIdent(db)
	var file string
	if len(pending) > 0 {
		file = pending[0].file.Name
	}
	for _, m := range missing {
		if m.stmt != nil {
			for _, p := range pending {
				if p.file.Path == m.stmt.File || strings.HasSuffix(m.stmt.File, p.file.Name) {
					file = p.file.Name
					break
				}
			}
			break
		}
	}
	var b strings.Builder
	target := ""
	if file != "" {
		target = " " + file
	}
	fmt.Fprintf(&b, "refusing to %s%s: role %s lacks privileges it needs; nothing was run\n", c.verb, target, qrole)
	var fixes []string
	seenFix := map[string]bool{}
	fix := func(s string) {
		if !seenFix[s] {
			seenFix[s] = true
			fixes = append(fixes, s)
		}
	}
	ownership := false
	for _, m := range missing {
		where := m.why
		if m.stmt != nil {
			where = fmt.Sprintf("%s:%d: %s", m.stmt.File, m.stmt.Line, firstLine(m.stmt.SQL))
		}
		switch {
		case m.kind == "create_db":
			fmt.Fprintf(&b, "%s\n  needs CREATE on database %s\n", where, qdb)
			fix(fmt.Sprintf("GRANT CREATE ON DATABASE %s TO %s;", qdb, qrole))
		case m.kind == "usage_schema":
			fmt.Fprintf(&b, "%s\n  needs USAGE on schema %s\n", where, model.QuoteIdent(m.schema))
			fix(fmt.Sprintf("GRANT USAGE ON SCHEMA %s TO %s;", model.QuoteIdent(m.schema), qrole))
		case m.kind == "create_schema":
			fmt.Fprintf(&b, "%s\n  needs CREATE on schema %s\n", where, model.QuoteIdent(m.schema))
			fix(fmt.Sprintf("GRANT CREATE ON SCHEMA %s TO %s;", model.QuoteIdent(m.schema), qrole))
		case strings.HasPrefix(m.kind, "table:"):
			p := strings.TrimPrefix(m.kind, "table:")
			fmt.Fprintf(&b, "%s\n  needs %s on table %s\n", where, p, m.object)
			fix(fmt.Sprintf("GRANT %s ON %s TO %s;", p, m.object, qrole))
		case m.kind == "owner":
			name := m.object.String()
			if m.okind == "schema" {
				name = model.QuoteIdent(m.object.Name)
			}
			what := strings.ToLower(kindWords[m.okind])
			if what == "" {
				what = "relation"
			}
			fmt.Fprintf(&b, "%s\n  needs ownership of %s %s (owned by %s)\n", where, what, name, m.owner)
			fix(fmt.Sprintf("GRANT %s TO %s;", m.owner, qrole))
			ownership = true
		}
	}
	fmt.Fprintf(&b, "To fix, as the owner or a superuser:\n")
	for _, f := range fixes {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	if ownership {
		fmt.Fprintf(&b, "(or make %s the owner of the objects named: ALTER … OWNER TO %s)\n", qrole, qrole)
	}
	fmt.Fprintf(&b, "then re-run `pg-flux migrate %s`", c.command)
	return &RefusedError{File: file, Reason: "privilege", msg: b.String()}
}

// prepareLedger reads the ledger's state. When the ledger exists, the
// role must be able to read and write it (and own it when it was written
// by an earlier version and must be brought forward): checked here,
// before it is read, refused with the GRANT when missing; then it is
// brought forward. A ledger that does not exist is created only after
// every check, just before the first statement.
func (a *applier) prepareLedger(ctx context.Context, rollback bool) (ledgerState, error) {
	state, err := readLedgerState(ctx, a.conn, a.opts.TrackingSchema)
	if err != nil || !state.exists {
		return state, err
	}
	var super bool
	if err := a.conn.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
		return state, fmt.Errorf("check the role's privileges: %w", err)
	}
	if !super {
		c := a.newPrivilegeChecker(rollback)
		c.ledgerNeeds(state, rollback)
		missing, err := c.check(ctx)
		if err != nil {
			return state, err
		}
		if len(missing) > 0 {
			return state, c.refusal(ctx, nil, missing)
		}
	}
	if a.opts.DryRun || state.current {
		return state, nil
	}
	if err := ensureLedger(ctx, a.conn, a.opts.TrackingSchema); err != nil {
		return state, err
	}
	state.current = true
	return state, nil
}

func (a *applier) newPrivilegeChecker(rollback bool) *privilegeChecker {
	c := &privilegeChecker{conn: a.conn, tracking: a.opts.TrackingSchema, verb: "apply", command: "apply",
		seen: map[string]bool{}, created: map[string]bool{}, current: "public"}
	if rollback {
		c.verb, c.command = "roll back", "rollback"
	}
	return c
}
