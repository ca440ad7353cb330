package fakerc

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// tbLike is the part of testing.TB the fake uses. A *testing.T (New)
// satisfies it, and so does standaloneTB (Start), so both run the same code.
type tbLike interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

var (
	_ tbLike = testing.TB(nil)
	_ tbLike = (*standaloneTB)(nil)
)

// Start starts a fake server on 127.0.0.1 outside of a test, for demos
// and manual experiments. The caller must call Close, which shuts the
// server down and removes its temporary directories (git repositories).
//
// Where a server from New fails the test (AddUser with a name that
// exists, SeedRepo when git fails...), a server from Start panics with a
// *FatalError describing the problem; Do turns it into an error.
func Start(opts ...Option) (*Server, error) {
	st := &standaloneTB{}
	var s *Server
	if err := Do(func() { s = newServer(st, opts...) }); err != nil {
		st.runCleanups()
		return nil, err
	}
	return s, nil
}

// Do runs f, which calls methods of a server from Start, and returns the
// *FatalError such a server panics with where a test would fail; other
// panics go on.
func Do(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			fe, ok := r.(*FatalError)
			if !ok {
				panic(r)
			}
			err = fe
		}
	}()
	f()
	return nil
}

// FatalError is the panic value of a server from Start where a server
// from New would have failed the test.
type FatalError struct{ Msg string }

func (e *FatalError) Error() string { return e.Msg }

// standaloneTB imitates testing.TB for Start: Fatal panics with a
// *FatalError, TempDir and Cleanup are collected and undone by Close.
type standaloneTB struct {
	mu       sync.Mutex
	cleanups []func()
}

func (*standaloneTB) Helper() {}

func (*standaloneTB) Fatal(args ...any) {
	panic(&FatalError{Msg: fmt.Sprint(args...)})
}

func (*standaloneTB) Fatalf(format string, args ...any) {
	panic(&FatalError{Msg: fmt.Sprintf(format, args...)})
}

// TempDir creates a directory that Close removes.
func (st *standaloneTB) TempDir() string {
	dir, err := os.MkdirTemp("", "fakerc-")
	if err != nil {
		st.Fatalf("fakerc: TempDir: %v", err)
	}
	st.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// Cleanup registers f to run on Close; it may be called from handlers.
func (st *standaloneTB) Cleanup(f func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.cleanups = append(st.cleanups, f)
}

// runCleanups runs the registered functions once, last registered first,
// like testing.T. Close is registered too (by newServer); calling it from
// here finds the list empty and returns.
func (st *standaloneTB) runCleanups() {
	st.mu.Lock()
	fs := st.cleanups
	st.cleanups = nil
	st.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
