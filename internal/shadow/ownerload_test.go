package shadow

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// eventTriggerOwnedBy is a source whose event trigger belongs to role; with
// outOfOrder, a view comes before its table, so the batch fails and the
// statements run one by one.
func eventTriggerOwnedBy(role string, outOfOrder bool) map[string]string {
	files := map[string]string{"b.sql": fmt.Sprintf(`CREATE TABLE t (id int);
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION on_ddl();
ALTER EVENT TRIGGER et OWNER TO %s;`, role)}
	if outOfOrder {
		files["a.sql"] = "CREATE VIEW v AS SELECT id FROM t;"
	}
	return files
}

// TestLoadEventTriggerOwner: an event trigger's owner must be a superuser,
// which a role the shadow creates for the source is not. Without
// manage_owners the refused owner change does not stop the load; with it,
// on an embedded server, the role is made a superuser and owns the event
// trigger, in the one batch and statement by statement alike.
func TestLoadEventTriggerOwner(t *testing.T) {
	ctx := context.Background()
	srv, err := Open(ctx, Options{Major: pgtest.Major()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, outOfOrder := range []bool{false, true} {
		role := fmt.Sprintf("platform_admin_%v", outOfOrder)
		set := sourceSet(t, eventTriggerOwnedBy(role, outOfOrder))
		for _, owners := range []bool{false, true} {
			opts := srv.LoadOptions()
			opts.Owners = owners
			db, err := srv.CreateDatabase(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Drop(ctx) })
			conn, err := db.Connect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(ctx)
			if err := Load(ctx, conn, set, opts); err != nil {
				t.Errorf("out of order %v, owners %v: %v", outOfOrder, owners, err)
				continue
			}
			got := queryString(t, conn, "SELECT evtowner::regrole::text || ' ' || rolsuper FROM pg_event_trigger JOIN pg_roles r ON r.oid = evtowner WHERE evtname = 'et'")
			if owners && got != role+" true" {
				t.Errorf("out of order %v, owners managed: event trigger owner and its rolsuper: %s", outOfOrder, got)
			}
			if !owners && strings.HasPrefix(got, role) {
				t.Errorf("out of order %v, owners not managed: %s owns the event trigger though it was no superuser", outOfOrder, got)
			}
		}
	}
}

// TestLoadEventTriggerOwnerOnShadowDSN: with manage_owners on a
// --shadow-dsn server, roles are the server's; a refused owner change is a
// failure that says what to do.
func TestLoadEventTriggerOwnerOnShadowDSN(t *testing.T) {
	srv := dsnServer(t)
	pgtest.NewDatabase(t).Exec(t, "DO $$ BEGIN CREATE ROLE pgflux_test_et_owner NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
	set := sourceSet(t, eventTriggerOwnedBy("pgflux_test_et_owner", false))
	ctx := context.Background()
	_, conn := scratchDatabase(t, srv)
	opts := srv.LoadOptions()
	if err := Load(ctx, conn, set, opts); err != nil {
		t.Errorf("owners not managed: %v", err)
	}
	db2, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Drop(ctx) })
	conn2, err := db2.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	opts.Owners = true
	le := loadError(t, Load(ctx, conn2, set, opts))
	if f := le.Failures[0]; len(le.Failures) != 1 || f.Line != 4 || !strings.Contains(f.Message, `permission denied to change owner of event trigger "et"`) || !strings.Contains(f.Hint, "make the new owner a superuser on the shadow server") {
		t.Errorf("got %v", le)
	}
}
