package diff

import (
	"strconv"
	"strings"

	"github.com/pg-flux/pg-flux/internal/model"
)

// compareRoutines adds the changes of functions, triggers, rules and event
// triggers.
func compareRoutines(live, desired *model.Model, add func(Op, model.ObjectID, []string)) {
	compareKeyed(live.Functions, desired.Functions, (*model.Function).ID, add, FunctionDetails)
	compareKeyed(live.Triggers, desired.Triggers, (*model.Trigger).ID, add, TriggerDetails)
	compareKeyed(live.Rules, desired.Rules, (*model.Rule).ID, add, RuleDetails)
	compareKeyed(live.EventTriggers, desired.EventTriggers, (*model.EventTrigger).ID, add, EventTriggerDetails)
	compareKeyed(live.Operators, desired.Operators, (*model.Operator).ID, add, OperatorDetails)
	compareKeyed(live.OpFamilies, desired.OpFamilies, (*model.OpFamily).ID, add, OpFamilyDetails)
	compareKeyed(live.OpClasses, desired.OpClasses, (*model.OpClass).ID, add, OpClassDetails)
}

// OpClassDetails lists how an operator class differs; nil when it does not.
func OpClassDetails(l, d *model.OpClass) []string {
	return details(
		attr("type", l.Type, d.Type),
		attr("storage", l.Storage, d.Storage),
		attr("default", strconv.FormatBool(l.Default), strconv.FormatBool(d.Default)),
		attr("family", l.Family, d.Family),
		attr("members", strings.Join(l.Members, ", "), strings.Join(d.Members, ", ")),
		attr("comment", l.Comment, d.Comment),
	)
}

// OpFamilyDetails lists how an operator family differs; nil when it does not.
func OpFamilyDetails(l, d *model.OpFamily) []string {
	return details(
		attr("implicit", strconv.FormatBool(l.Implicit), strconv.FormatBool(d.Implicit)),
		attr("members", strings.Join(l.Members, ", "), strings.Join(d.Members, ", ")),
		attr("comment", l.Comment, d.Comment),
	)
}

// OperatorDetails lists how an operator differs; nil when it does not.
func OperatorDetails(l, d *model.Operator) []string {
	return details(
		attr("function", l.Function, d.Function),
		attr("commutator", l.Commutator, d.Commutator),
		attr("negator", l.Negator, d.Negator),
		attr("restrict", l.Restrict, d.Restrict),
		attr("join", l.Join, d.Join),
		attr("hashes", strconv.FormatBool(l.Hashes), strconv.FormatBool(d.Hashes)),
		attr("merges", strconv.FormatBool(l.Merges), strconv.FormatBool(d.Merges)),
		attr("comment", l.Comment, d.Comment),
	)
}

// FunctionDetails lists how a function, procedure or aggregate differs;
// nil when it does not.
func FunctionDetails(l, d *model.Function) []string {
	def := ""
	if l.Definition != d.Definition {
		def = attr("definition", oneLine(l.Definition), oneLine(d.Definition))
		if def == "" {
			def = "definition: layout differs"
		}
	}
	return details(
		attr("kind", routineKind(l.Kind), routineKind(d.Kind)),
		attr("result", l.Result, d.Result),
		attr("arguments", l.Arguments, d.Arguments),
		def,
		attr("comment", l.Comment, d.Comment),
	)
}

// TriggerDetails lists how a trigger differs; nil when it does not.
func TriggerDetails(l, d *model.Trigger) []string {
	return details(
		attr("definition", l.Definition, d.Definition),
		attr("enabled", TriggerEnabled(l.Enabled), TriggerEnabled(d.Enabled)),
		attr("comment", l.Comment, d.Comment),
	)
}

// RuleDetails lists how a rewrite rule differs; nil when it does not.
func RuleDetails(l, d *model.Rule) []string {
	return details(
		attr("definition", l.Definition, d.Definition),
		attr("enabled", TriggerEnabled(l.Enabled), TriggerEnabled(d.Enabled)),
		attr("comment", l.Comment, d.Comment),
	)
}

// EventTriggerDetails lists how an event trigger differs; nil when it does not.
func EventTriggerDetails(l, d *model.EventTrigger) []string {
	return details(
		attr("event", l.Event, d.Event),
		attr("function", l.Function.String(), d.Function.String()),
		attr("tags", quoteList(l.Tags), quoteList(d.Tags)),
		attr("enabled", TriggerEnabled(l.Enabled), TriggerEnabled(d.Enabled)),
		attr("comment", l.Comment, d.Comment),
	)
}

// TriggerEnabled spells a tgenabled/evtenabled state the way ALTER … ENABLE
// does: "enable", "disable", "enable replica", "enable always".
func TriggerEnabled(state string) string {
	switch state {
	case "D":
		return "disable"
	case "R":
		return "enable replica"
	case "A":
		return "enable always"
	}
	return "enable"
}

func routineKind(k string) string {
	switch k {
	case model.RoutineProcedure:
		return "procedure"
	case model.RoutineAggregate:
		return "aggregate"
	case model.RoutineWindow:
		return "window function"
	}
	return "function"
}

// compareKeyed is compareMap for kinds keyed by a string.
func compareKeyed[T any](live, desired map[string]T, id func(T) model.ObjectID, add func(Op, model.ObjectID, []string), alter func(l, d T) []string) {
	for k, l := range live {
		if _, ok := desired[k]; !ok {
			add(Drop, id(l), nil)
		}
	}
	for k, d := range desired {
		l, ok := live[k]
		if !ok {
			add(Create, id(d), nil)
			continue
		}
		if dd := alter(l, d); dd != nil {
			add(Alter, id(d), dd)
		}
	}
}

// CastDetails lists how a cast differs; nil when it does not.
func CastDetails(l, d *model.Cast) []string {
	return details(
		attr("function", l.Function, d.Function),
		attr("method", l.Method, d.Method),
		attr("context", CastContext(l.Context), CastContext(d.Context)),
		attr("comment", l.Comment, d.Comment),
	)
}

// CastContext spells a cast's context as CREATE CAST ends: "" (explicit
// only), "AS ASSIGNMENT", "AS IMPLICIT".
func CastContext(c string) string {
	switch c {
	case model.CastAssignment:
		return "AS ASSIGNMENT"
	case model.CastImplicit:
		return "AS IMPLICIT"
	}
	return ""
}
