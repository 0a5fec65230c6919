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
	return strings.TrimSpace(conn) + " dbname=" + QuoteValue(database), nil
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
	urlPassword     = regexp.MustCompile(`(postgres(?:ql)?://[^:/\s]*):[^/\s]*@`)
	kvPasswordKey   = regexp.MustCompile(`password\s*=\s*`)
	kvPasswordValue = regexp.MustCompile(`^(?:'(?:[^'\\]|\\.)*'|\S+)`)
)

// Redact replaces every password in s (a connection string or a message that
// contains one) with "xxxxx".
func Redact(s string) string {
	s = urlPassword.ReplaceAllString(s, "${1}:xxxxx@")
	// Keys are redacted from the last to the first: a value may itself read
	// "password", and a left-to-right pass would take it as the value and
	// skip the key that follows ("password= password = secret").
	keys := kvPasswordKey.FindAllStringIndex(s, -1)
	for i := len(keys) - 1; i >= 0; i-- {
		start := keys[i][1]
		if v := kvPasswordValue.FindStringIndex(s[start:]); v != nil {
			s = s[:start] + "xxxxx" + s[start+v[1]:]
		}
	}
	return s
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// QuoteValue quotes a value of a key=value connection string when it
// needs it: empty, or holding a space, a quote or a backslash.
func QuoteValue(s string) string {
	if s != "" && !strings.ContainsAny(s, ` '\`) {
		return s
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
