package shadow

import (
	"context"
	"fmt"
	"reflect"
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

// TestPlanThatADownFollowsTakesTheParkedProof: a plan proven alone is
// cached without the dependencies of the state it produced. The same plan
// proven again for a Down that follows (Keep) is a hit that takes the copy
// parked after it: the state gets its dependencies there, the same as a
// full read of it, and the copy is the Proof the Down is proven on. With
// nothing parked, the plan is proven again.
func TestPlanThatADownFollowsTakesTheParkedProof(t *testing.T) {
	ctx := context.Background()
	build := fmt.Sprintf("test-parked-deps-%d", time.Now().UnixNano())
	key := CacheKey{BuildID: build}
	c := OpenCache(t.TempDir())
	open := func() (*Server, func(context.Context) (*Server, error)) {
		t.Helper()
		srv, err := Open(ctx, Options{Major: pgtest.Major(), BuildID: build})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv, func(context.Context) (*Server, error) { return srv, nil }
	}
	first, opener := open()
	live, desired, up, down := upAndDown(t, first)
	v := Validation{Live: live, Plan: up, Desired: desired, Schemas: managed, Exec: execSteps}
	alone, _, hit, err := CachedValidate(ctx, c, key, opener, v)
	if err != nil || hit || alone.Model != nil {
		t.Fatalf("a plan alone: hit %t, model %t, %v", hit, alone != nil && alone.Model != nil, err)
	}
	if err := first.Close(); err != nil { // waits for the park
		t.Fatal(err)
	}

	second, opener := open()
	v.Keep = true
	proven, proof, hit, err := CachedValidate(ctx, c, key, opener, v)
	if err != nil {
		t.Fatal(err)
	}
	defer proof.Close(ctx)
	if !hit || proof == nil || proven.Model == nil || second.CopiesParked() != 1 || second.CopiesOfLive() != 0 {
		t.Fatalf("the plan a Down follows: hit %t, proof %t, model %t, %d parked taken, %d copies of live",
			hit, proof != nil, proven.Model != nil, second.CopiesParked(), second.CopiesOfLive())
	}
	full, err := Validate(ctx, second, live, up, desired, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if proven.Hash != full.Hash() || !reflect.DeepEqual(proven.Model.Deps, full.Deps) || len(full.Deps) == 0 {
		t.Errorf("the state from the cache and the parked copy differs from a full read: hash %s / %s, %d / %d objects' dependencies",
			proven.Hash, full.Hash(), len(proven.Model.Deps), len(full.Deps))
	}
	after := []Pending{{Name: "up", Steps: up.Steps}}
	if !proof.holds(live, after) {
		t.Fatal("the parked proof does not hold live after the plan")
	}
	if _, err := proof.then(ctx, down, live, managed, execSteps, converged); err != nil {
		t.Errorf("the Down on the parked proof: %v", err)
	}

	// Nothing parked any more: proven again, on a new copy.
	copies := second.CopiesOfLive()
	again, proof2, hit, err := CachedValidate(ctx, c, key, opener, v)
	if err != nil {
		t.Fatal(err)
	}
	proof2.Close(ctx)
	if hit || again.Model == nil || second.CopiesOfLive() != copies+1 {
		t.Errorf("with nothing parked: hit %t, model %t, %d new copies", hit, again.Model != nil, second.CopiesOfLive()-copies)
	}
}
