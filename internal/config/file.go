package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a parsed .pg-flux.yml.
type File struct {
	// Path is the file as named (DefaultFile or --config); empty when no
	// file was read.
	Path string
	// Layer holds the settings the file sets. Relative directories in it
	// are already made relative to the file's own directory.
	Layer Layer
	// Warnings are problems that do not stop pg-flux (unknown keys).
	Warnings []Warning
}

// Warning is a non-fatal problem in the file.
type Warning struct {
	File    string
	Line    int
	Message string
}

func (w Warning) String() string { return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Message) }

// Error is a problem that makes the file unusable, with its position.
type Error struct {
	File string
	Line int // 0 when the problem is not at a line (unreadable file)
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Load reads the config file at path. A missing file is not an error unless
// required (the user named it with --config); then an empty File with no
// Path is returned.
func Load(path string, required bool) (*File, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return &File{}, nil
	}
	if err != nil {
		msg := "cannot read config file"
		switch fi, statErr := os.Stat(path); {
		case errors.Is(err, fs.ErrNotExist):
			msg = "config file not found"
		case errors.Is(err, fs.ErrPermission):
			msg = "config file is not readable (permission denied)"
		case statErr == nil && fi.IsDir():
			msg = "config file is a directory"
		}
		return nil, &Error{File: path, Msg: msg}
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	// Directories in the file are relative to the file, so that
	// --config elsewhere/.pg-flux.yml means what it says.
	if dir := filepath.Dir(path); dir != "." {
		for _, p := range []*string{f.Layer.SchemaDir, f.Layer.MigrationsDir} {
			if p != nil && !filepath.IsAbs(*p) {
				*p = filepath.Join(dir, *p)
			}
		}
	}
	return f, nil
}

// Parse parses the content of a config file named name (used in messages).
func Parse(name string, data []byte) (*File, error) {
	f := &File{Path: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return f, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return f, nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: "expected key: value pairs (e.g. schema_dir: schema)"}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], root.Content[i+1]
		name := kn.Value
		if prev, dup := seen[name]; dup {
			return nil, &Error{File: f.Path, Line: kn.Line, Msg: fmt.Sprintf("key %q appears twice (first on line %d)", name, prev)}
		}
		seen[name] = kn.Line
		k, ok := lookupKey(name)
		if !ok {
			msg := fmt.Sprintf("unknown key %q", name)
			if s := suggest(name); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			f.Warnings = append(f.Warnings, Warning{File: f.Path, Line: kn.Line, Message: msg})
			continue
		}
		raw, err := scalarOrList(vn)
		if err != nil {
			return nil, &Error{File: f.Path, Line: vn.Line, Msg: fmt.Sprintf("%s: %v", name, err)}
		}
		if raw == nil {
			continue // "key:" with no value leaves the setting unset
		}
		isList := k.name == "target_schemas" || k.name == "allow_hazards"
		if vn.Kind == yaml.SequenceNode && !isList {
			return nil, &Error{File: f.Path, Line: vn.Line, Msg: fmt.Sprintf("%s: expected a single value, got a list", name)}
		}
		if err := k.set(&f.Layer, strings.Join(raw, ",")); err != nil {
			return nil, &Error{File: f.Path, Line: vn.Line, Msg: fmt.Sprintf("%s: %v", name, err)}
		}
	}
	return f, nil
}

// scalarOrList returns the value of a scalar (one item) or a list of
// scalars; nil for a null value.
func scalarOrList(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return []string{n.Value}, nil
	case yaml.SequenceNode:
		out := []string{}
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("expected a list of plain values")
			}
			if strings.Contains(item.Value, ",") {
				return nil, fmt.Errorf("list item %q contains a comma", item.Value)
			}
			out = append(out, item.Value)
		}
		return out, nil
	case yaml.MappingNode:
		return nil, fmt.Errorf("expected a value, got a nested mapping")
	case yaml.AliasNode:
		return scalarOrList(n.Alias)
	}
	return nil, fmt.Errorf("unsupported value")
}

// yamlError turns a yaml.v3 error ("yaml: line 3: mapping values are not
// allowed in this context") into file:line: message.
func yamlError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &Error{File: name, Line: line, Msg: "invalid YAML: " + msg}
}

// aliases maps names people plausibly write (flag spellings) to keys.
var aliases = map[string]string{
	"schema":       "schema_dir",
	"schemas":      "target_schemas",
	"database":     "db",
	"database_url": "db",
	"dsn":          "db",
	"url":          "db",
	"shadow":       "shadow_dsn",
}

// suggest returns the known key closest to name, or "" when none is close.
func suggest(name string) string {
	norm := strings.ToLower(strings.ReplaceAll(name, "-", "_"))
	if _, ok := lookupKey(norm); ok {
		return norm
	}
	if a, ok := aliases[norm]; ok {
		return a
	}
	best, bestDist := "", 0
	for _, k := range keys {
		d := levenshtein(norm, k.name)
		if best == "" || d < bestDist {
			best, bestDist = k.name, d
		}
	}
	// Allow about one edit in three characters: close enough to be a typo.
	if bestDist <= max(2, len(best)/3) {
		return best
	}
	return ""
}

// levenshtein is the edit distance between a and b.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
