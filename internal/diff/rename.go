package diff

import (
	"fmt"
	"slices"

	"github.com/pg-flux/pg-flux/internal/model"
	"github.com/pg-flux/pg-flux/internal/source"
)

// Rename is an object the source renamed with a `-- @renamed from=old`
// hint: the plan renames it in place instead of dropping and creating it.
type Rename struct {
	// Kind is the hint target's kind: "table", "view", "materialized
	// view", "index", "sequence", "type", "domain", "function",
	// "procedure", "column" or "enum value".
	Kind string
	// Object is the object renamed, under its old name; for a column its
	// table, for an enum value its type (names as in desired).
	Object model.QName
	// Args are a routine's identity arguments.
	Args     string
	Old, New string
	Hint     source.Hint
}

// IgnoredHint is a rename hint that asks for nothing: the old name is not
// in live (the rename happened already, or the object is new).
type IgnoredHint struct {
	Hint   source.Hint
	Reason string
}

// MatchRenames turns the @renamed hints of the source into renames from
// live to desired. A hint whose old name is absent from live is ignored
// (returned with the reason, for plan --verbose); a hint whose object
// exists in live under both names is an error naming the hint's file:line.
// Unqualified names are in defaultSchema.
func MatchRenames(live, desired *model.Model, hints []source.Hint, defaultSchema string) ([]Rename, []IgnoredHint, error) {
	var out []Rename
	var ignored []IgnoredHint
	for _, h := range hints {
		if h.Name != "renamed" {
			continue
		}
		tg := h.Target
		schema := tg.Schema
		if schema == "" {
			schema = defaultSchema
		}
		old := h.Params["from"]
		q := func(name string) model.QName { return model.QName{Schema: schema, Name: name} }
		newName := tg.Name
		var inLive func(name string) bool
		args := ""
		switch tg.Kind {
		case "table":
			inLive = func(n string) bool { return live.Tables[q(n)] != nil }
		case "view":
			inLive = func(n string) bool { return live.Views[q(n)] != nil }
		case "materialized view":
			inLive = func(n string) bool { return live.MatViews[q(n)] != nil }
		case "index":
			inLive = func(n string) bool { return live.Indexes[q(n)] != nil }
		case "sequence":
			inLive = func(n string) bool { return live.Sequences[q(n)] != nil }
		case "type":
			inLive = func(n string) bool {
				return live.Enums[q(n)] != nil || live.Composites[q(n)] != nil || live.Ranges[q(n)] != nil
			}
		case "domain":
			inLive = func(n string) bool { return live.Domains[q(n)] != nil }
		case "function", "procedure":
			// The routine keeps its identity arguments: match them in desired.
			for _, f := range desired.Functions {
				if f.Name == q(newName) {
					args = f.Args
					break
				}
			}
			inLive = func(n string) bool {
				for _, f := range live.Functions {
					if f.Name == q(n) && f.Args == args {
						return true
					}
				}
				return false
			}
		case "column":
			t := live.Tables[q(tg.Name)]
			if t == nil {
				t = live.Tables[q(renamedFrom(out, "table", schema, tg.Name))]
			}
			newName = tg.Column
			inLive = func(n string) bool { return t != nil && t.Column(n) != nil }
		case "enum value":
			e := live.Enums[q(tg.Name)]
			if e == nil {
				e = live.Enums[q(renamedFrom(out, "type", schema, tg.Name))]
			}
			newName = tg.Value
			inLive = func(n string) bool { return e != nil && slices.Contains(e.Labels, n) }
		default:
			continue
		}
		hasOld, hasNew := inLive(old), inLive(newName)
		switch {
		case hasOld && hasNew:
			return nil, nil, &source.Error{File: h.File, Line: h.Line, Msg: fmt.Sprintf(
				"@renamed from=%s: live has both %s %s and %s; drop one of them, or remove the hint", old, tg.Kind, old, newName)}
		case !hasOld:
			reason := fmt.Sprintf("%s %s is not in live", tg.Kind, old)
			if hasNew {
				reason += fmt.Sprintf(" (already renamed to %s)", newName)
			}
			ignored = append(ignored, IgnoredHint{Hint: h, Reason: reason})
			continue
		}
		obj := q(old)
		if tg.Kind == "column" || tg.Kind == "enum value" {
			obj = q(tg.Name)
		}
		out = append(out, Rename{Kind: tg.Kind, Object: obj, Args: args, Old: old, New: newName, Hint: h})
	}
	return out, ignored, nil
}

// renamedFrom is the old name of an object renamed in the same change (a
// table whose column, or a type whose value, is renamed too), else "".
func renamedFrom(renames []Rename, kind, schema, name string) string {
	for _, r := range renames {
		if r.Kind == kind && r.Object.Schema == schema && r.New == name {
			return r.Old
		}
	}
	return ""
}

// Reverse returns the renames that undo r. Objects are renamed back first,
// so a column or enum value is named under its table's or type's old name.
func Reverse(r []Rename) []Rename {
	back := map[model.QName]model.QName{} // new name → old name
	for _, x := range r {
		if x.Kind != "column" && x.Kind != "enum value" {
			back[model.QName{Schema: x.Object.Schema, Name: x.New}] = x.Object
		}
	}
	out := make([]Rename, len(r))
	for i, x := range r {
		y := x
		y.Old, y.New = x.New, x.Old
		switch x.Kind {
		case "column", "enum value":
			if old, ok := back[x.Object]; ok {
				y.Object = old
			}
		default:
			y.Object = model.QName{Schema: x.Object.Schema, Name: x.New}
		}
		out[len(r)-1-i] = y
	}
	return out
}
