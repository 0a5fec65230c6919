package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"reflect"
	"runtime"
	"sort"
	"testing"
)

// nastyStrings are strings whose JSON spelling has every special case:
// escapes, HTML characters, control characters, invalid UTF-8 and the
// separators U+2028 and U+2029.
var nastyStrings = []string{
	"", "a", "users", "public", "<b>&amp;</b>", "\x00\x01\x1f", "\b\f\n\r\t", "\u2028\u2029",
	"\xff\xfe not utf-8", "日本語", `"quoted"`, `back\slash`, "\x7f", "é", "a b", "CHECK (x > 0)",
}

// fill sets v, which must be settable, to random content: every exported
// field of every struct reached, nil and empty slices and maps among them,
// so that each type of the model is serialised. As in a real model, only
// fields are nil pointers, never the elements of a slice or a map.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	fillValue(r, v, depth, true)
}

func fillValue(r *rand.Rand, v reflect.Value, depth int, field bool) {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(r.Intn(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(r.Intn(5)-2) * int64(r.Intn(1000)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(r.Intn(3) * r.Intn(1000)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(r.Intn(3)) * r.Float64() * 1e6)
	case reflect.String:
		v.SetString(nastyStrings[r.Intn(len(nastyStrings))])
	case reflect.Pointer:
		if field && (depth > 4 || r.Intn(5) == 0) {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch {
		case depth > 4 || r.Intn(5) == 0:
		case r.Intn(4) == 0:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), 1+r.Intn(3), 3)
			for i := range s.Len() {
				fillValue(r, s.Index(i), depth+1, false)
			}
			v.Set(s)
		}
	case reflect.Map:
		switch {
		case depth > 4 || r.Intn(5) == 0:
		case r.Intn(4) == 0:
			v.Set(reflect.MakeMap(v.Type()))
		default:
			m := reflect.MakeMap(v.Type())
			for range 1 + r.Intn(4) {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fillValue(r, k, depth+1, false)
				fillValue(r, e, depth+1, false)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i), depth)
			}
		}
	}
}

// columnsInNameOrder is the model with each table's columns in name order,
// as the canonical serialisation writes them: what it was, Marshal of this.
func columnsInNameOrder(m *Model) *Model {
	c := *m
	c.Tables = make(map[QName]*Table, len(m.Tables))
	for k, t := range m.Tables {
		tc := *t
		tc.Columns = append([]*Column(nil), t.Columns...)
		sort.SliceStable(tc.Columns, func(i, j int) bool { return tc.Columns[i].Name < tc.Columns[j].Name })
		c.Tables[k] = &tc
	}
	return &c
}

// TestCanonicalIsMarshal: the canonical serialisation is, byte for byte,
// what encoding/json's Marshal writes for the model (migration files
// record hashes of it), for models with every type filled at random, and
// Hash is its SHA-256.
func TestCanonicalIsMarshal(t *testing.T) {
	for seed := range 300 {
		r := rand.New(rand.NewSource(int64(seed)))
		var m Model
		fill(r, reflect.ValueOf(&m).Elem(), 0)
		want, err := json.Marshal(columnsInNameOrder(&m))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Canonical(); !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Fatalf("seed %d: differs from Marshal at byte %d:\ngot  %.200s\nwant %.200s", seed, i, got[max(0, i-50):], want[max(0, i-50):])
		}
		sum := sha256.Sum256(want)
		if got, want := m.Hash(), HashPrefix+hex.EncodeToString(sum[:]); got != want {
			t.Fatalf("seed %d: Hash %s, want %s", seed, got, want)
		}
	}
}

// FuzzCanonicalString: any string, as a name, a map key and a text, is
// written as Marshal writes it.
func FuzzCanonicalString(f *testing.F) {
	for _, s := range nastyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := New()
		q := QName{Schema: s, Name: s}
		m.Tables[q] = &Table{Name: q, Comment: s, Columns: []*Column{{Name: s, Type: s}}}
		m.Functions[s] = &Function{Name: q, Args: s}
		want, err := json.Marshal(columnsInNameOrder(m))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Canonical(); !bytes.Equal(got, want) {
			t.Fatalf("%q:\ngot  %s\nwant %s", s, got, want)
		}
	})
}

// TestQNameFields: qnameOf reads QName's fields by position.
func TestQNameFields(t *testing.T) {
	q := QName{Schema: "s", Name: "n"}
	if got := qnameOf(reflect.ValueOf(q)); got != q {
		t.Fatalf("qnameOf read %+v from %+v", got, q)
	}
}

// TestHashHoldsLittle: hashing a model of thousands of tables does not
// hold its serialisation: it allocates a fraction of it (the view with
// columns in name order), where Marshal's buffer alone would be as large.
func TestHashHoldsLittle(t *testing.T) {
	m := New()
	for i := range 3000 {
		q := QName{Schema: "public", Name: fmt.Sprintf("table_%05d", i)}
		tb := &Table{Name: q, Comment: "a table of the test", Constraints: map[string]*Constraint{
			q.Name + "_pkey": {Name: q.Name + "_pkey", Type: PrimaryKey, Definition: "PRIMARY KEY (id)", Validated: true},
		}}
		for j := range 6 {
			tb.Columns = append(tb.Columns, &Column{Name: fmt.Sprintf("column_%d", 5-j), Type: "text", NotNull: j == 0})
		}
		m.Tables[q] = tb
	}
	size := len(m.Canonical())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	m.Hash()
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("a serialisation of %d bytes hashed, allocating %d", size, alloc)
	if alloc > uint64(size)/2 {
		t.Errorf("hashing %d bytes of serialisation allocated %d", size, alloc)
	}
}

// TestCanonicalEmbedding: fields of embedded structs are promoted as
// Marshal promotes them, and a type whose promoted names collide (where
// Marshal's precedence rules decide) is written by Marshal itself.
func TestCanonicalEmbedding(t *testing.T) {
	type inner struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
	}
	type promoted struct {
		inner
		C bool `json:"c"`
	}
	type tagged struct {
		inner `json:"in"`
		C     bool
	}
	type colliding struct {
		inner
		A string `json:"a"`
	}
	type viaPointer struct {
		*inner
		C bool
	}
	type recurring struct {
		*recurring
		D int
	}
	type fieldless struct {
		Hidden int `json:"-"`
	}
	for _, v := range []any{
		promoted{inner{"<x>", 2}, true},
		tagged{inner{"y", 0}, false},
		colliding{inner{"outer loses", 1}, "outer wins"},
		viaPointer{nil, true},
		viaPointer{&inner{"p", 3}, false},
		recurring{&recurring{D: 1}, 2},
		fieldless{7},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := canonicalBytes(v); !bytes.Equal(got, want) {
			t.Errorf("%T: %s, want %s", v, got, want)
		}
	}
}
