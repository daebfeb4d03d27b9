package engine_test

import (
	"testing"
	"time"

	"scs/jsonl"
)

// FuzzApply feeds decoded event lines to Check and Apply: whatever the line,
// nothing panics, and an event that passes Check is applied.
func FuzzApply(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","citizen":"c","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e1","citizen":"c","rule":"volunteer-service","quantity":1e12,"at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e1","citizen":"c","rule":"other-commercial","points":-50,"at":"9999-12-31T23:59:59Z"}`,
		`{"id":"e1","citizen":"c","rule":"drunk-driving","at":"1900-01-01T00:00:00Z"}`,
	} {
		f.Add(s, s)
	}
	e := newEngine(f)
	f.Fuzz(func(t *testing.T, a, b string) {
		st := e.NewState("c")
		for _, line := range []string{a, b} {
			ev, err := jsonl.Decode([]byte(line))
			if err != nil {
				continue
			}
			if e.Check(&ev) != nil {
				continue
			}
			before := st.LastAt
			if _, err := e.Apply(&st, &ev); err != nil && (st.Events == 0 || !ev.At.Before(before)) {
				t.Fatalf("checked event rejected: %v", err)
			}
			_ = e.Standing(&st, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		}
	})
}
