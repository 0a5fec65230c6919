//go:build !linux || !cgo

package main

func returnFreedCMemory() {}

func cMallocFree() uint64 { return 0 }
