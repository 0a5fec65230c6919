package catalog

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pg-flux/pg-flux/internal/model"
)

// functionsQuery reads functions, procedures and aggregates, except those
// of extensions and those PostgreSQL makes itself for another object (the
// constructors of a range type: an internal dependency).
// pg_get_functiondef gives a complete CREATE OR REPLACE statement for
// functions and procedures but fails on aggregates, which have no
// deparser: their CREATE AGGREGATE is assembled from pg_aggregate, naming
// each option only where it differs from CREATE AGGREGATE's default, so
// equal aggregates read the same whatever options the source spelled out.
var functionsQuery = `
SELECT n.nspname, p.proname, ` + functionIdentityArgs + `, p.prokind::text,
       coalesce(pg_get_function_arguments(p.oid), ''),
       CASE WHEN p.prokind = 'p' THEN '' ELSE coalesce(pg_get_function_result(p.oid), '') END,
       CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) ELSE
         'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) ||
         '(' || CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END || ') (' ||
         concat_ws(', ',
           'SFUNC = ' || a.aggtransfn::regproc::text,
           'STYPE = ' || format_type(a.aggtranstype, NULL),
           CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END,
           CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regproc::text END,
           CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
           CASE WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END
                THEN 'FINALFUNC_MODIFY = ' || CASE a.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
           CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text END,
           CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regproc::text END,
           CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text END,
           CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(a.agginitval) END,
           CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regproc::text END,
           CASE WHEN a.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::regproc::text END,
           CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(a.aggmtranstype, NULL) END,
           CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END,
           CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text END,
           CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
           CASE WHEN a.aggmfinalfn <> 0 AND a.aggmfinalmodify <> CASE WHEN a.aggkind = 'n' THEN 'r' ELSE 'w' END
                THEN 'MFINALFUNC_MODIFY = ' || CASE a.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE' ELSE 'READ_WRITE' END END,
           CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(a.aggminitval) END,
           CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = OPERATOR(' || quote_ident(opn.nspname) || '.' || op.oprname || ')' END,
           CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END,
           CASE WHEN a.aggkind = 'h' THEN 'HYPOTHETICAL' END
         ) || ')'
       END,
       coalesce(obj_description(p.oid, 'pg_proc'), ''),
       coalesce(p.proargnames, '{}'), coalesce(p.proargmodes::text[], '{}')
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
LEFT JOIN pg_operator op ON op.oid = a.aggsortop
LEFT JOIN pg_namespace opn ON opn.oid = op.oprnamespace
WHERE n.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
ORDER BY 1, 2, 3`

// triggersQuery reads user triggers: internal ones (foreign keys,
// deferred unique checks) belong to their constraint, and clones on
// partitions (tgparentid) to the trigger of the partitioned table.
const triggersQuery = `
SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid, true), t.tgenabled::text,
       coalesce(obj_description(t.oid, 'pg_trigger'), '')
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND NOT t.tgisinternal AND t.tgparentid = 0
  AND ` + notExtensionMember + `
ORDER BY 1, 2, 3`

// rulesQuery reads rewrite rules on tables and views; a view's _RETURN
// rule is the view. pg_get_ruledef ends with a semicolon, which the model
// leaves out.
const rulesQuery = `
SELECT n.nspname, c.relname, r.rulename, rtrim(pg_get_ruledef(r.oid), ';'), r.ev_enabled::text,
       coalesce(obj_description(r.oid, 'pg_rewrite'), '')
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1) AND r.rulename <> '_RETURN'
  AND ` + notExtensionMember + `
ORDER BY 1, 2, 3`

// eventTriggersQuery reads the event triggers whose function is in a
// managed schema: event triggers are database-wide, and one that calls a
// function the project does not manage is not the project's either.
const eventTriggersQuery = `
SELECT e.evtname, e.evtevent, fn.nspname, p.proname,
       coalesce(ARRAY(SELECT x FROM unnest(e.evttags) x ORDER BY x), '{}'),
       e.evtenabled::text,
       coalesce(obj_description(e.oid, 'pg_event_trigger'), '')
FROM pg_event_trigger e
JOIN pg_proc p ON p.oid = e.evtfoid
JOIN pg_namespace fn ON fn.oid = p.pronamespace
WHERE fn.nspname = ANY($1)
  AND NOT EXISTS (SELECT 1 FROM pg_depend x
                  WHERE x.classid = 'pg_event_trigger'::regclass AND x.objid = e.oid AND x.deptype = 'e')
ORDER BY 1`

