package shadow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// proofLive is a live schema with definitions PostgreSQL spells anew once
// reloaded (a CHECK with IN on varchar, a view), some of which the Up
// makes PostgreSQL re-derive (the view over a column whose type changes).
const proofLive = `CREATE TABLE legacy (id int PRIMARY KEY, kind varchar(10) CHECK (kind IN ('a', 'b')), note text);
CREATE VIEW legacy_notes AS SELECT note FROM legacy;
CREATE VIEW legacy_kinds AS SELECT kind FROM legacy UNION ALL SELECT NULL;`

const proofDesired = `CREATE TABLE legacy (id int PRIMARY KEY, kind varchar(10) CHECK (kind IN ('a', 'b')), note varchar(200), extra int);
CREATE VIEW legacy_notes AS SELECT note FROM legacy;
CREATE VIEW legacy_kinds AS SELECT kind FROM legacy UNION ALL SELECT NULL;
CREATE TABLE fresh (id int PRIMARY KEY);
CREATE INDEX legacy_extra ON legacy (extra);`

// upAndDown returns live, desired and the plans between them.
func upAndDown(t *testing.T, srv *Server) (live, desired *model.Model, up, down *plan.Plan) {
	t.Helper()
	ctx := context.Background()
	live = liveModel(t, proofLive)
	desired, err := Desired(ctx, srv, sourceSet(t, map[string]string{"a.sql": proofDesired}), managed, live)
	if err != nil {
		t.Fatal(err)
	}
	if up, err = plan.Build(live, desired, plan.Options{}); err != nil {
		t.Fatal(err)
	}
	if down, err = plan.Build(desired, live, plan.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(up.Steps) == 0 || len(down.Steps) == 0 {
		t.Fatalf("want steps both ways: up %v, down %v", up.Steps, down.Steps)
	}
	return live, desired, up, down
}

// mustValidate is CachedValidate on srv with cache c (may be nil),
// failing the test on an error.
func mustValidate(t *testing.T, srv *Server, c *Cache, v Validation) (*Proven, *Proof, bool) {
	t.Helper()
	open := func(context.Context) (*Server, error) { return srv, nil }
	proven, proof, hit, err := CachedValidate(context.Background(), c, CacheKey{}, open, v)
	if err != nil {
		t.Fatal(err)
	}
	return proven, proof, hit
}

// keep proves up from live to desired with the copy kept.
func keep(t *testing.T, srv *Server, live, desired *model.Model, up *plan.Plan) *Proof {
	t.Helper()
	_, proof, hit := mustValidate(t, srv, nil, Validation{
		Live: live, Plan: up, Desired: desired, Schemas: managed, Exec: execSteps, Keep: true})
	if proof == nil || hit {
		t.Fatalf("CachedValidate with Keep: proof %v, hit %t", proof, hit)
	}
	t.Cleanup(func() { proof.Close(context.Background()) })
	return proof
}

// closeDrops closes proof and checks that its database is gone.
func closeDrops(t *testing.T, proof *Proof) {
	t.Helper()
	name := proof.db.Name
	if err := proof.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if databaseExists(t, name) {
		t.Errorf("Close left %s", name)
	}
}

// databaseExists says whether the test server has a database named name.
func databaseExists(t *testing.T, name string) bool {
	t.Helper()
	return countDatabases(t, strings.ReplaceAll(name, "_", `\_`)) > 0
}

// The Down proven on the Up's own copy gives what a new copy of live that
// replays the Up and runs the Down gives, without making that copy; Close
// drops the copy.
func TestProofThen(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, down := upAndDown(t, srv)
	proof := keep(t, srv, live, desired, up)
	copies := srv.CopiesOfLive()
	back, err := proof.Then(ctx, down, live, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.CopiesOfLive(); n != copies {
		t.Errorf("Then made %d copies of live", n-copies)
	}
	want, err := ValidateAfter(ctx, srv, live, []Pending{{Name: "up", Steps: up.Steps}}, down, live, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != want.Hash() {
		t.Errorf("Down proven on the kept copy: hash %s, on a new copy %s", back.Hash(), want.Hash())
	}
	if back.Hash() != live.Hash() {
		t.Errorf("Down result hash %s, live %s", back.Hash(), live.Hash())
	}
	if !databaseExists(t, proof.db.Name) {
		t.Fatalf("the kept copy %s is gone before Close", proof.db.Name)
	}
	closeDrops(t, proof)
	if err := proof.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := (*Proof)(nil).Close(ctx); err != nil {
		t.Errorf("Close of a nil Proof: %v", err)
	}
	requireNothingLeft(t, srv)
}

// A Down that does not converge, or fails, on the kept copy is reported
// as on a new copy.
func TestProofThenReportsDownThatDoesNotConverge(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, _ := upAndDown(t, srv)
	// An Up that does not converge keeps nothing.
	open := func(context.Context) (*Server, error) { return srv, nil }
	_, proof, _, err := CachedValidate(ctx, nil, CacheKey{}, open, Validation{
		Live: live, Plan: &plan.Plan{}, Desired: desired, Schemas: managed, Exec: execSteps, Keep: true})
	var nc *NotConvergedError
	if !errors.As(err, &nc) || proof != nil {
		t.Fatalf("got %v and proof %v, want *NotConvergedError and none", err, proof)
	}
	if n := leftBehind(srv); n != 0 {
		t.Errorf("%d database(s) not dropped", n)
	}

	proof = keep(t, srv, live, desired, up)
	_, err = proof.Then(ctx, &plan.Plan{}, live, managed, execSteps)
	if !errors.As(err, &nc) {
		t.Fatalf("got %v, want *NotConvergedError", err)
	}
	if _, err := proof.Then(ctx, &plan.Plan{}, desired, managed, execSteps); err == nil {
		t.Error("Then after a failed Then should refuse")
	}
	closeDrops(t, proof)

	proof = keep(t, srv, live, desired, up)
	_, err = proof.Then(ctx, &plan.Plan{Steps: []plan.Step{{SQL: "DROP TABLE public.nowhere"}}}, live, managed, execSteps)
	var failed *PlanFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("got %v, want *PlanFailedError", err)
	}
	if err := proof.Close(ctx); err != nil {
		t.Fatal(err)
	}
	requireNothingLeft(t, srv)
}

// A check (Validation.Check) proves that a plan converges as a full proof
// does, on the kept copy, and records only that: no state, no hash. A plan
// proven there after it starts from stamps read again, so its result takes
// live's spelling as on a new copy that ran the same steps.
func TestCheckProvesConvergenceOnly(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, down := upAndDown(t, srv)
	open := func(context.Context) (*Server, error) { return srv, nil }
	after := []Pending{{Name: "up", Steps: up.Steps}}
	c := OpenCache(t.TempDir())
	proof := keep(t, srv, live, desired, up)
	check := Validation{Live: live, Pending: after, Plan: down, Desired: live, Schemas: managed, Exec: execSteps, On: proof, Check: true}
	proven, on, hit, err := CachedValidate(ctx, c, CacheKey{}, open, check)
	if err != nil || proven != nil || on != proof || hit {
		t.Fatalf("check: proven %v, proof %p (kept %p), hit %t, err %v", proven, on, proof, hit, err)
	}
	again, err := proof.Then(ctx, up, desired, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ValidateAfter(ctx, srv, live, []Pending{{Name: "up", Steps: up.Steps}, {Name: "down", Steps: down.Steps}}, up, desired, managed, execSteps)
	if err != nil {
		t.Fatal(err)
	}
	if again.Hash() != want.Hash() {
		t.Errorf("the Up after a check: hash %s, on a new copy %s", again.Hash(), want.Hash())
	}
	// A check does not read the dependencies, which a full proof's
	// result carries for the plans made from it.
	back, err := proof.then(ctx, down, live, managed, execSteps, converged)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Deps) == 0 || len(back.Deps) != 0 {
		t.Errorf("dependencies: %d after the Up's proof, %d after a check (want some, then none)", len(again.Deps), len(back.Deps))
	}

	// Cached: a hit, with nothing proven again and no state.
	copies := srv.CopiesOfLive()
	check.On = nil
	proven, on, hit, err = CachedValidate(ctx, c, CacheKey{}, open, check)
	if err != nil || proven != nil || on != nil || !hit || srv.CopiesOfLive() != copies {
		t.Errorf("second check: proven %v, proof %p, hit %t, %d copies made, err %v", proven, on, hit, srv.CopiesOfLive()-copies, err)
	}
	// On a new copy too, a check gives no state.
	proven, on, hit, err = CachedValidate(ctx, nil, CacheKey{}, open, check)
	if err != nil || proven != nil || on != nil || hit || srv.CopiesOfLive() != copies+1 {
		t.Errorf("check on a new copy: proven %v, proof %p, hit %t, %d copies made, err %v", proven, on, hit, srv.CopiesOfLive()-copies, err)
	}
	// A check's entry is not a full proof's: without Check it is proven.
	full := check
	full.Check = false
	proven, _, hit, err = CachedValidate(ctx, c, CacheKey{}, open, full)
	if err != nil || hit || proven == nil || proven.Hash != live.Hash() {
		t.Errorf("full proof after a check: proven %v, hit %t, err %v", proven, hit, err)
	}

	// A check that does not converge fails as a proof does.
	other := keep(t, srv, live, desired, up)
	_, _, _, err = CachedValidate(ctx, nil, CacheKey{}, open, Validation{
		Live: live, Pending: after, Plan: &plan.Plan{}, Desired: live, Schemas: managed, Exec: execSteps, On: other, Check: true})
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Errorf("a check that does not converge: got %v, want *NotConvergedError", err)
	}
	closeDrops(t, other)
	closeDrops(t, proof)
	requireNothingLeft(t, srv)
}

// CachedValidate proves a plan on Validation.On when it holds live after
// the pending steps, and on a new copy otherwise.
func TestCachedValidateOnProof(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, down := upAndDown(t, srv)
	open := func(context.Context) (*Server, error) { return srv, nil }
	after := []Pending{{Name: "up", Steps: up.Steps}}

	// The Down from live itself, without the Up: not proven on the copy
	// the Up ran on, where it would pass.
	other := keep(t, srv, live, desired, up)
	copies := srv.CopiesOfLive()
	_, on, _, err := CachedValidate(ctx, nil, CacheKey{}, open, Validation{
		Live: live, Plan: down, Desired: live, Schemas: managed, Exec: execSteps, On: other})
	var failed *PlanFailedError
	if !errors.As(err, &failed) || on != nil {
		t.Fatalf("the Down run on live: got %v, proof %v; want *PlanFailedError", err, on)
	}
	if srv.CopiesOfLive() != copies+1 {
		t.Errorf("not proven on a new copy")
	}

	dir := t.TempDir()
	c := OpenCache(dir)
	copies = srv.CopiesOfLive()
	result, on, hit, err := CachedValidate(ctx, c, CacheKey{}, open, Validation{
		Live: live, Pending: after, Plan: down, Desired: live, Schemas: managed, Exec: execSteps, On: other})
	if err != nil {
		t.Fatal(err)
	}
	if on != other || hit || srv.CopiesOfLive() != copies {
		t.Errorf("not proven on the kept copy: proof %p (kept %p), hit %t, %d new copies", on, other, hit, srv.CopiesOfLive()-copies)
	}
	// Cached as if proven on a new copy; a caller that knows the models'
	// hashes makes the same key.
	again, on, hit, err := CachedValidate(ctx, c, CacheKey{}, open, Validation{
		Live: live, LiveHash: live.Hash(), Pending: after, Plan: down, Desired: live, DesiredHash: live.Hash(), Schemas: managed, Exec: execSteps})
	if err != nil || !hit || on != nil || again.Hash != result.Hash {
		t.Errorf("second proof: hit %t, proof %v, err %v", hit, on, err)
	}
	other.Close(ctx)
	if n := shadowDatabasesAfterClose(t, srv); n != 0 {
		t.Errorf("%d shadow database(s) left", n)
	}
}

// TestProofReadsOnTwoSessions: nothing else runs while a proven state is
// inspected, so on a large schema a second session reads half of its
// catalog; on a small one it would cost more than it saves. Whether that
// session connects in time depends on the machine, so some of several
// large proofs must have used it; each is dropped whole all the same.
func TestProofReadsOnTwoSessions(t *testing.T) {
	srv := dsnServer(t)
	live, desired, up, _ := upAndDown(t, srv)
	for range 2 {
		proof := keep(t, srv, live, desired, up)
		if proof.sessions != 1 {
			t.Errorf("a proof of %d tables read on %d sessions, want 1", len(desired.Tables), proof.sessions)
		}
		closeDrops(t, proof)
	}

	var many strings.Builder
	for i := range catalog.ParallelFrom {
		fmt.Fprintf(&many, "CREATE TABLE t%d (id int PRIMARY KEY);\n", i)
	}
	ctx := context.Background()
	live = liveModel(t, proofLive+";\n"+many.String())
	desired, err := Desired(ctx, srv, sourceSet(t, map[string]string{"a.sql": proofDesired + ";\n" + many.String()}), managed, live)
	if err != nil {
		t.Fatal(err)
	}
	if up, err = plan.Build(live, desired, plan.Options{}); err != nil {
		t.Fatal(err)
	}
	down, err := plan.Build(desired, live, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	two := 0
	for range 3 {
		proof := keep(t, srv, live, desired, up)
		if proof.sessions == 2 {
			two++
			// The second session is kept for the next plan's inspection:
			// a new backend would plan every query cold.
			if proof.db.second == nil {
				t.Fatal("the second session was not kept after the proof")
			}
			pid := proof.db.second.PgConn().PID()
			if _, err := proof.Then(ctx, down, live, managed, execSteps); err != nil {
				t.Fatal(err)
			}
			if proof.sessions != 2 || proof.db.second == nil || proof.db.second.PgConn().PID() != pid {
				t.Errorf("the way back was not read with the kept second session (%d sessions)", proof.sessions)
			}
		}
		closeDrops(t, proof)
	}
	if two == 0 {
		t.Errorf("none of 3 proofs of %d tables read the catalog on two sessions", len(desired.Tables))
	}
	requireNothingLeft(t, srv)
}

// TestCachedValidateReadsTheModelOnlyWhenAPlanFollows: the proven state
// itself, with its dependencies, is read and cached only for a validation
// that keeps its proof (a Down follows); otherwise its hash is what there
// is, the same hash. A cache hit gives the hash at once and decodes the
// state only when a plan follows; an entry without the state, or whose
// state cannot be read, is then proven again.
func TestCachedValidateReadsTheModelOnlyWhenAPlanFollows(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, _ := upAndDown(t, srv)
	c := OpenCache(t.TempDir())
	validate := func(keep bool) (*Proven, bool) {
		t.Helper()
		proven, proof, hit := mustValidate(t, srv, c, Validation{
			Live: live, Plan: up, Desired: desired, Schemas: managed, Exec: execSteps, Keep: keep})
		proof.Close(ctx)
		return proven, hit
	}
	first, hit := validate(false)
	if hit || first.Model != nil || first.Hash == "" {
		t.Fatalf("first proof of a plan alone: hit %t, model %v, hash %q", hit, first.Model != nil, first.Hash)
	}
	hashOnly, hit := validate(false)
	if !hit || hashOnly.Model != nil || hashOnly.Hash != first.Hash {
		t.Errorf("hit for a plan alone: hit %t, model read %t, hash %s (want %s)", hit, hashOnly.Model != nil, hashOnly.Hash, first.Hash)
	}
	// The caller's hash of live stands for computing it.
	if _, _, hit := mustValidate(t, srv, c, Validation{Live: live, LiveHash: live.Hash(),
		Plan: up, Desired: desired, Schemas: managed, Exec: execSteps}); !hit {
		t.Errorf("with Validation.LiveHash: a miss")
	}
	copies := srv.CopiesOfLive()
	full, hit := validate(true)
	if hit || full.Model == nil || srv.CopiesOfLive() != copies+1 {
		t.Fatalf("a plan a Down follows, after an entry without the state: hit %t, model %v, %d new copies", hit, full.Model != nil, srv.CopiesOfLive()-copies)
	}
	if full.Hash != first.Hash || full.Model.Hash() != first.Hash {
		t.Errorf("the state read with its dependencies hashes %s (model %s), without them %s", full.Hash, full.Model.Hash(), first.Hash)
	}
	if len(full.Model.Deps) == 0 {
		t.Errorf("the state a Down is planned from has no dependencies")
	}
	if again, hit := validate(true); !hit || again.Model == nil || len(again.Model.Deps) == 0 {
		t.Errorf("hit for a plan a Down follows: hit %t, model read %t", hit, again.Model != nil)
	}
	if alone, hit := validate(false); !hit || alone.Model != nil || alone.Hash != first.Hash {
		t.Errorf("a plan alone after the entry with the state: hit %t, model %t", hit, alone.Model != nil)
	}

	// Cut the entry inside the model: the hash is still readable, the
	// model not.
	entries, err := filepath.Glob(filepath.Join(c.dir, "*.bin"))
	if err != nil || len(entries) != 1 {
		t.Fatalf("cache entries %v, %v", entries, err)
	}
	data, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(entries[0], data[:len(data)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	if p, hit := validate(false); !hit || p.Hash != first.Hash {
		t.Errorf("cut entry, plan alone: hit %t", hit)
	}
	copies = srv.CopiesOfLive()
	if p, hit := validate(true); hit || p.Model == nil || srv.CopiesOfLive() != copies+1 {
		t.Errorf("cut entry, a Down follows: hit %t, model %v, %d new copies", hit, p.Model != nil, srv.CopiesOfLive()-copies)
	}
	requireNothingLeft(t, srv)
}

// TestProofOnACopyMadeAhead: a copy of live made ahead (CopyAhead) comes
// with a session and the copy's definition stamps, read while other work
// runs; the proof starts from them and gives the result a copy made on
// demand gives. After pending files the stamps are out of date and are
// read again.
func TestProofOnACopyMadeAhead(t *testing.T) {
	srv := dsnServer(t)
	ctx := context.Background()
	live, desired, up, _ := upAndDown(t, srv)
	prove := func(v Validation) (*Proven, *Proof) {
		t.Helper()
		v.Live, v.Desired, v.Schemas, v.Exec, v.Keep = live, desired, managed, execSteps, true
		proven, proof, _ := mustValidate(t, srv, nil, v)
		return proven, proof
	}

	onDemand, proof := prove(Validation{Plan: up})
	if proof.readAhead {
		t.Errorf("a copy made on demand came with a session read ahead")
	}
	closeDrops(t, proof)

	srv.CopyAhead(ctx, live, "", execSteps, nil)
	ahead, proof := prove(Validation{Plan: up})
	if !proof.readAhead {
		t.Errorf("the copy made ahead was proven without the session read ahead")
	}
	if ahead.Hash != onDemand.Hash {
		t.Errorf("proven on the copy made ahead: hash %s, on demand %s", ahead.Hash, onDemand.Hash)
	}
	closeDrops(t, proof)

	srv.CopyAhead(ctx, live, "", execSteps, nil)
	afterPending, proof := prove(Validation{Pending: []Pending{{Name: "up", Steps: up.Steps}}, Plan: &plan.Plan{}})
	if proof.readAhead {
		t.Errorf("stamps read before the pending files ran were used")
	}
	if afterPending.Hash != onDemand.Hash {
		t.Errorf("proven after pending on the copy made ahead: hash %s, want %s", afterPending.Hash, onDemand.Hash)
	}
	closeDrops(t, proof)
	requireNothingLeft(t, srv)
}
