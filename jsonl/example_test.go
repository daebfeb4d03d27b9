package jsonl_test

import (
	"context"
	"fmt"
	"io"
	"strings"

	"scs/jsonl"
)

// Read events one line at a time; a bad line is an error naming its line.
func ExampleDecoder() {
	in := `{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}
{"id":"e2","citizen":"c-17","rule":"charitable-donation","at":"2024-04-01T09:00:00+08:00","quantity":500}
{"id":"e3","citizen":"c-17","rule":"tax-evasion"}
`
	d := jsonl.NewDecoder(strings.NewReader(in))
	for {
		ev, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(ev.ID, ev.Rule, ev.At.UTC().Format("2006-01-02 15:04"), ev.Quantity)
	}
	// Output:
	// e1 tax-evasion 2024-03-01 01:00 0
	// e2 charitable-donation 2024-04-01 01:00 500
	// error: line 3: at: missing; want an RFC 3339 time such as 2024-03-01T09:00:00+08:00
}

// Write an event as one JSON line.
func ExampleAppend() {
	ev, _ := jsonl.Decode([]byte(`{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T01:00:00Z"}`))
	fmt.Printf("%s\n", jsonl.Append(nil, &ev))
	// Output:
	// {"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T01:00:00Z"}
}

// DecodeParallel decodes on several cores and hands the items back in
// input order.
func ExampleDecodeParallel() {
	var in strings.Builder
	for i := range 5 {
		fmt.Fprintf(&in, `{"id":"e%d","citizen":"c-%d","rule":"tax-evasion","at":"2024-03-01T09:00:00Z"}`+"\n", i, i%2)
	}
	err := jsonl.DecodeParallel(context.Background(), strings.NewReader(in.String()), 4, func(items []jsonl.Item) error {
		for _, it := range items {
			fmt.Println(it.Line, it.Event.ID, it.Event.Citizen, it.Err)
		}
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 e0 c-0 <nil>
	// 2 e1 c-1 <nil>
	// 3 e2 c-0 <nil>
	// 4 e3 c-1 <nil>
	// 5 e4 c-0 <nil>
	// <nil>
}
