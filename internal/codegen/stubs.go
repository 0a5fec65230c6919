package codegen

import "errors"

func genTS(*Spec, Output) ([]File, error)     { return nil, errors.New("not implemented") }
func genPython(*Spec, Output) ([]File, error) { return nil, errors.New("not implemented") }
func genRust(*Spec, Output) ([]File, error)   { return nil, errors.New("not implemented") }
