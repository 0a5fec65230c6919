package shadow

import (
	"fmt"
	"regexp"
)

// A source statement PostgreSQL rejects may use a feature newer than the
// shadow server, whose major is the live server's. PostgreSQL's own message
// then is a bare syntax error (or an unknown option or function); the
// failure names the feature and the major that has it instead.

type newerFeature struct {
	name  string
	major int // the first major that has it
	re    *regexp.Regexp
}

var newerFeatures = []newerFeature{
	{"NULLS NOT DISTINCT (unique constraints and indexes)", 15, regexp.MustCompile(`(?i)\bNULLS\s+NOT\s+DISTINCT\b`)},
	{"publications of whole schemas (FOR TABLES IN SCHEMA)", 15, regexp.MustCompile(`(?i)\bTABLES\s+IN\s+SCHEMA\b`)},
	{"publication row filters (WHERE) and column lists", 15, regexp.MustCompile(`(?is)\bPUBLICATION\b.*\bTABLE\s+(?:ONLY\s+)?[\w."]+\s*(?:\(|WHERE\b)`)},
	{"the security_invoker view option", 15, regexp.MustCompile(`(?i)\bsecurity_invoker\b`)},
	{"MERGE", 15, regexp.MustCompile(`(?i)\bMERGE\s+INTO\b`)},
	{"the MAINTAIN privilege", 17, regexp.MustCompile(`(?i)\bGRANT\s+(?:[A-Z, ]*,\s*)?MAINTAIN\b`)},
	{"JSON_TABLE", 17, regexp.MustCompile(`(?i)\bJSON_TABLE\s*\(`)},
	{"virtual generated columns (GENERATED ALWAYS AS … VIRTUAL)", 18, regexp.MustCompile(`(?is)\bGENERATED\s+ALWAYS\s+AS\s*\(.*\)\s*VIRTUAL\b`)},
	{"NOT ENFORCED constraints", 18, regexp.MustCompile(`(?i)\bNOT\s+ENFORCED\b`)},
	{"temporal constraints (WITHOUT OVERLAPS, PERIOD)", 18, regexp.MustCompile(`(?i)\bWITHOUT\s+OVERLAPS\b|\bPERIOD\s+[a-z_"]`)},
	{"uuidv7()", 18, regexp.MustCompile(`(?i)\buuidv7\s*\(`)},
}

// newerFeatureIn returns the message for a statement that failed on a
// server of major because it uses a feature of a newer major, or "".
func newerFeatureIn(sql string, major int) string {
	if major == 0 {
		return ""
	}
	for _, f := range newerFeatures {
		if f.major > major && f.re.MatchString(sql) {
			return fmt.Sprintf("%s needs PostgreSQL %d or newer; the server is PostgreSQL %d", f.name, f.major, major)
		}
	}
	return ""
}
