package catalog

import "github.com/jackc/pgx/v5"

// interner gives one copy of each short string an inspection reads. Names
// and types recur across the catalog's rows (a table's name in each of its
// columns, constraints and dependencies; "public", "text", "id" in every
// table), and each row scanned is a new copy: sharing them makes a large
// model a good part smaller, and a command holds several models at once.
type interner map[string]string

// maxInterned bounds the strings interned: definitions and comments are
// rarely repeated and would only grow the map.
const maxInterned = 64

// intern returns the kept copy of s. A nil interner (a query built
// outside an inspection, as tests do) keeps nothing.
func (in interner) intern(s string) string {
	if s == "" || len(s) > maxInterned || in == nil {
		return s
	}
	if x, ok := in[s]; ok {
		return x
	}
	in[s] = s
	return s
}

// internedRows are rows whose scanned strings are interned.
type internedRows struct {
	pgx.Rows
	strs interner
}

func (r *internedRows) Scan(dest ...any) error {
	if err := r.Rows.Scan(dest...); err != nil {
		return err
	}
	for _, d := range dest {
		switch d := d.(type) {
		case *string:
			*d = r.strs.intern(*d)
		case *[]string:
			for i, s := range *d {
				(*d)[i] = r.strs.intern(s)
			}
		}
	}
	return nil
}
