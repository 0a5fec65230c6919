package model

import (
	"bytes"
	"encoding"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The canonical serialisation is what encoding/json's Marshal writes for
// the model, byte for byte: migration files record its hash. canonicalWriter
// writes it a chunk at a time, so a hash never holds the serialisation of a
// large model (megabytes, with the copies of a buffer that grows by
// doubling), and spends less on reflection than Marshal does. It follows
// Marshal's rules for the kinds the model uses (structs with json tags and
// an embedded struct, pointers, slices, maps keyed by strings or
// encoding.TextMarshaler names, strings, booleans, integers); anything else
// it hands to Marshal itself. Table columns ([]*Column) it writes in name
// order, as Canonical defines them.
type canonicalWriter struct {
	b []byte
	w io.Writer
	// fields are each struct type's encoded fields, found once; methods
	// its marshalers.
	fields  map[reflect.Type][]jsonField
	methods map[reflect.Type]uint8
	// keys are the sorted entries of the maps being written, by depth;
	// held, by depth, a value of each key type that a map's keys are
	// read into in turn.
	keys  [][]mapEntry
	held  []map[reflect.Type]reflect.Value
	depth int
	// columns is a table's columns, put in name order.
	columns []*Column
}

// jsonField is a struct field as Marshal encodes it.
type jsonField struct {
	index     []int  // through embedded structs
	key       []byte // `"name":`
	omitEmpty bool
}

type mapEntry struct {
	key string
	val reflect.Value
}

// canonicalChunk is how much a canonicalWriter holds before it writes.
const canonicalChunk = 64 << 10

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// qnameType is the names that are most of a model's map keys and names:
// their text is written without the copies MarshalText makes.
var qnameType = reflect.TypeFor[QName]()

// qnameOf is the QName v holds, read without boxing it.
func qnameOf(v reflect.Value) QName {
	return QName{Schema: v.Field(0).String(), Name: v.Field(1).String()}
}

var jsonMarshalerType = reflect.TypeFor[json.Marshaler]()

// writeCanonical writes v's canonical serialisation to w.
func writeCanonical(w io.Writer, v any) error {
	c := &canonicalWriter{b: make([]byte, 0, 2*canonicalChunk), w: w, fields: map[reflect.Type][]jsonField{}, methods: map[reflect.Type]uint8{}}
	if err := c.value(reflect.ValueOf(v)); err != nil {
		return err
	}
	_, err := w.Write(c.b)
	return err
}

// spill writes what the writer holds once it is a chunk.
func (c *canonicalWriter) spill() error {
	if len(c.b) < canonicalChunk {
		return nil
	}
	_, err := c.w.Write(c.b)
	c.b = c.b[:0]
	return err
}

func (c *canonicalWriter) value(v reflect.Value) error {
	t := v.Type()
	if t == qnameType {
		c.b = appendJSONString(c.b, qnameOf(v).String())
		return nil
	}
	m := c.marshalers(t)
	// As Marshal, a method on the pointer serves an addressable value.
	if m&jsonOnPointer != 0 && v.CanAddr() {
		return c.marshal(v.Addr())
	}
	if m&jsonOnValue != 0 {
		return c.marshal(v)
	}
	if m&textOnPointer != 0 && v.CanAddr() {
		v, m = v.Addr(), textOnValue
	}
	if m&textOnValue != 0 {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			c.b = append(c.b, "null"...)
			return nil
		}
		text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return err
		}
		c.b = appendJSONString(c.b, text)
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		c.b = strconv.AppendBool(c.b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		c.b = strconv.AppendInt(c.b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		c.b = strconv.AppendUint(c.b, v.Uint(), 10)
	case reflect.String:
		c.b = appendJSONString(c.b, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			c.b = append(c.b, "null"...)
			return nil
		}
		return c.value(v.Elem())
	case reflect.Struct:
		return c.structValue(v)
	case reflect.Map:
		return c.mapValue(v)
	case reflect.Slice:
		if v.IsNil() {
			c.b = append(c.b, "null"...)
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			return c.marshal(v) // base64
		}
		if t == columnsType {
			return c.columnsInNameOrder(v.Interface().([]*Column))
		}
		return c.array(v)
	case reflect.Array:
		return c.array(v)
	default:
		return c.marshal(v)
	}
	return nil
}

// Which marshalers a type has, for value: on the value itself, or on a
// pointer to it (which serves an addressable value).
const (
	jsonOnValue = 1 << iota
	jsonOnPointer
	textOnValue
	textOnPointer
)

// marshalers says which marshalers t has, looked up once per type.
func (c *canonicalWriter) marshalers(t reflect.Type) uint8 {
	m, ok := c.methods[t]
	if ok {
		return m
	}
	if t.Implements(jsonMarshalerType) {
		m |= jsonOnValue
	} else if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(jsonMarshalerType) {
		m |= jsonOnPointer
	}
	if t.Implements(textMarshalerType) {
		m |= textOnValue
	} else if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textMarshalerType) {
		m |= textOnPointer
	}
	c.methods[t] = m
	return m
}

// marshal hands v to Marshal: for kinds the model does not use.
func (c *canonicalWriter) marshal(v reflect.Value) error {
	b, err := json.Marshal(v.Interface())
	c.b = append(c.b, b...)
	return err
}

var columnsType = reflect.TypeFor[[]*Column]()

