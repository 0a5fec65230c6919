package migration

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/plan"
)

// ProgressEvent is the state of a long-running step.
type ProgressEvent struct {
	Migration string // file name; "" for a plan applied directly
	// Step is the 1-based index of the step (the first of its transaction)
	// and Steps their count.
	Step, Steps int
	Statement   string // first line of the step's SQL
	// Phase is PostgreSQL's phase for index builds
	// (pg_stat_progress_create_index), "waiting for lock" while other
	// sessions block the step, else "running".
	Phase string
	// Done and Total count the phase's work (blocks or tuples); both are 0
	// when PostgreSQL reports none.
	Done, Total int64
	Elapsed     time.Duration
	// Blockers are the sessions the step is waiting for.
	Blockers []Blocker
}

// Progress hears about steps that run longer than one poll interval.
// Update is called on every poll while such a step runs, Finish once when
// it ends (with the last event), so a terminal line can be cleared.
type Progress interface {
	Update(ProgressEvent)
	Finish(ProgressEvent)
}

// Blocker is a session holding a lock a step waits for.
type Blocker struct {
	PID             int
	User            string
	ApplicationName string
	State           string
	// XactAge is how long its transaction has been open (0 when it has
	// none).
	XactAge time.Duration
	Query   string // first line of its current or last query
}

func (b Blocker) String() string {
	app := b.ApplicationName
	if app == "" {
		app = "-"
	}
	s := fmt.Sprintf("pid %d (user %s, application_name %s, state %s", b.PID, b.User, app, b.State)
	if b.XactAge > 0 {
		s += fmt.Sprintf(", transaction open for %s", b.XactAge.Round(time.Second))
	}
	s += ")"
	if b.Query != "" {
		s += ": " + b.Query
	}
	return s
}

// lockAdvice is the part of a lock failure's message that says who blocks
// and what to do.
func lockAdvice(attempts int, timeout time.Duration, blockers []Blocker) string {
	var b strings.Builder
	fmt.Fprintf(&b, "the lock was not granted in %d attempt(s)", attempts)
	if timeout > 0 {
		fmt.Fprintf(&b, " of lock_timeout %s each", timeout)
	}
	if len(blockers) == 0 {
		b.WriteString("; no blocking session was seen (it may have finished meanwhile): re-run to try again, or raise --lock-timeout / --lock-retries")
		return b.String()
	}
	b.WriteString("; blocked by:")
	var pids []string
	for _, bl := range blockers {
		fmt.Fprintf(&b, "\n  %s", bl)
		pids = append(pids, fmt.Sprint(bl.PID))
	}
	fmt.Fprintf(&b, "\nWait for it to finish or end it with SELECT pg_terminate_backend(%s), then re-run", strings.Join(pids, "), pg_terminate_backend("))
	return b.String()
}

const blockersSQL = `SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), coalesce(a.state, ''),
	coalesce(extract(epoch FROM now() - a.xact_start), 0)::float8, coalesce(a.query, '')
FROM pg_stat_activity a
WHERE a.pid = ANY(%s)
ORDER BY a.xact_start NULLS LAST, a.pid`

func scanBlockers(rows pgx.Rows) ([]Blocker, error) {
	var out []Blocker
	for rows.Next() {
		var b Blocker
		var age float64
		if err := rows.Scan(&b.PID, &b.User, &b.ApplicationName, &b.State, &age, &b.Query); err != nil {
			return nil, err
		}
		b.XactAge = time.Duration(age * float64(time.Second))
		b.Query = strings.TrimSuffix(firstLine(b.Query), " …")
		out = append(out, b)
	}
	return out, rows.Err()
}

