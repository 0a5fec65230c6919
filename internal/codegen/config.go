package codegen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConfigFile is the name of the code generation config, beside .pg-flux.yml.
const ConfigFile = ".pg-flux-codegen.yml"

// Languages are the output languages, in the order gen writes them.
var Languages = []string{"go", "ts", "python", "rust"}

// Config is .pg-flux-codegen.yml: the outputs to write and the type
// overrides they share.
type Config struct {
	Outputs   []Output   `yaml:"outputs"`
	Overrides []Override `yaml:"overrides"`
}

// Output is one generated output: a language, a directory and the
// language's options. Options of other languages are rejected.
type Output struct {
	Lang string `yaml:"lang"`
	Out  string `yaml:"out"`

	// Go.
	Package   string `yaml:"package,omitempty"`    // default dbgen
	NullStyle string `yaml:"null_style,omitempty"` // pointer (default), pgtype, sql
	UUID      string `yaml:"uuid,omitempty"`       // bytes (default, [16]byte), google (github.com/google/uuid)

	// Go, TypeScript and Rust: how numeric is represented.
	// Go: pgtype (default, pgtype.Numeric), string. TypeScript: string
	// (default), number. Rust: rust_decimal (default), string.
	Numeric string `yaml:"numeric,omitempty"`

	// TypeScript.
	BigInt     string `yaml:"bigint,omitempty"`     // number (default), string, bigint
	Date       string `yaml:"date,omitempty"`       // string (default), Date
	Validators string `yaml:"validators,omitempty"` // none (default), zod

	// Python.
	Style string `yaml:"style,omitempty"` // dataclass (default), pydantic, typeddict

	// Rust.
	Time string `yaml:"time,omitempty"` // chrono (default), time
	Sqlx string `yaml:"sqlx,omitempty"` // feature (default: derives behind the "sqlx" feature), off
}

// Override maps a type, or one column, to a type of each language. Type
// is a type name ("citext", "public.citext", "record"); Column is
// "schema.table.column" (also a view's or a composite type's). An array of
// an overridden type is an array of the override.
type Override struct {
	Type   string `yaml:"type,omitempty"`
	Column string `yaml:"column,omitempty"`

	Go       string `yaml:"go,omitempty"`
	GoImport string `yaml:"go_import,omitempty"` // import path the Go type needs
	TS       string `yaml:"ts,omitempty"`
	Python   string `yaml:"python,omitempty"`
	// PythonImport is an import line the Python type needs
	// ("from ipaddress import IPv4Address").
	PythonImport string `yaml:"python_import,omitempty"`
	Rust         string `yaml:"rust,omitempty"` // a path: "::std::string::String"
}

// For returns the override's type in a language, "" when it has none.
func (o *Override) For(lang string) string {
	switch lang {
	case "go":
		return o.Go
	case "ts":
		return o.TS
	case "python":
		return o.Python
	case "rust":
		return o.Rust
	}
	return ""
}

// LoadConfig reads a codegen config. A missing file is reported with
// os.ErrNotExist in its chain.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(path, data)
}