// columnsInNameOrder writes a table's columns in name order: PostgreSQL
// cannot reorder columns, so their position is not structure pg-flux
// manages.
func (c *canonicalWriter) columnsInNameOrder(cols []*Column) error {
	if len(cols) == 0 {
		// Serialised from a copy, as they always were: none is null.
		c.b = append(c.b, "null"...)
		return nil
	}
	sorted := append(c.columns[:0], cols...)
	slices.SortFunc(sorted, func(a, b *Column) int { return strings.Compare(a.Name, b.Name) })
	defer func() {
		clear(sorted)
		c.columns = sorted[:0]
	}()
	c.b = append(c.b, '[')
	for i, col := range sorted {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		if err := c.value(reflect.ValueOf(col)); err != nil {
			return err
		}
	}
	c.b = append(c.b, ']')
	return c.spill()
}

func (c *canonicalWriter) array(v reflect.Value) error {
	c.b = append(c.b, '[')
	for i := range v.Len() {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		if err := c.value(v.Index(i)); err != nil {
			return err
		}
		if err := c.spill(); err != nil {
			return err
		}
	}
	c.b = append(c.b, ']')
	return nil
}

func (c *canonicalWriter) structValue(v reflect.Value) error {
	fields, ok := c.structFields(v.Type())
	if !ok {
		return c.marshal(v)
	}
	c.b = append(c.b, '{')
	first := true
	for _, f := range fields {
		fv, ok := fieldByIndex(v, f.index)
		if !ok || (f.omitEmpty && isEmptyValue(fv)) {
			continue
		}
		if !first {
			c.b = append(c.b, ',')
		}
		first = false
		c.b = append(c.b, f.key...)
		if err := c.value(fv); err != nil {
			return err
		}
	}
	c.b = append(c.b, '}')
	return nil
}

// fieldByIndex is v.FieldByIndex, false through a nil embedded pointer
// (whose fields Marshal leaves out).
func fieldByIndex(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// mapValue writes a map's entries sorted by their keys' text, as Marshal
// does.
func (c *canonicalWriter) mapValue(v reflect.Value) error {
	if v.IsNil() {
		c.b = append(c.b, "null"...)
		return nil
	}
	if c.depth == len(c.keys) {
		c.keys = append(c.keys, nil)
		c.held = append(c.held, map[reflect.Type]reflect.Value{})
	}
	entries, held := c.keys[c.depth][:0], c.held[c.depth]
	c.depth++
	defer func() {
		c.depth--
		clear(entries) // let the values go
		c.keys[c.depth] = entries[:0]
	}()
	kt := v.Type().Key()
	k, ok := held[kt]
	if !ok {
		k = reflect.New(kt).Elem()
		held[kt] = k
	}
	entries = slices.Grow(entries, v.Len())
	for it := v.MapRange(); it.Next(); {
		k.SetIterKey(it)
		text, err := mapKey(k)
		if err != nil {
			return err
		}
		entries = append(entries, mapEntry{key: text, val: it.Value()})
	}
	slices.SortFunc(entries, func(a, b mapEntry) int { return strings.Compare(a.key, b.key) })
	c.b = append(c.b, '{')
	for i, e := range entries {
		if i > 0 {
			c.b = append(c.b, ',')
		}
		c.b = appendJSONString(c.b, e.key)
		c.b = append(c.b, ':')
		if err := c.value(e.val); err != nil {
			return err
		}
		if err := c.spill(); err != nil {
			return err
		}
	}
	c.b = append(c.b, '}')
	return nil
}

// mapKey is the text of a map key, as Marshal resolves it.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if k.Type() == qnameType {
		return qnameOf(k).String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if k.Kind() == reflect.Pointer && k.IsNil() {
			return "", nil
		}
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", &json.UnsupportedTypeError{Type: k.Type()}
}

// isEmptyValue is what omitempty leaves out.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// structFields returns t's fields as Marshal encodes them: exported, named
// by their tags, with the fields of untagged embedded structs promoted in
// place; ok is false when promoted names collide or an embedding recurs,
// where Marshal's rules of precedence decide and t is left to Marshal.
func (c *canonicalWriter) structFields(t reflect.Type) (fields []jsonField, ok bool) {
	if fs, seen := c.fields[t]; seen {
		return fs, fs != nil
	}
	names := map[string]bool{}
	embedding := map[reflect.Type]bool{}
	var walk func(t reflect.Type, at []int) bool
	walk = func(t reflect.Type, at []int) bool {
		if embedding[t] {
			return false
		}
		embedding[t] = true
		defer delete(embedding, t)
		for i := range t.NumField() {
			sf := t.Field(i)
			ft := sf.Type
			if sf.Anonymous && ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if !sf.IsExported() && !(sf.Anonymous && ft.Kind() == reflect.Struct) {
				continue
			}
			tag := sf.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if !validTagName(name) {
				name = ""
			}
			index := append(slices.Clip(at), i)
			if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
				if !walk(ft, index) {
					return false
				}
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if names[name] {
				return false
			}
			names[name] = true
			key := append(appendJSONString(nil, name), ':')
			fields = append(fields, jsonField{index: index, key: key, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty")})
		}
		return true
	}
	// Cached nil means "left to Marshal"; a struct without fields is not.
	ok = walk(t, nil)
	if !ok {
		fields = nil
	} else if fields == nil {
		fields = []jsonField{}
	}
	c.fields[t] = fields
	return fields, ok
}

// validTagName is encoding/json's isValidTag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return false
		}
	}
	return true
}

// appendJSONString appends s as Marshal writes a string: quoted, with
// HTML's <, > and & escaped, control characters escaped, invalid UTF-8
// replaced, and U+2028 and U+2029 escaped.
func appendJSONString[S []byte | string](dst []byte, s S) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= ' ' && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// canonicalBytes is writeCanonical into memory.
func canonicalBytes(v any) []byte {
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		// Only unsupported types fail; the model has none.
		panic("model: canonical serialisation: " + err.Error())
	}
	return b.Bytes()
}