func (r *reader) function(rows pgx.Rows) error {
	f := &model.Function{}
	var names, modes []string
	if err := rows.Scan(&f.Name.Schema, &f.Name.Name, &f.Args, &f.Kind, &f.Arguments, &f.Result, &f.Definition, &f.Comment,
		&names, &modes); err != nil {
		return err
	}
	// pg_get_functiondef ends in a newline; the statement ends at the body.
	f.Definition = strings.TrimRight(f.Definition, " \n")
	requoteArguments(f, names, modes)
	r.m.Functions[f.Key()] = f
	return nil
}

func (r *reader) trigger(rows pgx.Rows) error {
	t := &model.Trigger{}
	if err := rows.Scan(&t.Table.Schema, &t.Table.Name, &t.Name, &t.Definition, &t.Enabled, &t.Comment); err != nil {
		return err
	}
	r.m.Triggers[t.Key()] = t
	return nil
}

func (r *reader) rule(rows pgx.Rows) error {
	ru := &model.Rule{}
	if err := rows.Scan(&ru.Table.Schema, &ru.Table.Name, &ru.Name, &ru.Definition, &ru.Enabled, &ru.Comment); err != nil {
		return err
	}
	r.m.Rules[ru.Key()] = ru
	return nil
}

func (r *reader) eventTrigger(rows pgx.Rows) error {
	e := &model.EventTrigger{}
	if err := rows.Scan(&e.Name, &e.Event, &e.Function.Schema, &e.Function.Name, &e.Tags, &e.Enabled, &e.Comment); err != nil {
		return err
	}
	if len(e.Tags) == 0 {
		e.Tags = nil
	}
	r.m.EventTriggers[e.Name] = e
	return nil
}

// functionIdentityArgs is pg_get_function_identity_arguments(p.oid) with the
// argument names quoted as model.QuoteIdent quotes them. PostgreSQL quotes
// only its own keywords, so a server before 16 prints an argument named
// json bare, which newer grammars (and the parser reading source files)
// reject. The list is rebuilt only for functions with such a name; the
// rest, and aggregates (whose lists may hold ORDER BY), keep PostgreSQL's
// text.
var functionIdentityArgs = `CASE WHEN p.proargnames && ` + reservedWordsArray + ` AND p.prokind <> 'a' THEN
  (SELECT string_agg(CASE a.m WHEN 'o' THEN 'OUT ' WHEN 'b' THEN 'INOUT ' WHEN 'v' THEN 'VARIADIC '
                       ELSE CASE WHEN p.prokind = 'p' THEN 'IN ' ELSE '' END END
                     || CASE WHEN coalesce(a.n, '') = '' THEN ''
                             WHEN a.n = ANY(` + reservedWordsArray + `) THEN '"' || a.n || '" '
                             ELSE quote_ident(a.n) || ' ' END
                     || format_type(a.t, NULL), ', ' ORDER BY a.i)
   FROM unnest(coalesce(p.proallargtypes, p.proargtypes::oid[]), p.proargnames, p.proargmodes::text[])
        WITH ORDINALITY a(t, n, m, i)
   WHERE a.m IS DISTINCT FROM 't')
ELSE pg_get_function_identity_arguments(p.oid) END`

// reservedWordsArray is model.ReservedWords as an SQL text[] literal; each
// element is quoted, or the word null would be a NULL.
var reservedWordsArray = `'{"` + strings.Join(model.ReservedWords(), `","`) + `"}'::text[]`