// blockingSessions asks PostgreSQL which sessions block pid right now.
func blockingSessions(ctx context.Context, watch *pgx.Conn, pid uint32) ([]Blocker, error) {
	rows, err := watch.Query(ctx, fmt.Sprintf(blockersSQL, "pg_blocking_pids($1)"), pid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanBlockers(rows)
}

// lockHolders is the fallback when no poll caught the wait: the sessions
// (other than ours) holding locks on the relations the statement names.
// Errors yield none: the caller is already reporting a failure.
func lockHolders(ctx context.Context, watch *pgx.Conn, pid uint32, sql string) []Blocker {
	rels := relationsOf(sql)
	if len(rels) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	rows, err := watch.Query(ctx, fmt.Sprintf(blockersSQL, `ARRAY(SELECT DISTINCT l.pid FROM pg_locks l
		WHERE l.granted AND l.locktype = 'relation' AND l.pid NOT IN ($1, pg_backend_pid())
		AND l.relation IN (SELECT to_regclass(n) FROM unnest($2::text[]) AS n))`), pid, rels)
	if err != nil {
		return nil
	}
	defer rows.Close()
	out, _ := scanBlockers(rows)
	return out
}

// relationsOf lists the relations a statement names (RangeVar nodes: in
// the JSON parse tree, objects with a relname), as quoted, possibly
// schema-qualified names.
func relationsOf(sql string) []string {
	js, err := pg_query.ParseToJSON(sql)
	if err != nil {
		return nil
	}
	var tree any
	if json.Unmarshal([]byte(js), &tree) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if name, ok := v["relname"].(string); ok {
				if schema, _ := v["schemaname"].(string); schema != "" {
					name = model.QuoteIdent(schema) + "." + model.QuoteIdent(name)
				} else {
					name = model.QuoteIdent(name)
				}
				if !seen[name] {
					seen[name] = true
					out = append(out, name)
				}
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(tree)
	return out
}

// watch polls a second connection while a step runs.
type watch struct {
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	seen  []Blocker
	// cur is the step running now, within a transaction of several.
	cur atomic.Int64
}

// at says which step of the transaction runs now.
func (w *watch) at(step int) { w.cur.Store(int64(step)) }

// startWatch starts polling opts.Watch for blockers of conn's session and
// for progress of steps[start], until stop. Without a watch connection it
// does nothing.
func startWatch(ctx context.Context, conn *pgx.Conn, steps []plan.Step, start int, opts ExecOptions) *watch {
	w := &watch{}
	w.at(start)
	if opts.Watch == nil {
		return w
	}
	w.stopc = make(chan struct{})
	w.done = make(chan struct{})
	interval := opts.PollInterval
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	pid := conn.PgConn().PID()
	ev := ProgressEvent{Migration: opts.Migration, Step: start + 1, Steps: len(steps), Statement: firstLine(steps[start].SQL)}
	go func() {
		defer close(w.done)
		// The watch connection must outlive a cancelled apply: a query
		// cancelled by ctx would close it.
		qctx := context.WithoutCancel(ctx)
		began := time.Now()
		shown := false
		lastShown := time.Time{}
		defer func() {
			if shown {
				ev.Elapsed = time.Since(began)
				opts.Progress.Finish(ev)
			}
		}()
		for {
			// Poll often at first, so that a short lock_timeout is still
			// seen waiting, then at the progress interval.
			tick := interval
			if time.Since(began) < time.Second {
				tick = min(interval, 100*time.Millisecond)
			}
			select {
			case <-w.stopc:
				return
			case <-time.After(tick):
			}
			pctx, cancel := context.WithTimeout(qctx, 5*time.Second)
			blockers, err := blockingSessions(pctx, opts.Watch, pid)
			cancel()
			if err != nil {
				continue
			}
			if len(blockers) > 0 {
				w.mu.Lock()
				w.seen = blockers
				w.mu.Unlock()
			}
			if opts.Progress == nil || time.Since(began) < interval || time.Since(lastShown) < interval {
				continue
			}
			if i := int(w.cur.Load()); i+1 != ev.Step {
				ev.Step, ev.Statement = i+1, firstLine(steps[i].SQL)
			}
			ev.Phase, ev.Done, ev.Total = "", 0, 0
			ev.Blockers = blockers
			pctx, cancel = context.WithTimeout(qctx, 5*time.Second)
			readIndexProgress(pctx, opts.Watch, pid, &ev)
			cancel()
			switch {
			case ev.Phase != "":
			case len(blockers) > 0:
				ev.Phase = "waiting for lock"
			default:
				ev.Phase = "running"
			}
			ev.Elapsed = time.Since(began)
			opts.Progress.Update(ev)
			shown = true
			lastShown = time.Now()
		}
	}()
	return w
}

// stop ends the polling and returns the last blockers seen.
func (w *watch) stop() []Blocker {
	if w.stopc == nil {
		return nil
	}
	close(w.stopc)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seen
}

// readIndexProgress fills ev from pg_stat_progress_create_index when pid
// is building an index; tuples when PostgreSQL counts them, else blocks.
func readIndexProgress(ctx context.Context, watch *pgx.Conn, pid uint32, ev *ProgressEvent) {
	var phase string
	var bDone, bTotal, tDone, tTotal int64
	err := watch.QueryRow(ctx, `SELECT phase, blocks_done, blocks_total, tuples_done, tuples_total
		FROM pg_stat_progress_create_index WHERE pid = $1`, pid).Scan(&phase, &bDone, &bTotal, &tDone, &tTotal)
	if err != nil {
		return
	}
	ev.Phase = phase
	if tTotal > 0 {
		ev.Done, ev.Total = tDone, tTotal
	} else {
		ev.Done, ev.Total = bDone, bTotal
	}
}
