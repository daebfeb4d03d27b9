package jsonl_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"scs/jsonl"
)

// TestDecodeParallelMatchesSequential checks that the parallel decoder gives
// the same items, in the same order, with the same line numbers, as the
// sequential one, whatever the number of workers.
func TestDecodeParallelMatchesSequential(t *testing.T) {
	var b strings.Builder
	for i := range 10_000 {
		switch i % 97 {
		case 3:
			b.WriteString("\n")
		case 5:
			fmt.Fprintf(&b, `{"id":"e%d","citizen":"c"}`+"\n", i)
		default:
			fmt.Fprintf(&b, `{"id":"e%d","citizen":"c-%d","rule":"r","at":"2024-03-01T09:00:00Z","quantity":%d}`+"\n", i, i%13, i)
		}
	}
	in := b.String()
	type got struct {
		id   string
		line int
		err  string
	}
	var want []got
	d := jsonl.NewDecoder(strings.NewReader(in))
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		g := got{id: ev.ID, line: d.Line()}
		if err != nil {
			g.err = err.Error()
		}
		want = append(want, g)
	}
	for _, workers := range []int{1, 2, 7} {
		var have []got
		err := jsonl.DecodeParallel(context.Background(), strings.NewReader(in), workers, func(items []jsonl.Item) error {
			for _, it := range items {
				g := got{id: it.Event.ID, line: it.Line}
				if it.Err != nil {
					g.err = it.Err.Error()
				}
				have = append(have, g)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(have, want) {
			for i := range have {
				if have[i] != want[i] {
					t.Fatalf("workers=%d: item %d = %+v, sequential decoder %+v", workers, i, have[i], want[i])
				}
			}
			t.Fatalf("workers=%d: %d items, sequential decoder %d", workers, len(have), len(want))
		}
	}
}

func TestDecodeParallelStops(t *testing.T) {
	in := strings.Repeat(`{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"}`+"\n", 10_000) +
		`{"evidence":"` + strings.Repeat("x", jsonl.MaxLine) + `"}` + "\n"
	var last jsonl.Item
	n := 0
	err := jsonl.DecodeParallel(context.Background(), strings.NewReader(in), 2, func(items []jsonl.Item) error {
		n += len(items)
		last = items[len(items)-1]
		return nil
	})
	if err != nil || last.Err == nil || !strings.Contains(last.Err.Error(), "line 10001: line longer than") || n != 10_001 {
		t.Fatalf("err %v, last %+v, n %d", err, last.Err, n)
	}
	stop := errors.New("stop")
	err = jsonl.DecodeParallel(context.Background(), strings.NewReader(in), 2, func([]jsonl.Item) error { return stop })
	if err != stop {
		t.Fatalf("fn's error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = jsonl.DecodeParallel(ctx, strings.NewReader(in), 2, func([]jsonl.Item) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}
