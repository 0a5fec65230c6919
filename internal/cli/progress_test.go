package cli

import (
	"bytes"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/migration"
)

func TestLineProgress(t *testing.T) {
	var b bytes.Buffer
	p := &lineProgress{w: &b}
	ev := migration.ProgressEvent{Migration: "001_a.sql", Step: 2, Steps: 3, Statement: "CREATE INDEX CONCURRENTLY big_id ON big (id);",
		Phase: "building index: scanning table", Done: 250, Total: 1000, Elapsed: 3200 * time.Millisecond}
	p.Update(ev)
	ev.Done, ev.Elapsed = 500, 3700*time.Millisecond
	p.Update(ev)
	p.Finish(ev)
	want := "\r\033[Kstep 2/3 CREATE INDEX CONCURRENTLY big_id ON big (id); — building index: scanning table 250/1000 (25%) 3s" +
		"\r\033[Kstep 2/3 CREATE INDEX CONCURRENTLY big_id ON big (id); — building index: scanning table 500/1000 (50%) 4s" +
		"\r\033[K"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	blocked := progressLine(migration.ProgressEvent{Step: 1, Steps: 1, Statement: "ALTER TABLE t …", Phase: "waiting for lock",
		Blockers: []migration.Blocker{{PID: 42}}, Elapsed: time.Second})
	if want := "step 1/1 ALTER TABLE t … — waiting for lock held by pid 42 1s"; blocked != want {
		t.Errorf("got %q", blocked)
	}
}
