package model

import "sort"

// Object kinds of routines and triggers.
const (
	// KindFunction stands for functions, procedures and aggregates; Sub of
	// its ObjectID holds the identity arguments, so overloads are distinct.
	KindFunction Kind = "function"
	// KindTrigger is a table trigger; its ObjectID is named by the table,
	// with the trigger name in Sub.
	KindTrigger Kind = "trigger"
	// KindEventTrigger is a database-wide event trigger; Schema is empty.
	KindEventTrigger Kind = "event trigger"
	// KindRule is a rewrite rule on a table or view (not a view's _RETURN
	// rule, which is the view); named like a trigger.
	KindRule Kind = "rule"
)

// Routine kinds, as pg_proc.prokind.
const (
	RoutineFunction  = "f"
	RoutineProcedure = "p"
	RoutineAggregate = "a"
	RoutineWindow    = "w"
)

// Function is a function, procedure or aggregate. Overloads are distinct
// objects: the key is the name with the identity arguments.
type Function struct {
	Name QName `json:"name"`
	// Args are the identity arguments (pg_get_function_identity_arguments).
	Args string `json:"args"`
	// Kind is one of the Routine constants.
	Kind string `json:"kind"`
	// Arguments is the full argument list with names and defaults
	// (pg_get_function_arguments): CREATE OR REPLACE cannot change names or
	// drop defaults.
	Arguments string `json:"arguments"`
	// Result is pg_get_function_result; "" for procedures.
	Result string `json:"result"`
	// Definition is a complete CREATE statement without its semicolon:
	// pg_get_functiondef for functions and procedures, and for aggregates
	// (which have no deparser) CREATE AGGREGATE built from pg_aggregate.
	Definition string `json:"definition"`
	Comment    string `json:"comment,omitempty"`
}

// Key returns the function's key in Model.Functions: name(args).
func (f *Function) Key() string { return FunctionKey(f.Name, f.Args) }

// ID returns the function's ObjectID.
func (f *Function) ID() ObjectID {
	return ObjectID{Kind: KindFunction, Schema: f.Name.Schema, Name: f.Name.Name, Sub: f.Args}
}

// FunctionKey returns the key of a function in Model.Functions.
func FunctionKey(name QName, args string) string { return name.String() + "(" + args + ")" }

// Trigger is a table (or view) trigger, including constraint triggers;
// internal triggers (foreign keys) and clones on partitions are not.
type Trigger struct {
	Table QName  `json:"table"`
	Name  string `json:"name"`
	// Definition is pg_get_triggerdef(oid, true), a complete CREATE TRIGGER.
	Definition string `json:"definition"`
	// Enabled is pg_trigger.tgenabled: O (origin, the default), D
	// (disabled), R (replica), A (always).
	Enabled string `json:"enabled"`
	Comment string `json:"comment,omitempty"`
}

// Key returns the trigger's key in Model.Triggers.
func (t *Trigger) Key() string { return TriggerKey(t.Table, t.Name) }

// ID returns the trigger's ObjectID.
func (t *Trigger) ID() ObjectID {
	return ObjectID{Kind: KindTrigger, Schema: t.Table.Schema, Name: t.Table.Name, Sub: t.Name}
}

// TriggerKey returns the key of a trigger in Model.Triggers.
func TriggerKey(table QName, name string) string { return table.String() + "." + QuoteIdent(name) }

// Rule is a rewrite rule (CREATE RULE) on a table or view; a view's
// _RETURN rule is the view itself.
type Rule struct {
	Table QName  `json:"table"`
	Name  string `json:"name"`
	// Definition is pg_get_ruledef(oid) without its semicolon, a complete
	// CREATE RULE.
	Definition string `json:"definition"`
	// Enabled is pg_rewrite.ev_enabled, as Trigger.Enabled.
	Enabled string `json:"enabled"`
	Comment string `json:"comment,omitempty"`
}

// Key returns the rule's key in Model.Rules.
func (r *Rule) Key() string { return TriggerKey(r.Table, r.Name) }

// ID returns the rule's ObjectID.
func (r *Rule) ID() ObjectID {
	return ObjectID{Kind: KindRule, Schema: r.Table.Schema, Name: r.Table.Name, Sub: r.Name}
}

// EventTrigger is an event trigger. Event triggers are database-wide; the
// model holds those whose function is in a managed schema, so the schemas
// a project manages decide which it owns.
type EventTrigger struct {
	Name     string   `json:"name"`
	Event    string   `json:"event"`
	Function QName    `json:"function"`
	Tags     []string `json:"tags,omitempty"` // WHEN TAG IN (…), sorted
	Enabled  string   `json:"enabled"`        // as Trigger.Enabled
	Comment  string   `json:"comment,omitempty"`
}

// ID returns the event trigger's ObjectID.
func (e *EventTrigger) ID() ObjectID { return ObjectID{Kind: KindEventTrigger, Name: e.Name} }

// SortedFunctions returns the functions ordered by key.
func (m *Model) SortedFunctions() []*Function {
	return sortedByKey(m.Functions)
}

// SortedTriggers returns the triggers ordered by table, then name.
func (m *Model) SortedTriggers() []*Trigger {
	out := make([]*Trigger, 0, len(m.Triggers))
	for _, t := range m.Triggers {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table.Less(out[j].Table)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// SortedRules returns the rules ordered by table, then name.
func (m *Model) SortedRules() []*Rule {
	out := make([]*Rule, 0, len(m.Rules))
	for _, r := range m.Rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Table != out[j].Table {
			return out[i].Table.Less(out[j].Table)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// SortedEventTriggers returns the event triggers ordered by name.
func (m *Model) SortedEventTriggers() []*EventTrigger {
	return sortedByKey(m.EventTriggers)
}

func sortedByKey[T any](m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