// ParseConfig parses and validates a codegen config; unknown keys are
// errors, since a misspelt option would otherwise change nothing silently.
func ParseConfig(path string, data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Validate checks languages, option values and overrides, and fills
// defaults.
func (c *Config) Validate() error {
	seen := map[string]bool{}
	for i := range c.Outputs {
		o := &c.Outputs[i]
		if err := o.validate(); err != nil {
			return fmt.Errorf("outputs[%d]: %w", i, err)
		}
		dir := filepath.Clean(o.Out)
		if seen[dir] {
			return fmt.Errorf("outputs[%d]: out %q is used by another output", i, o.Out)
		}
		seen[dir] = true
	}
	for i, ov := range c.Overrides {
		if (ov.Type == "") == (ov.Column == "") {
			return fmt.Errorf("overrides[%d]: set exactly one of type and column", i)
		}
		if ov.Column != "" && len(splitName(ov.Column)) != 3 {
			return fmt.Errorf("overrides[%d]: column %q is not schema.table.column", i, ov.Column)
		}
	}
	return nil
}

func oneOf(name, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("invalid %s %q (use %s)", name, v, strings.Join(allowed, ", "))
}

func (o *Output) validate() error {
	if err := oneOf("lang", o.Lang, Languages...); err != nil {
		return err
	}
	if o.Out == "" {
		return fmt.Errorf("%s output has no out directory", o.Lang)
	}
	set := map[string]string{
		"package": o.Package, "null_style": o.NullStyle, "uuid": o.UUID, "numeric": o.Numeric,
		"bigint": o.BigInt, "date": o.Date, "validators": o.Validators, "style": o.Style,
		"time": o.Time, "sqlx": o.Sqlx,
	}
	own := map[string][]string{
		"go":     {"package", "null_style", "uuid", "numeric"},
		"ts":     {"numeric", "bigint", "date", "validators"},
		"python": {"style"},
		"rust":   {"numeric", "time", "sqlx"},
	}[o.Lang]
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if set[k] == "" {
			continue
		}
		mine := false
		for _, m := range own {
			mine = mine || m == k
		}
		if !mine {
			return fmt.Errorf("option %s does not apply to %s output (its options: %s)", k, o.Lang, strings.Join(own, ", "))
		}
	}
	def := func(p *string, d string) {
		if *p == "" {
			*p = d
		}
	}
	switch o.Lang {
	case "go":
		def(&o.Package, "dbgen")
		def(&o.NullStyle, "pointer")
		def(&o.UUID, "bytes")
		def(&o.Numeric, "pgtype")
		if !isGoPackageName(o.Package) {
			return fmt.Errorf("invalid package %q (a Go package name: lower-case letters, digits, _)", o.Package)
		}
		return firstErr(oneOf("null_style", o.NullStyle, "pointer", "pgtype", "sql"),
			oneOf("uuid", o.UUID, "bytes", "google"), oneOf("numeric", o.Numeric, "pgtype", "string"))
	case "ts":
		def(&o.Numeric, "string")
		def(&o.BigInt, "number")
		def(&o.Date, "string")
		def(&o.Validators, "none")
		return firstErr(oneOf("numeric", o.Numeric, "string", "number"), oneOf("bigint", o.BigInt, "number", "string", "bigint"),
			oneOf("date", o.Date, "string", "Date"), oneOf("validators", o.Validators, "none", "zod"))
	case "python":
		def(&o.Style, "dataclass")
		return oneOf("style", o.Style, "dataclass", "pydantic", "typeddict")
	case "rust":
		def(&o.Numeric, "rust_decimal")
		def(&o.Time, "chrono")
		def(&o.Sqlx, "feature")
		return firstErr(oneOf("numeric", o.Numeric, "rust_decimal", "string"), oneOf("time", o.Time, "chrono", "time"),
			oneOf("sqlx", o.Sqlx, "feature", "off"))
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func isGoPackageName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return !goKeywords[s]
}

// splitName splits a dotted name whose parts may be double-quoted
// ("public"."My Table".col).
func splitName(s string) []string {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			quoted = !quoted
		case ch == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(ch)
		}
	}
	return append(parts, cur.String())
}

// InitConfig is what `gen init` writes: every option, commented.
const InitConfig = `# pg-flux gen: application types from the schema (docs/gen.md).
# ` + "`pg-flux gen`" + ` writes every output below; ` + "`pg-flux gen --check`" + ` exits 1 when
# any generated file is stale, for CI.
outputs:
  - lang: go
    out: gen/go/dbgen
    # package: dbgen           # Go package name
    # null_style: pointer      # nullable columns: pointer (*T), pgtype (pgtype.Int4, …), sql (sql.NullInt32, sql.Null[T])
    # uuid: bytes              # uuid: bytes ([16]byte) or google (github.com/google/uuid)
    # numeric: pgtype          # numeric: pgtype (pgtype.Numeric) or string
  - lang: ts
    out: gen/ts
    # bigint: number           # bigint: number, string or bigint
    # numeric: string          # numeric: string or number
    # date: string             # date, time and timestamp: string or Date
    # validators: none         # none, or zod: zod schemas whose inferred types equal the types
  - lang: python
    out: gen/python
    # style: dataclass         # dataclass, pydantic or typeddict
  - lang: rust
    out: gen/rust
    # numeric: rust_decimal    # numeric: rust_decimal or string
    # time: chrono             # dates and times: chrono or time
    # sqlx: feature            # feature: sqlx derives behind the crate feature "sqlx"; off: none

# Types pg-flux does not map (extension types, for instance), by type name
# or for one column. Every language that is generated needs an entry.
# overrides:
#   - type: public.citext
#     go: string
#     ts: string
#     python: str
#     rust: ::std::string::String
#   - column: public.users.location
#     go: Point
#     go_import: example.com/app/geo
#     ts: "{ x: number; y: number }"
#     python: Point
#     python_import: from app.geo import Point
#     rust: crate::geo::Point
`
