package jsonl_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"scs"
	"scs/jsonl"
)

func TestDecode(t *testing.T) {
	ev, err := jsonl.Decode([]byte(`{"id":"e1","citizen":"c-17","rule":"other-commercial","at":"2024-03-01T09:00:00+08:00","points":-25,"quantity":1.5,"department":"credit-office","evidence":"case 7"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := scs.Event{ID: "e1", Citizen: "c-17", Rule: "other-commercial", At: time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC),
		Points: -25, HasPoints: true, Quantity: 1.5, HasQuantity: true, Department: "credit-office", Evidence: "case 7"}
	if !reflect.DeepEqual(ev, want) {
		t.Fatalf("got %+v\nwant %+v", ev, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct{ line, field, msg string }{
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00+08:00","color":1}`, "color", "unknown field"},
		{`{"citizen":"c","rule":"r","at":"2024-03-01T09:00:00+08:00"}`, "id", "missing"},
		{`{"id":"e1","rule":"r","at":"2024-03-01T09:00:00+08:00"}`, "citizen", "missing"},
		{`{"id":"e1","citizen":"c","at":"2024-03-01T09:00:00+08:00"}`, "rule", "missing"},
		{`{"id":"e1","citizen":"c","rule":"r"}`, "at", "missing"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01 09:00"}`, "at", "not an RFC 3339 time"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00"}`, "at", "not an RFC 3339 time"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"0001-03-01T09:00:00Z"}`, "at", "year must be"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","quantity":-1}`, "quantity", "negative"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","quantity":"5"}`, "quantity", "want a number"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","points":1.5}`, "points", "not a whole number"},
		{`{"id":5,"citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"}`, "id", "want a string"},
		{`{"id":"e\u0001","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"}`, "id", "control characters"},
		{`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"} {}`, "", "more than one JSON value"},
		{`{"id":"e1",`, "", "incomplete"},
		{`[1,2]`, "", "want a JSON object"},
		{`nonsense`, "", "not valid JSON"},
	}
	for _, tc := range tests {
		_, err := jsonl.Decode([]byte(tc.line))
		var le *jsonl.LineError
		if !errors.As(err, &le) {
			t.Errorf("%s: error %v, want a LineError", tc.line, err)
			continue
		}
		if le.Field != tc.field || !strings.Contains(le.Message, tc.msg) {
			t.Errorf("%s: got field %q message %q, want field %q containing %q", tc.line, le.Field, le.Message, tc.field, tc.msg)
		}
		if scs.ErrorCode(err) != scs.EINVALID {
			t.Errorf("%s: code %s, want invalid", tc.line, scs.ErrorCode(err))
		}
	}
}

func TestDecoderLines(t *testing.T) {
	in := "\n" + `{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"}` + "\n\n" + `{"id":"b"}` + "\n" + `{"id":"c","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z"}`
	d := jsonl.NewDecoder(strings.NewReader(in))
	ev, err := d.Next()
	if err != nil || ev.ID != "a" || d.Line() != 2 {
		t.Fatalf("first: %v %v line %d", ev.ID, err, d.Line())
	}
	_, err = d.Next()
	if err == nil || !strings.HasPrefix(err.Error(), "line 4: citizen: missing") {
		t.Fatalf("second: %v", err)
	}
	ev, err = d.Next()
	if err != nil || ev.ID != "c" || d.Line() != 5 {
		t.Fatalf("third: %v %v", ev.ID, err)
	}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestDecoderLongLine(t *testing.T) {
	in := `{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","evidence":"` + strings.Repeat("x", jsonl.MaxLine) + `"}` + "\n" + `{}`
	d := jsonl.NewDecoder(strings.NewReader(in))
	if _, err := d.Next(); err == nil || !strings.Contains(err.Error(), "line 1: line longer than") {
		t.Fatalf("long line: %v", err)
	}
	if _, err := d.Next(); err != io.EOF {
		t.Fatalf("after a long line: %v, want EOF", err)
	}
}

func TestAppendRoundTrip(t *testing.T) {
	evs := []scs.Event{
		{ID: "e1", Citizen: "c-1", Rule: "tax-evasion", At: time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC)},
		{ID: `we"ird<id>`, Citizen: "ç-1", Rule: "r", At: time.Date(2024, 3, 1, 1, 0, 0, 123, time.UTC), Quantity: 1e6 + 0.25, HasQuantity: true,
			Points: -7, HasPoints: true, Department: "d", Evidence: "line\nbreak \\ and \"quotes\""},
		{ID: "z", Citizen: "c", Rule: "r", At: time.Date(2024, 3, 1, 1, 0, 0, 0, time.UTC), Quantity: 0, HasQuantity: true},
	}
	for _, ev := range evs {
		line := jsonl.Append(nil, &ev)
		got, err := jsonl.Decode(line[:len(line)-1])
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if !reflect.DeepEqual(got, ev) {
			t.Errorf("round trip of %s:\ngot  %+v\nwant %+v", line, got, ev)
		}
	}
}

// FuzzDecode checks that no line makes the decoder panic, and that every
// event it accepts survives a round trip through Append.
func FuzzDecode(f *testing.F) {
	f.Add(`{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`)
	f.Add(`{"id":"e1","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","quantity":1.5e3,"points":-3,"department":"d","evidence":"x"}`)
	f.Add(`{"id":null}`)
	f.Add(`{"quantity":1e999}`)
	f.Fuzz(func(t *testing.T, line string) {
		ev, err := jsonl.Decode([]byte(line))
		if err != nil {
			return
		}
		out := jsonl.Append(nil, &ev)
		back, err := jsonl.Decode(out[:len(out)-1])
		if err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, ev) {
			t.Fatalf("round trip changed the event:\n%+v\n%+v", ev, back)
		}
	})
}

func TestDecodeConduct(t *testing.T) {
	ev, err := jsonl.Decode([]byte(`{"id":"e1","citizen":"c","conduct":"repaid-on-time","quantity":3,"at":"2024-03-01T09:00:00+08:00"}`))
	if err != nil || ev.Rule != "repaid-on-time" || ev.Quantity != 3 {
		t.Fatalf("conduct: %+v, %v", ev, err)
	}
	if line := string(jsonl.Append(nil, &ev)); !ev.ByConduct || !strings.Contains(line, `"conduct":"repaid-on-time"`) {
		t.Fatalf("an event sent by conduct is written back with the key rule: %s", line)
	}
	_, err = jsonl.Decode([]byte(`{"id":"e1","citizen":"c","conduct":" x","at":"2024-03-01T09:00:00+08:00"}`))
	var fe *jsonl.LineError
	if !errors.As(err, &fe) || fe.Field != "conduct" {
		t.Fatalf("a bad conduct id: %v, want an error naming conduct", err)
	}
	_, err = jsonl.Decode([]byte(`{"id":"e1","citizen":"c","conduct":"tax-evasion","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`))
	if err == nil || !strings.Contains(err.Error(), "conduct") || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("conduct and rule: %v", err)
	}
}
