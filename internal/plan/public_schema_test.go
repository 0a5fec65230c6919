package plan_test

import (
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// TestOwnPublicSchemaPrivileges: recreating a model that declares schema
// public (a dump) finds the database's own public schema, which PUBLIC
// may use (and, before PostgreSQL 15, create in), or one recreated without
// those privileges: what desired does not grant is revoked once the schema
// is there, and what it grants is granted.
func TestOwnPublicSchemaPrivileges(t *testing.T) {
	id := model.ObjectID{Kind: model.KindSchema, Name: "public"}
	for _, tc := range []struct {
		name   string
		grants []model.Grant
		want   []string
		absent string
	}{
		{"recreated without PUBLIC", []model.Grant{{Grantee: "api", Privilege: "USAGE"}},
			[]string{"REVOKE CREATE, USAGE ON SCHEMA public FROM PUBLIC", "GRANT USAGE ON SCHEMA public TO api"}, ""},
		{"PUBLIC keeps USAGE", []model.Grant{{Grantee: model.GranteePublic, Privilege: "USAGE"}},
			// Granted too: the schema may have been recreated without it.
			[]string{"REVOKE CREATE ON SCHEMA public FROM PUBLIC", "GRANT USAGE ON SCHEMA public TO PUBLIC"}, "REVOKE CREATE, USAGE"},
		{"default privileges", nil, []string{"REVOKE CREATE, USAGE ON SCHEMA public FROM PUBLIC"}, "GRANT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := model.New()
			m.Schemas["public"] = &model.Schema{Name: "public"}
			if tc.grants != nil {
				m.ACLs[id] = &model.ACL{Target: "SCHEMA public", Grants: tc.grants}
			}
			p, err := plan.Build(model.New(), m, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var sqls []string
			for _, s := range p.Steps {
				sqls = append(sqls, s.SQL)
			}
			all := strings.Join(sqls, "\n")
			create := strings.Index(all, "CREATE SCHEMA IF NOT EXISTS public")
			for _, w := range tc.want {
				if i := strings.Index(all, w); i < 0 || i < create {
					t.Errorf("want %q after CREATE SCHEMA in:\n%s", w, all)
				}
			}
			if tc.absent != "" && strings.Contains(all, tc.absent) {
				t.Errorf("want no %q in:\n%s", tc.absent, all)
			}
			// Live with its own public schema: nothing assumed.
			live := model.New()
			live.Schemas["public"] = &model.Schema{Name: "public"}
			p, err = plan.Build(live, m, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range p.Steps {
				if strings.Contains(s.SQL, "REVOKE") {
					t.Errorf("live has public: unexpected %s", s.SQL)
				}
			}
		})
	}
}
