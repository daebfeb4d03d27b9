package jsonl

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// oracle decodes a line with encoding/json, strictly, into the raw field
// values the fast parser produces.
func oracle(b []byte) (fields, bool) {
	var w struct {
		ID, Citizen, Rule, At, Department, Evidence, Conduct *string
		Quantity, Points                                     json.RawMessage
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if d.Decode(&w) != nil {
		return fields{}, false
	}
	var f fields
	for k, v := range []*string{w.ID, w.Citizen, w.Rule, w.At, nil, nil, w.Department, w.Evidence, w.Conduct} {
		if v != nil {
			f.str[k], f.has = *v, f.has|1<<k
		}
	}
	for k, raw := range map[int]json.RawMessage{fQuantity: w.Quantity, fPoints: w.Points} {
		if s := string(raw); raw != nil && s != "null" {
			f.str[k], f.has = s, f.has|1<<k
		}
	}
	return f, true
}

// FuzzParseAgreesWithEncodingJSON checks that the fast parser accepts only
// what encoding/json accepts, with the same values.
func FuzzParseAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}`,
		`{"id":"e\u00e9\n","citizen":"c","rule":"r","at":"x","quantity":-1.5e3,"points":null,"department":"d","evidence":"\ud83d\ude00"}`,
		` { "id" : "a" , "quantity" : 0 } `,
		`{"id":"\xff"}`,
		`{}`,
		`{"id":"e1","citizen":"c","conduct":"repaid-on-time","at":"2024-03-01T09:00:00+08:00","quantity":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast fields
		if fast.parse(b) != nil {
			return
		}
		want, ok := oracle(b)
		if !ok {
			t.Fatalf("fast parser accepted %q, encoding/json rejects it", b)
		}
		// encoding/json matches keys case-insensitively; the fast parser
		// only exactly, so it may see fewer fields, never other values.
		if fast.has != want.has && !strings.ContainsAny(string(b), "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\") {
			t.Fatalf("%q: fields %b, encoding/json %b", b, fast.has, want.has)
		}
		for k := range nFields {
			if fast.has&(1<<k) != 0 && fast.str[k] != want.str[k] {
				t.Fatalf("%q: field %s = %q, encoding/json %q", b, fieldNames[k], fast.str[k], want.str[k])
			}
		}
	})
}
