package shadow

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
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

func encodeValue(b []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			return append(b, 1)
		}
		return append(b, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.AppendVarint(b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return binary.AppendUvarint(b, v.Uint())
	case reflect.Float32, reflect.Float64:
		return binary.AppendUvarint(b, math.Float64bits(v.Float()))
	case reflect.String:
		b = binary.AppendUvarint(b, uint64(v.Len()))
		return append(b, v.String()...)
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 0)
		}
		return encodeValue(append(b, 1), v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		for i := 0; i < v.Len(); i++ {
			b = encodeValue(b, v.Index(i))
		}
		return b
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			b = encodeValue(b, v.Index(i))
		}
		return b
	case reflect.Map:
		if v.IsNil() {
			return append(b, 0)
		}
		b = binary.AppendUvarint(b, uint64(v.Len())+1)
		it := v.MapRange()
		for it.Next() {
			b = encodeValue(b, it.Key())
			b = encodeValue(b, it.Value())
		}
		return b
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				b = encodeValue(b, v.Field(i))
			}
		}
		return b
	}
	panic("shadow: cannot encode " + v.Type().String())
}

// decoder reads what encodeValue wrote. It looks each struct type's
// fields up once: a model of thousands of objects has few types.
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
		t := v.Type()
		fields, ok := d.fields[t]
		if !ok {
			for i := 0; i < t.NumField(); i++ {
				if t.Field(i).IsExported() {
					fields = append(fields, i)
				}
			}
			d.fields[t] = fields
		}
		for _, i := range fields {
			if err := d.value(v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("shadow: cannot decode %s", v.Type())
	}
	return nil
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
