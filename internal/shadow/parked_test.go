package shadow

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/pgtest"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// TestProvenCopyIsParkedForTheNextCommand: on a shared server, the copy of
// live a plan was proven on without Keep is parked, as the state the plan
// left, when the command ends. The next command's copy of live after that
// very plan is the parked database, renamed: no copy of live is made and
// the plan does not run again, and the Down proven there converges. A copy
// after other steps does not take it. At most maxParked wait: parking
// drops the oldest.
func TestProvenCopyIsParkedForTheNextCommand(t *testing.T) {
	ctx := context.Background()
	build := fmt.Sprintf("test-parked-%d", time.Now().UnixNano())
	key := CacheKey{BuildID: build}
	open := func() *Server {
		t.Helper()
		srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: build})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv
	}
	opener := func(srv *Server) func(context.Context) (*Server, error) {
		return func(context.Context) (*Server, error) { return srv, nil }
	}

	first := open()
	live, desired, up, down := upAndDown(t, first)
	// Two parked before, older than the one the proof parks: the oldest
	// goes.
	var older []string
	for i := range maxParked {
		name := fmt.Sprintf("%sold_%d_%d", parkedPrefix, time.Now().UnixNano(), i)
		if err := first.withAdmin(ctx, func(conn *pgx.Conn) error { return first.createEmpty(ctx, conn, name) }); err != nil {
			t.Fatal(err)
		}
		older = append(older, name)
	}
	if _, _, _, err := CachedValidate(ctx, nil, key, opener(first), Validation{
		Live: live, Plan: up, Desired: desired, Schemas: managed, Exec: execSteps}); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil { // waits for the park
		t.Fatal(err)
	}
	after := []Pending{{Name: "up", Steps: up.Steps}}
	parked := parkedName(templateName(live, "", build, false), after)
	names := databases(t, first)
	if !contains(names, parked) {
		t.Fatalf("the proof's copy was not parked as %s", parked)
	}
	if contains(names, older[0]) || !contains(names, older[1]) {
		t.Errorf("parked before: %v; want only the newer of %v kept", names, older)
	}

	second := open()
	other, err := second.copyAfter(ctx, live, []Pending{{Name: "other", Steps: []plan.Step{{SQL: "CREATE TABLE other (id int);"}}}}, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	if second.CopiesParked() != 0 || !contains(databases(t, second), parked) {
		t.Fatal("a copy after other steps took the parked database")
	}
	copies := second.CopiesOfLive()
	if _, _, _, err := CachedValidate(ctx, nil, key, opener(second), Validation{
		Live: live, Pending: after, Plan: down, Desired: live, Schemas: managed, Exec: execSteps, Check: true}); err != nil {
		t.Fatalf("the Down on the parked copy: %v", err)
	}
	if second.CopiesParked() != 1 || second.CopiesOfLive() != copies {
		t.Errorf("the Down's copy: %d parked taken, %d copies of live made; want 1 and 0", second.CopiesParked(), second.CopiesOfLive()-copies)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if contains(databases(t, second), parked) {
		t.Error("the parked database is still parked after it was taken")
	}
	n := 0
	for _, name := range databases(t, second) {
		if strings.HasPrefix(name, parkedPrefix) {
			n++
		}
	}
	if n > maxParked {
		t.Errorf("%d parked databases, want at most %d", n, maxParked)
	}
}
