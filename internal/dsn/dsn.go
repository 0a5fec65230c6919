// Package dsn handles PostgreSQL connection strings: pointing one at another
// database, describing it as host:port/db, and redacting passwords so that
// no output or log ever shows one.
package dsn

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// WithDatabase returns the connection string with its database replaced.
// Both URL (postgres://…) and key=value forms are accepted.
func WithDatabase(conn, database string) (string, error) {
	if isURL(conn) {
		u, err := url.Parse(conn)
		if err != nil {
			return "", fmt.Errorf("parse connection URL: %s", Redact(err.Error()))
		}
		u.Path = "/" + database
		u.RawPath = ""
		return u.String(), nil
	}
	if _, err := pgx.ParseConfig(conn); err != nil {
		return "", fmt.Errorf("parse connection string: %s", Redact(err.Error()))
	}
	// In key=value form a later key overrides an earlier one.
	return strings.TrimSpace(conn) + " dbname=" + quoteValue(database), nil
}

// Describe returns host:port/database, the identity of a target database
// used in messages and as the advisory-lock key. It never includes a password.
func Describe(conn string) (string, error) {
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		return "", fmt.Errorf("parse connection string: %s", Redact(err.Error()))
	}
	return fmt.Sprintf("%s:%d/%s", cfg.Host, cfg.Port, cfg.Database), nil
}

var (
	// A URL's password runs to the last '@' before the host: a user name or
	// password may hold a raw '@', and drivers split at the last one.
	urlPassword = regexp.MustCompile(`(postgres(?:ql)?://[^:/\s]*):[^/\s]*@`)
	kvPassword  = regexp.MustCompile(`(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)
)

// Redact replaces every password in s (a connection string or a message that
// contains one) with "xxxxx".
func Redact(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return kvPassword.ReplaceAllString(s, "${1}xxxxx")
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

func quoteValue(s string) string {
	if s != "" && !strings.ContainsAny(s, ` '\`) {
		return s
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
