package shadow

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
)

// The desired-model cache stores a model with every exported field,
// including those the canonical JSON leaves out (dependencies, storage
// details), so a cached model is the model Desired returned, not its
// canonical form. encoding/gob cannot be used: model names marshal to text
// one way only. The encoding follows the Go types field by field;
// typeFingerprint, part of the cache key, changes with them.

var errCorrupt = errors.New("corrupt cache entry")

// encoder writes what decoder reads. Given a writer, it hands its bytes
// on whenever it holds encodeChunk of them: a cache entry of megabytes
// goes to its file without ever being held whole, nor copied as a buffer
// that grows by doubling.
type encoder struct {
	b   []byte
	w   io.Writer // nil: everything stays in b
	err error     // w's first error; nothing is written after it
	// fields are the exported field indexes of each struct type met.
	fields map[reflect.Type][]int
	// levels are the maps being encoded, outermost first, depth of them.
	levels []*mapLevel
	depth  int
}

// mapLevel is what the encoder reuses for the maps it meets at one depth.
type mapLevel struct {
	it   reflect.MapIter
	held map[reflect.Type][2]reflect.Value // a key and an element, by map type
}

// streamTo returns an encoder that writes to w a chunk at a time.
func streamTo(w io.Writer) encoder {
	return encoder{w: w, b: make([]byte, 0, 2*encodeChunk)}
}

// encodeChunk is how much an encoder with a writer holds before it writes.
const encodeChunk = 64 << 10

// encodeValue appends v's encoding to b.
func encodeValue(b []byte, v reflect.Value) []byte {
	e := encoder{b: b}
	e.value(v)
	return e.b
}

// spill writes what the encoder holds once it is a chunk.
func (e *encoder) spill() {
	if e.w != nil && len(e.b) >= encodeChunk {
		e.flush()
	}
}

// flush writes what the encoder holds, and returns w's first error.
func (e *encoder) flush() error {
	if e.w != nil {
		if e.err == nil && len(e.b) > 0 {
			_, e.err = e.w.Write(e.b)
		}
		e.b = e.b[:0]
	}
	return e.err
}

// raw appends data as it is.
func (e *encoder) raw(data []byte) {
	e.b = append(e.b, data...)
	e.spill()
}

