package migration

import (
	"context"
	"testing"
	"time"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// TestRunSettingsMakeCommitsDurable: on a server whose synchronous_commit
// is off (as pg-flux's own clusters and test servers run), the session that
// runs steps commits durably: a crash right after apply reported a step
// done, with its ledger row, must not take them back. The previous values
// come back afterwards.
func TestRunSettingsMakeCommitsDurable(t *testing.T) {
	ctx := context.Background()
	conn := pgtest.NewDatabase(t).Connect(t)
	setting := func(name string) string {
		t.Helper()
		var v string
		if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		t.Fatal(err)
	}
	restore, err := SetRunSettings(ctx, conn, 2*time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := setting("synchronous_commit"); got != "on" {
		t.Errorf("synchronous_commit %q while steps run, want on", got)
	}
	if got := setting("lock_timeout"); got != "2s" {
		t.Errorf("lock_timeout %q while steps run, want 2s", got)
	}
	restore()
	if got := setting("synchronous_commit"); got != "off" {
		t.Errorf("synchronous_commit %q after, want off again", got)
	}

	// A stronger setting is left alone.
	if _, err := conn.Exec(ctx, "SET synchronous_commit = remote_apply"); err != nil {
		t.Fatal(err)
	}
	restore, err = SetRunSettings(ctx, conn, time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := setting("synchronous_commit"); got != "remote_apply" {
		t.Errorf("synchronous_commit %q while steps run, want remote_apply kept", got)
	}
	restore()
}
