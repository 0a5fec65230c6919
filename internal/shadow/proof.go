package shadow

import (
	"context"
	"errors"
	"fmt"

	"github.com/pg-flux/pg-flux/internal/catalog"
	"github.com/pg-flux/pg-flux/internal/diff"
	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// Proof is the scratch copy of live a plan was proven on, kept after the
// proof (CachedValidate with Validation.Keep) so that a further plan — the
// way back, a migration's Down — is proven on it too rather than on a new
// copy with every step replayed. Close it.
type Proof struct {
	scratch
	// live is the live model the copy was made of: what the database
	// holds keeps its spelling where no plan touched it.
	live *model.Model
	// stamps are the definition stamps of the database as it is now.
	stamps map[stampKey]stamp
	// ran is what ran on the copy of live: the pending files, then each
	// plan proven, in order.
	ran []Pending
	// broken says that a plan failed or did not converge here: the
	// database holds no known state.
	broken bool
	// sessions is how many sessions read the last inspection's catalog.
	sessions int
	// readAhead says the copy came with its session and stamps read ahead
	// (CopyAhead).
	readAhead bool
}

// outcome is what a proof gives back beyond the plan's converging.
type outcome int

const (
	// resultModel is the resulting model, dependencies included: a plan
	// is built from it (a migration's Down), and its hash is recorded.
	resultModel outcome = iota
	// resultHash is the resulting model for its hash only: with live's
	// spelling, without the dependencies, the costliest part of the read
	// and a third of a model's memory (1.8 MB on 1,000 tables).
	resultHash
	// converged is only that the plan converged (Validation.Check): the
	// state is neither hashed nor given live's spelling.
	converged
)

// Then proves a further plan on the database, from the state the last
// proven plan produced: p's steps, run with exec, must produce desired
// (the managed schemas). It returns the resulting model, as Validate does;
// definitions neither plan touched take live's spelling, as on a new copy
// of live that ran both. A plan that fails or does not converge is a
// *PlanFailedError or a *NotConvergedError, and the Proof can then only be
// closed.
func (pr *Proof) Then(ctx context.Context, p *plan.Plan, desired *model.Model, schemas []string, exec Executor) (*model.Model, error) {
	return pr.then(ctx, p, desired, schemas, exec, resultModel)
}

// then is Then, giving back want.
func (pr *Proof) then(ctx context.Context, p *plan.Plan, desired *model.Model, schemas []string, exec Executor, want outcome) (*model.Model, error) {
	if pr == nil || pr.db == nil || pr.broken {
		return nil, errors.New("validate the plan: no proven state to start from")
	}
	// The plan runs in a new session, as it would on a new copy.
	conn, err := freshSession(ctx, pr.db, pr.conn)
	pr.conn = conn
	if err != nil {
		pr.broken = true
		return nil, err
	}
	result, err := pr.run(ctx, p, desired, schemas, exec, want)
	if err != nil {
		return nil, err
	}
	pr.ran = append(pr.ran, Pending{Steps: p.Steps})
	return result, nil
}

// holds says whether the database holds what live, after pending, is.
func (pr *Proof) holds(live *model.Model, pending []Pending) bool {
	if pr == nil || pr.db == nil || pr.broken || live != pr.live {
		return false
	}
	flat := func(files []Pending) []plan.Step {
		var out []plan.Step
		for _, f := range files {
			out = append(out, f.Steps...)
		}
		return out
	}
	ran, want := flat(pr.ran), flat(pending)
	if len(ran) != len(want) {
		return false
	}
	for i := range ran {
		if ran[i].SQL != want[i].SQL || ran[i].Isolation != want[i].Isolation {
			return false
		}
	}
	return true
}

// run runs p's steps on the database with exec, inspects the result in a
// fresh session and requires it to equal desired: the proof of a plan,
// the same for the first plan and for each one after. Unless want is
// resultModel the result has no dependencies (Model.Deps); when it is
// converged, the result keeps the copy's spelling.
func (pr *Proof) run(ctx context.Context, p *plan.Plan, desired *model.Model, schemas []string, exec Executor, want outcome) (result *model.Model, err error) {
	check := want == converged
	defer func() {
		if err != nil {
			pr.broken = true
		}
	}()
	if !check && pr.stamps == nil {
		// Not read ahead, or a check ran here last: what the plan
		// re-derives is told by the stamps before it and after it.
		if pr.stamps, err = definitionStamps(ctx, pr.conn); err != nil {
			return nil, fmt.Errorf("validate the plan: %w", err)
		}
	}
	if err := exec(ctx, pr.conn, p.Steps); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, &PlanFailedError{Err: err}
	}
	// Inspect in a fresh session: the plan's steps may have set things.
	insp, err := freshSession(ctx, pr.db, pr.conn)
	pr.conn = insp
	if err != nil {
		return nil, err
	}
	// Nothing else runs meanwhile: on a large schema a second session
	// reads half of the catalog on the other core. The database is dropped
	// WITH (FORCE).
	// Dependencies are read only for a result a plan is built from.
	opts := pr.db.inspectOptions(schemas, len(desired.Tables) >= catalog.ParallelFrom)
	opts.WithoutDeps = want != resultModel
	result, pr.sessions, err = catalog.InspectSessions(ctx, insp, opts)
	if err != nil {
		return nil, fmt.Errorf("validate the plan: inspect the scratch database: %w", err)
	}
	result.Outside = pr.live.Outside
	// The scratch copy was built from live's deparsed text, which PostgreSQL
	// may spell differently once reloaded; the real live keeps its spelling,
	// so what the plan leaves alone takes live's text: the result hash is
	// the one the real live will have. What the plan creates, or makes
	// PostgreSQL re-derive, keeps the text PostgreSQL gives it, as on the
	// real live (a table recreated with a new partition layout included:
	// its objects have new OIDs).
	// A check skips that: whether the result equals desired up to
	// spelling is decided below all the same. The stamps are then read
	// again before another plan runs here.
	if check {
		pr.stamps = nil
	} else {
		after, err := definitionStamps(ctx, insp)
		if err != nil {
			return nil, fmt.Errorf("validate the plan: %w", err)
		}
		before := pr.stamps
		pr.stamps = after
		if _, err := adoptSpelling(ctx, insp, untouched(pr.live, before, after), result); err != nil {
			return nil, fmt.Errorf("validate the plan: %w", err)
		}
	}
	// Converged means equal to desired up to spelling; desired's texts are
	// taken only for that comparison.
	restore, err := adoptSpelling(ctx, insp, desired, result)
	if err != nil {
		return nil, fmt.Errorf("validate the plan: %w", err)
	}
	changes := diff.Compare(result, desired)
	restore()
	if len(changes) > 0 {
		return nil, &NotConvergedError{Changes: changes}
	}
	return result, nil
}

// Close closes the connection and drops the database. It may be called
// more than once, and on a nil Proof.
func (pr *Proof) Close(ctx context.Context) error {
	if pr == nil {
		return nil
	}
	return pr.close(ctx)
}