func (e *encoder) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			e.b = append(e.b, 1)
		} else {
			e.b = append(e.b, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = binary.AppendVarint(e.b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		e.b = binary.AppendUvarint(e.b, v.Uint())
	case reflect.Float32, reflect.Float64:
		e.b = binary.AppendUvarint(e.b, math.Float64bits(v.Float()))
	case reflect.String:
		e.b = binary.AppendUvarint(e.b, uint64(v.Len()))
		e.b = append(e.b, v.String()...)
	case reflect.Pointer:
		if v.IsNil() {
			e.b = append(e.b, 0)
			return
		}
		e.b = append(e.b, 1)
		e.value(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			e.b = append(e.b, 0)
			return
		}
		e.b = binary.AppendUvarint(e.b, uint64(v.Len())+1)
		for i := 0; i < v.Len(); i++ {
			e.value(v.Index(i))
			e.spill()
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			e.value(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			e.b = append(e.b, 0)
			return
		}
		e.b = binary.AppendUvarint(e.b, uint64(v.Len())+1)
		if v.Len() == 0 {
			return
		}
		// The iterator, a key and an element are reused, per depth of
		// maps within maps: one of each per map, or a copy of each key
		// and element, would be garbage.
		if e.depth == len(e.levels) {
			e.levels = append(e.levels, &mapLevel{held: map[reflect.Type][2]reflect.Value{}})
		}
		l := e.levels[e.depth]
		e.depth++
		t := v.Type()
		h, ok := l.held[t]
		if !ok {
			h = [2]reflect.Value{reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()}
			l.held[t] = h
		}
		l.it.Reset(v)
		for l.it.Next() {
			h[0].SetIterKey(&l.it)
			h[1].SetIterValue(&l.it)
			e.value(h[0])
			e.value(h[1])
			e.spill()
		}
		l.it.Reset(reflect.Value{})
		e.depth--
	case reflect.Struct:
		if e.fields == nil {
			e.fields = map[reflect.Type][]int{}
		}
		for _, i := range exportedFields(e.fields, v.Type()) {
			e.value(v.Field(i))
		}
	default:
		panic("shadow: cannot encode " + v.Type().String())
	}
}

// decoder reads what encoder wrote.
type decoder struct {
	b []byte
	// fields are the exported field indexes of each struct type met.
	fields map[reflect.Type][]int
}

func newDecoder(b []byte) *decoder {
	return &decoder{b: b, fields: map[reflect.Type][]int{}}
}

func (d *decoder) uvarint() (uint64, error) {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errCorrupt
	}
	d.b = d.b[n:]
	return x, nil
}

func (d *decoder) value(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Bool:
		if len(d.b) == 0 {
			return errCorrupt
		}
		v.SetBool(d.b[0] == 1)
		d.b = d.b[1:]
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x, n := binary.Varint(d.b)
		if n <= 0 {
			return errCorrupt
		}
		d.b = d.b[n:]
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetUint(x)
	case reflect.Float32, reflect.Float64:
		x, err := d.uvarint()
		if err != nil {
			return err
		}
		v.SetFloat(math.Float64frombits(x))
	case reflect.String:
		n, err := d.uvarint()
		if err != nil || n > uint64(len(d.b)) {
			return errCorrupt
		}
		v.SetString(string(d.b[:n]))
		d.b = d.b[n:]
	case reflect.Pointer:
		if len(d.b) == 0 {
			return errCorrupt
		}
		set := d.b[0]
		d.b = d.b[1:]
		if set == 0 {
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := d.value(p.Elem()); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		n, err := d.uvarint()
		if err != nil || n > uint64(len(d.b))+1 {
			return errCorrupt
		}
		if n == 0 {
			return nil
		}
		s := reflect.MakeSlice(v.Type(), int(n-1), int(n-1))
		for i := 0; i < int(n-1); i++ {
			if err := d.value(s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := d.value(v.Index(i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		n, err := d.uvarint()
		if err != nil || n > uint64(len(d.b))+1 {
			return errCorrupt
		}
		if n == 0 {
			return nil
		}
		t := v.Type()
		m := reflect.MakeMapWithSize(t, int(n-1))
		// SetMapIndex copies the key and the element: one of each serves.
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for i := 0; i < int(n-1); i++ {
			k.SetZero()
			if err := d.value(k); err != nil {
				return err
			}
			e.SetZero()
			if err := d.value(e); err != nil {
				return err
			}
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		for _, i := range exportedFields(d.fields, v.Type()) {
			if err := d.value(v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("shadow: cannot decode %s", v.Type())
	}
	return nil
}

// exportedFields returns the indexes of t's exported fields, the fields
// encoded, looked up once per type in seen: a model of thousands of
// objects has few types.
func exportedFields(seen map[reflect.Type][]int, t reflect.Type) []int {
	fields, ok := seen[t]
	if !ok {
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				fields = append(fields, i)
			}
		}
		seen[t] = fields
	}
	return fields
}

// typeFingerprint hashes the shape of t (field names and types, all the
// way down), so that a cache entry written by a build with other types is
// never decoded.
func typeFingerprint(t reflect.Type) string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		b.WriteString(t.String())
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			b.WriteString("[")
			walk(t.Elem())
			b.WriteString("]")
		case reflect.Map:
			b.WriteString("[")
			walk(t.Key())
			b.WriteString("]")
			walk(t.Elem())
		case reflect.Struct:
			b.WriteString("{")
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() {
					b.WriteString(f.Name + " ")
					walk(f.Type)
					b.WriteString(";")
				}
			}
			b.WriteString("}")
		}
	}
	walk(t)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
