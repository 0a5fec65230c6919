package shadow

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// needsSuperuser is PostgreSQL's refusal to give an event trigger or a
// foreign-data wrapper to a role that is not a superuser.
var needsSuperuser = regexp.MustCompile(`^permission denied to change owner of (event trigger|foreign-data wrapper) "(.+)"$`)

// superuserObjects maps the object types of needsSuperuser to the
// AlterOwnerStmt's.
var superuserObjects = map[string]pg_query.ObjectType{
	"event trigger":        pg_query.ObjectType_OBJECT_EVENT_TRIGGER,
	"foreign-data wrapper": pg_query.ObjectType_OBJECT_FDW,
}

// ownerChange returns what an ALTER … OWNER TO statement changes: the
// object type, the object's name (for objects named by one identifier) and
// the new owner.
func ownerChange(sql string) (pg_query.ObjectType, string, string, bool) {
	tree, err := pg_query.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 {
		return 0, "", "", false
	}
	ao := tree.Stmts[0].Stmt.GetAlterOwnerStmt()
	if ao == nil || ao.GetNewowner().GetRolename() == "" {
		return 0, "", "", false
	}
	return ao.ObjectType, ao.GetObject().GetString_().GetSval(), ao.GetNewowner().GetRolename(), true
}

// tolerantOwnerChange runs an ALTER … OWNER TO that may be refused when
// owners are not managed: the shadow cannot always make the change (an
// event trigger's owner must be a superuser, which a role pg-flux created
// is not), and without manage_owners the owner is not compared.
func tolerantOwnerChange(sql string) string {
	return doBlock(sql, "insufficient_privilege")
}

// promoteOwner makes the role an ALTER … OWNER TO statement gives an object
// to a superuser when PostgreSQL refused the change for that reason (msg)
// and owners are managed on a throwaway cluster, so the owner is what the
// source says. Roles the source creates itself are left as declared. It
// reports whether a role was promoted: the statement can run again.
func (l *loader) promoteOwner(ctx context.Context, msg string) (bool, error) {
	m := needsSuperuser.FindStringSubmatch(msg)
	if m == nil || !l.opts.Owners || !l.opts.CreateRoles {
		return false, nil
	}
	role := ""
	for _, st := range l.stmts {
		if st.Node != "AlterOwnerStmt" {
			continue
		}
		if typ, name, owner, ok := ownerChange(st.SQL); ok && typ == superuserObjects[m[1]] && name == m[2] {
			role = owner
		}
	}
	if role == "" || l.promoted[role] || l.declaresRole(role) {
		return false, nil
	}
	if _, err := l.conn.Exec(ctx, "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" SUPERUSER"); err != nil {
		return false, fmt.Errorf("make role %s a superuser in the shadow, as the owner of %s %q the schema source declares: %w", role, m[1], m[2], err)
	}
	l.promoted[role] = true
	return true, nil
}

// declaresRole reports whether the source creates the role itself.
func (l *loader) declaresRole(role string) bool {
	for _, st := range l.stmts {
		if st.Node != "CreateRoleStmt" {
			continue
		}
		tree, err := pg_query.Parse(st.SQL)
		if err == nil && len(tree.Stmts) == 1 && tree.Stmts[0].Stmt.GetCreateRoleStmt().GetRole() == role {
			return true
		}
	}
	return false
}

// superuserHint says what to do about an owner change a --shadow-dsn
// server refuses while owners are managed.
func superuserHint(f *Failure, opts LoadOptions) {
	if f.Code != "42501" || !opts.Owners || opts.CreateRoles || !needsSuperuser.MatchString(f.Message) {
		return
	}
	if f.Hint != "" {
		f.Hint += "\n"
	}
	f.Hint += fmt.Sprintf("make the new owner a superuser on %s (ALTER ROLE … SUPERUSER), or let pg-flux use an embedded shadow server (no --shadow-dsn), where it does so itself", opts.Server)
}
