package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"scs"

	"golang.org/x/sync/errgroup"
)

// Item is one decoded line: the event, or the error that line gave.
type Item struct {
	Event scs.Event
	Line  int
	Err   error
	// Key is the caller's: DecodeParallelFunc's prepare may set it (a hash,
	// say) on the decoding goroutine for fn to use.
	Key uint64
}

type batch struct {
	data  []byte
	ends  []int // end offset of each line in data
	first int   // line number of the first line
	err   error // a read error after the last line
	res   chan []Item
}

const batchLines = 2048

// DecodeParallel reads JSON lines from r, decodes them on up to workers
// goroutines, and calls fn with the items in input order, a batch at a time,
// from one goroutine. Blank lines are skipped. A line longer than MaxLine
// ends decoding with a *LineError item; a read error from r, ctx's error or
// fn's error ends it and is returned. fn must not keep the slice.
func DecodeParallel(ctx context.Context, r io.Reader, workers int, fn func([]Item) error) error {
	return DecodeParallelFunc(ctx, r, workers, nil, fn)
}

// DecodeParallelFunc is DecodeParallel with prepare, when not nil, called
// on each decoded item on the decoding goroutines (concurrently, in no
// order) before fn sees it: work that needs no order, such as checking an
// event against a scheme, runs on every core. prepare may change the item.
func DecodeParallelFunc(ctx context.Context, r io.Reader, workers int, prepare func(*Item), fn func([]Item) error) error {
	workers = max(workers, 1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *batch, workers*2)
	order := make(chan *batch, workers*4)
	// The reader is not in the group: it may be blocked in r's Read when
	// decoding ends early, and it returns at its next send.
	go readBatches(ctx, r, jobs, order)
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error {
			for {
				select {
				case b, ok := <-jobs:
					if !ok {
						return nil
					}
					b.res <- decodeBatch(b, prepare)
				case <-gctx.Done():
					return nil
				}
			}
		})
	}
	g.Go(func() error {
		for b := range order {
			var items []Item
			select {
			case items = <-b.res:
			case <-gctx.Done():
				return gctx.Err()
			}
			if len(items) > 0 {
				if err := fn(items); err != nil {
					return err
				}
			}
			if b.err != nil {
				var le *LineError
				if errors.As(b.err, &le) {
					return fn([]Item{{Line: le.Line, Err: le}})
				}
				return b.err
			}
		}
		return ctx.Err()
	})
	return g.Wait()
}

// readBatches splits r into batches of lines and sends each to order (the
// input order) and to jobs (the decoders), until r ends or ctx is done.
func readBatches(ctx context.Context, r io.Reader, jobs, order chan<- *batch) {
	defer close(jobs)
	defer close(order)
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64<<10), MaxLine)
	line := 0
	for {
		b := &batch{first: line + 1, res: make(chan []Item, 1)}
		for len(b.ends) < batchLines && s.Scan() {
			line++
			b.data = append(b.data, s.Bytes()...)
			b.ends = append(b.ends, len(b.data))
		}
		done := len(b.ends) < batchLines
		if done {
			if err := s.Err(); err != nil {
				if errors.Is(err, bufio.ErrTooLong) {
					err = &LineError{Line: line + 1, Message: fmt.Sprintf("line longer than %d bytes; decoding stopped", MaxLine)}
				}
				b.err = err
			}
		}
		select {
		case order <- b:
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- b:
		case <-ctx.Done():
			return
		}
		if done {
			return
		}
	}
}

// decodeBatch decodes a batch's lines, skipping blank ones, and calls
// prepare on each item.
func decodeBatch(b *batch, prepare func(*Item)) []Item {
	items := make([]Item, 0, len(b.ends))
	start := 0
	for i, end := range b.ends {
		text := bytes.TrimSpace(b.data[start:end])
		start = end
		if len(text) == 0 {
			continue
		}
		ev, err := Decode(text)
		if le, ok := err.(*LineError); ok {
			le.Line = b.first + i
		}
		items = append(items, Item{Event: ev, Line: b.first + i, Err: err})
		if prepare != nil {
			prepare(&items[len(items)-1])
		}
	}
	return items
}
