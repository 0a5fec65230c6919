//go:build !linux || !cgo

package main

// returnFreedCMemory is a no-op where glibc's malloc is not tuned.
func returnFreedCMemory() {}