// requoteArguments quotes, in the argument list, the result's TABLE columns
// and the definition, the argument names an older server printed bare (see
// functionIdentityArgs). names and modes are pg_proc.proargnames and
// proargmodes.
func requoteArguments(f *model.Function, names, modes []string) {
	if f.Kind == model.RoutineAggregate || len(names) == 0 {
		return
	}
	var inArgs, tableArgs []string
	for i, n := range names {
		if i < len(modes) && modes[i] == "t" {
			tableArgs = append(tableArgs, n)
		} else {
			inArgs = append(inArgs, n)
		}
	}
	if args := requoteArgList(f.Arguments, inArgs); args != f.Arguments {
		f.Definition = strings.Replace(f.Definition, "("+f.Arguments+")", "("+args+")", 1)
		f.Arguments = args
	}
	if inner, ok := strings.CutPrefix(f.Result, "TABLE("); ok && len(tableArgs) > 0 {
		inner = strings.TrimSuffix(inner, ")")
		if cols := requoteArgList(inner, tableArgs); cols != inner {
			result := "TABLE(" + cols + ")"
			f.Definition = strings.Replace(f.Definition, "RETURNS "+f.Result, "RETURNS "+result, 1)
			f.Result = result
		}
	}
}

// requoteArgList rewrites a printed argument list ("a integer, OUT b
// text DEFAULT …") whose arguments are named names, one a position (""
// for unnamed), quoting each bare name model.QuoteIdent would quote. A
// list that does not split into as many arguments is left as it is.
func requoteArgList(list string, names []string) string {
	items := splitArgList(list)
	if len(items) != len(names) {
		return list
	}
	changed := false
	for i, item := range items {
		name := names[i]
		if name == "" || model.QuoteIdent(name) == name {
			continue
		}
		mode := ""
		for _, m := range []string{"IN ", "OUT ", "INOUT ", "VARIADIC "} {
			if strings.HasPrefix(item, m) {
				mode = m
				break
			}
		}
		if rest, ok := strings.CutPrefix(item[len(mode):], name+" "); ok {
			items[i] = mode + model.QuoteIdent(name) + " " + rest
			changed = true
		}
	}
	if !changed {
		return list
	}
	return strings.Join(items, ", ")
}

// splitArgList splits a printed argument list at the commas between
// arguments: not inside quotes, parentheses or brackets.
func splitArgList(list string) []string {
	var items []string
	depth, start := 0, 0
	var quote byte
	for i := 0; i < len(list); i++ {
		c := list[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote reopens at the next byte
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(' || c == '[':
			depth++
		case c == ')' || c == ']':
			depth--
		case c == ',' && depth == 0 && strings.HasPrefix(list[i:], ", "):
			items = append(items, list[start:i])
			start = i + 2
			i++
		}
	}
	if list != "" {
		items = append(items, list[start:])
	}
	return items
}

// castsQuery reads the casts whose source type, target type or function
// is in a managed schema, except those of PostgreSQL (oid below
// FirstNormalObjectId), of extensions, and those PostgreSQL makes for
// another object (a range type's casts to its multirange: an internal
// dependency).
var castsQuery = `
SELECT format_type(c.castsource, NULL), format_type(c.casttarget, NULL),
       CASE WHEN c.castmethod = 'f' THEN c.castfunc::regprocedure::text ELSE '' END,
       c.castmethod::text, c.castcontext::text,
       coalesce(obj_description(c.oid, 'pg_cast'), ''),
       CASE WHEN pn.nspname = ANY($1) THEN pn.nspname ELSE '' END, coalesce(p.proname, ''),
       CASE WHEN pn.nspname = ANY($1) THEN ` + functionIdentityArgs + ` ELSE '' END
FROM pg_cast c
JOIN pg_type st ON st.oid = c.castsource
JOIN pg_namespace sn ON sn.oid = st.typnamespace
JOIN pg_type tt ON tt.oid = c.casttarget
JOIN pg_namespace tn ON tn.oid = tt.typnamespace
LEFT JOIN pg_proc p ON p.oid = c.castfunc
LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE c.oid >= 16384
  AND (sn.nspname = ANY($1) OR tn.nspname = ANY($1) OR pn.nspname = ANY($1))
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_cast'::regclass
                  AND e.objid = c.oid AND e.deptype IN ('e', 'i'))
ORDER BY 1, 2`

func (r *reader) cast(rows pgx.Rows) error {
	c := &model.Cast{}
	var fn model.QName
	var args string
	if err := rows.Scan(&c.Source, &c.Target, &c.Function, &c.Method, &c.Context, &c.Comment, &fn.Schema, &fn.Name, &args); err != nil {
		return err
	}
	if fn.Schema != "" {
		c.FunctionKey = model.FunctionKey(fn, args)
	}
	r.m.Casts[c.Key()] = c
	return nil
}
