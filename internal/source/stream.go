package source

import (
	"context"
	"sync"
)

// Stream is a source being parsed: its statements in order as they are
// parsed and checked (Next), then the whole set (Wait). The parser's side
// calls Add and then End once.
type Stream struct {
	mu    sync.Mutex
	stmts []Statement
	more  chan struct{} // closed, and replaced, when statements come or the parse ends
	ended chan struct{}
	set   *Set
	err   error
}

// NewStream returns a stream with nothing parsed yet.
func NewStream() *Stream {
	return &Stream{more: make(chan struct{}), ended: make(chan struct{})}
}

// Add appends statements the parse has checked.
func (s *Stream) Add(stmts []Statement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stmts = append(s.stmts, stmts...)
	close(s.more)
	s.more = make(chan struct{})
}

// End ends the parse with its result.
func (s *Stream) End(set *Set, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set, s.err = set, err
	close(s.ended)
	close(s.more)
}

// Next returns the statements after the first n, waiting until there are
// some; more is false when the parse has ended and there are none (or ctx
// is done).
func (s *Stream) Next(ctx context.Context, n int) (stmts []Statement, more bool) {
	for {
		s.mu.Lock()
		got, more, ended := s.stmts[min(n, len(s.stmts)):], s.more, s.ended
		s.mu.Unlock()
		if len(got) > 0 {
			return got, true
		}
		select {
		case <-ended:
			return nil, false
		case <-ctx.Done():
			return nil, false
		case <-more:
		}
	}
}

// Wait returns the parse's result once it has ended.
func (s *Stream) Wait() (*Set, error) {
	<-s.ended
	return s.set, s.err
}

// inOrder hands the runs of statements of files parsed concurrently to
// each in file order: a file's runs wait until every file before it is
// done.
type inOrder struct {
	each     func([]Statement)
	mu       sync.Mutex
	next     int             // the file whose runs go to each at once
	held     [][][]Statement // the runs of files after it
	finished []bool
}

func newInOrder(files int, each func([]Statement)) *inOrder {
	return &inOrder{each: each, held: make([][][]Statement, files), finished: make([]bool, files)}
}

// of returns what takes file i's runs: nil when there is no each.
func (o *inOrder) of(i int) func([]Statement) {
	if o.each == nil {
		return nil
	}
	return func(run []Statement) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if i == o.next {
			o.each(run)
			return
		}
		o.held[i] = append(o.held[i], run)
	}
}

// done records that file i is parsed and hands on what waited for it.
func (o *inOrder) done(i int) {
	if o.each == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[i] = true
	for o.next < len(o.finished) && o.finished[o.next] {
		o.next++
		if o.next < len(o.held) {
			for _, run := range o.held[o.next] {
				o.each(run)
			}
			o.held[o.next] = nil
		}
	}
}
