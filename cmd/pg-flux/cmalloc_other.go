//go:build !linux || !cgo

package main

// returnFreedCMemory is a no-op without cgo or off Linux, where pg-flux
// does not tune the C allocator.
func returnFreedCMemory() {}
