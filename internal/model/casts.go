package model

import "sort"

// KindCast is a user-defined cast; its ObjectID has no schema and is named
// "source AS target".
const KindCast Kind = "cast"

// Cast methods (pg_cast.castmethod) and contexts (castcontext).
const (
	CastFunction   = "f"
	CastInOut      = "i"
	CastBinary     = "b"
	CastExplicit   = "e"
	CastAssignment = "a"
	CastImplicit   = "i"
)

// Cast is a cast between two types (CREATE CAST). Casts are database-wide;
// those read are the ones not made by PostgreSQL or an extension whose
// source type, target type or function lives in a managed schema.
type Cast struct {
	// Source and Target are format_type of the two types, qualified.
	Source string `json:"source"`
	Target string `json:"target"`
	// Function is the cast function as regprocedure spells it
	// (public.color(text)); "" unless Method is CastFunction.
	Function string `json:"function,omitempty"`
	Method   string `json:"method"`
	Context  string `json:"context"`
	Comment  string `json:"comment,omitempty"`
	// FunctionKey is the function's key in Model.Functions ("" for none or
	// one not managed): the plan drops the cast before the function.
	FunctionKey string `json:"-"`
}

// Key returns the cast's key in Model.Casts: "source AS target".
func (c *Cast) Key() string { return c.Source + " AS " + c.Target }

// ID returns the cast's ObjectID.
func (c *Cast) ID() ObjectID { return ObjectID{Kind: KindCast, Name: c.Key()} }

// SortedCasts returns the casts ordered by key.
func (m *Model) SortedCasts() []*Cast {
	out := make([]*Cast, 0, len(m.Casts))
	for _, c := range m.Casts {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
