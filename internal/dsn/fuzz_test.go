package dsn

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// FuzzRedact: a password written in a connection string, in either form and
// however it is spelled, does not survive Redact, nor appear in the errors
// this package returns.
func FuzzRedact(f *testing.F) {
	for _, seed := range []struct{ user, password, text string }{
		{"app", "s3cret", "connect failed"},
		{"app", "p@ss:w/rd", ""},
		{"", "only password", "x"},
		{"u", "it's", "password=foo"},
		{"u", `back\slash`, "postgres://a:b@c"},
		{"us er", "päss wörd", "\n"},
		{"u", "=====", "host=h"},
	} {
		f.Add(seed.user, seed.password, seed.text)
	}
	f.Fuzz(func(t *testing.T, user, password, text string) {
		// Short passwords occur in any text by chance.
		if len(strings.TrimSpace(password)) < 4 || strings.ContainsAny(password, "\x00") || strings.ContainsAny(user, "\x00") {
			return
		}
		secret := "ZQ" + password + "QZ"
		forms := []string{
			"postgres://" + url.PathEscape(user) + ":" + url.QueryEscape(secret) + "@localhost:5432/db",
			"postgresql://" + url.UserPassword(user, secret).String() + "@h/db?sslmode=disable",
			"host=localhost user=" + QuoteValue(user) + " password=" + QuoteValue(secret) + " dbname=db",
			"password = " + QuoteValue(secret) + " host=h",
		}
		for _, conn := range forms {
			for _, s := range []string{conn, text + " " + conn + " " + text, "error: cannot parse `" + conn + "`: failed"} {
				if r := Redact(s); leaks(r, secret) {
					t.Fatalf("Redact(%q) = %q keeps the password", s, r)
				}
			}
			if _, err := WithDatabase(conn+" ", "x"); err != nil && leaks(err.Error(), secret) {
				t.Fatalf("WithDatabase error keeps the password: %v", err)
			}
			if _, err := Describe(conn); err != nil && leaks(err.Error(), secret) {
				t.Fatalf("Describe error keeps the password: %v", err)
			}
			if _, err := pgx.ParseConfig(conn); err != nil && leaks(Redact(err.Error()), secret) {
				t.Fatalf("redacted driver error keeps the password: %s", Redact(err.Error()))
			}
		}
	})
}

// leaks reports whether s holds the secret in any spelling a connection
// string could give it.
func leaks(s, secret string) bool {
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(secret)} {
		if strings.Contains(s, form) {
			return true
		}
	}
	return false
}
