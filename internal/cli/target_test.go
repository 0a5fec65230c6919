package cli

import (
	"context"
	"testing"

	"github.com/pg-flux/pg-flux/internal/pgtest"
)

// TestServerMajor: the major read from the server_version a connection
// reports as it starts is the one server_version_num gives; a version
// the first number of which is not a major (before PostgreSQL 10, or
// unreadable) is not taken.
func TestServerMajor(t *testing.T) {
	for v, want := range map[string]int{"15.18 (Debian 15.18-0+deb12u1)": 15, "17beta1": 17, "18.1": 18, "14devel": 14} {
		if got, ok := majorOf(v); !ok || got != want {
			t.Errorf("majorOf(%q) = %d, %v; want %d", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "9.6.24", "PostgreSQL"} {
		if got, ok := majorOf(v); ok {
			t.Errorf("majorOf(%q) = %d; want none", v, got)
		}
	}
	ctx := context.Background()
	conn := pgtest.NewDatabase(t).Connect(t)
	got, err := serverMajor(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := conn.QueryRow(ctx, "SELECT current_setting('server_version_num')::int / 10000").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("serverMajor = %d, server_version_num says %d", got, want)
	}
}
