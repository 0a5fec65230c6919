package source

import (
	"bytes"
	"encoding/gob"
	"fmt"
)

// A parsed Set is cached between commands (see the CLI's pipeline): on a
// large source the parse costs as much as reading live's catalog. The
// encoding carries what Files.Parse derived that the exported fields do
// not show: the hash, the qualified names, and the parser errors kept for
// CheckMajor.
type wireSet struct {
	Dir        string
	Files      []string
	Statements []wireStatement
	Hints      []Hint
	Hash       string
	Names      []Name
}

type wireStatement struct {
	Statement
	ParseErr *Error
}

// Encode returns the set in the form DecodeSet reads.
func (s *Set) Encode() ([]byte, error) {
	w := wireSet{Dir: s.Dir, Files: s.Files, Hints: s.Hints, Hash: s.Hash(), Names: s.QualifiedNames()}
	for _, st := range s.Statements {
		w.Statements = append(w.Statements, wireStatement{Statement: st, ParseErr: st.parseErr})
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(&w); err != nil {
		return nil, fmt.Errorf("encode the parsed source: %w", err)
	}
	return b.Bytes(), nil
}

// DecodeSet reads a set written by Encode.
func DecodeSet(data []byte) (*Set, error) {
	var w wireSet
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(&w); err != nil {
		return nil, fmt.Errorf("decode the parsed source: %w", err)
	}
	s := &Set{Dir: w.Dir, Files: w.Files, Hints: w.Hints, hash: w.Hash, names: make(map[Name]bool, len(w.Names))}
	for _, ws := range w.Statements {
		st := ws.Statement
		st.parseErr = ws.ParseErr
		s.Statements = append(s.Statements, st)
	}
	for _, n := range w.Names {
		s.names[n] = true
	}
	return s, nil
}
