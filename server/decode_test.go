package server

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"scs"
)

func TestDecodeBadInput(t *testing.T) {
	type dec func([]byte) error
	record := func(b []byte) error { _, err := DecodeRecord(b); return err }
	batch := func(b []byte) error { _, err := DecodeBatch(b, 3); return err }
	citizen := func(b []byte) error { _, err := DecodeCitizen(b, time.Now()); return err }
	consent := func(b []byte) error { _, err := DecodeConsent(b); return err }
	objection := func(b []byte) error { _, err := DecodeObjection(b); return err }
	decision := func(b []byte) error { _, _, err := DecodeDecision(b); return err }
	account := func(b []byte) error { _, err := DecodeAccount(b); return err }
	const at = `"at":"2024-03-01T09:00:00+08:00"`
	tests := []struct {
		name  string
		dec   dec
		body  string
		field string // the field the error must name
		words string // a part of the message
	}{
		{"record unknown field", record, `{"id":"r1","citizen":"c1","rule":"x",` + at + `,"colour":"red"}`, "colour", "unknown field"},
		{"record missing id", record, `{"citizen":"c1","rule":"x",` + at + `}`, "id", "missing"},
		{"record missing citizen", record, `{"id":"r1","rule":"x",` + at + `}`, "citizen", "missing"},
		{"record missing at", record, `{"id":"r1","citizen":"c1","rule":"x"}`, "at", "missing"},
		{"record bad time", record, `{"id":"r1","citizen":"c1","rule":"x","at":"yesterday"}`, "at", "RFC 3339"},
		{"record time without zone", record, `{"id":"r1","citizen":"c1","rule":"x","at":"2024-03-01T09:00:00"}`, "at", "RFC 3339"},
		{"record negative quantity", record, `{"id":"r1","citizen":"c1","rule":"x",` + at + `,"quantity":-1}`, "quantity", "negative"},
		{"record quantity a string", record, `{"id":"r1","citizen":"c1","rule":"x",` + at + `,"quantity":"three"}`, "quantity", ""},
		{"record fractional points", record, `{"id":"r1","citizen":"c1","rule":"x",` + at + `,"points":1.5}`, "points", "whole"},
		{"record not an object", record, `[1,2]`, "", "JSON object"},
		{"record bad JSON", record, `{"id":`, "", ""},
		{"batch missing records", batch, `{}`, "records", "missing"},
		{"batch empty", batch, `{"records":[]}`, "records", "empty"},
		{"batch over the limit", batch, `{"records":[{},{},{},{}]}`, "records", "limit"},
		{"batch bad record", batch, `{"records":[{"id":"r1","citizen":"c1","rule":"x",` + at + `},{"id":"r2","citizen":"c1","rule":"x","at":"bad"}]}`, "records[1].at", "RFC 3339"},
		{"batch duplicate id", batch, `{"records":[{"id":"r1","citizen":"c1","rule":"x",` + at + `},{"id":"r1","citizen":"c2","rule":"x",` + at + `}]}`, "records[1].id", "records[0]"},
		{"batch unknown field", batch, `{"records":[],"extra":1}`, "extra", "unknown field"},
		{"batch records not a list", batch, `{"records":{}}`, "records", "list"},
		{"batch trailing data", batch, `{"records":[]} {}`, "", "more than one"},
		{"citizen missing name", citizen, `{"id":"c1","neighbourhood":"n1","birth_year":1980}`, "name", "missing"},
		{"citizen missing birth year", citizen, `{"id":"c1","name":"A","neighbourhood":"n1"}`, "birth_year", "missing"},
		{"citizen bad birth year", citizen, `{"id":"c1","name":"A","neighbourhood":"n1","birth_year":12}`, "birth_year", "1900"},
		{"citizen id with spaces", citizen, `{"id":" c1","name":"A","neighbourhood":"n1","birth_year":1980}`, "id", "spaces"},
		{"citizen unknown field", citizen, `{"id":"c1","name":"A","neighbourhood":"n1","birth_year":1980,"score":1000}`, "score", "unknown field"},
		{"consent missing", consent, `{}`, "consent", "missing"},
		{"consent a string", consent, `{"consent":"yes"}`, "consent", "true or false"},
		{"objection missing record", objection, `{"reason":"not me"}`, "record", "missing"},
		{"objection missing reason", objection, `{"record":"r1","reason":"  "}`, "reason", "missing"},
		{"objection reason too long", objection, `{"record":"r1","reason":"` + strings.Repeat("a", scs.MaxReason+1) + `"}`, "reason", "limit"},
		{"decision unknown", decision, `{"decision":"maybe","reason":"x"}`, "decision", "uphold"},
		{"decision missing reason", decision, `{"decision":"reject"}`, "reason", "missing"},
		{"account bad role", account, `{"name":"x","role":"king"}`, "role", "king"},
		{"account citizen without citizen", account, `{"name":"x","role":"citizen"}`, "citizen", "missing"},
		{"account official without department", account, `{"name":"x","role":"official"}`, "department", "missing"},
		{"account reviewer with department", account, `{"name":"x","role":"reviewer","department":"tax"}`, "department", "only an official"},
		{"empty body", record, ``, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.dec([]byte(tt.body))
			if err == nil {
				t.Fatalf("no error for %s", tt.body)
			}
			if c := scs.ErrorCode(err); c != scs.EINVALID {
				t.Errorf("code = %q, want invalid (%v)", c, err)
			}
			var fe *scs.Error
			if !errors.As(err, &fe) {
				t.Fatalf("%v is not a *scs.Error", err)
			}
			if f := scs.ErrorField(err); f != tt.field {
				t.Errorf("field = %q, want %q (%v)", f, tt.field, err)
			}
			if !strings.Contains(fe.Message, tt.words) {
				t.Errorf("message %q does not say %q", fe.Message, tt.words)
			}
		})
	}
}

func TestDecodeGood(t *testing.T) {
	evs, err := DecodeBatch([]byte(`{"records":[{"id":"r1","citizen":"c1","rule":"x","at":"2024-03-01T09:00:00+08:00","quantity":2.5},{"id":"r2","citizen":"c2","rule":"y","at":"2024-03-02T00:00:00Z","points":-5,"department":"tax","evidence":"file 7"}]}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Quantity != 2.5 || !evs[0].HasQuantity || evs[0].At.Hour() != 1 ||
		!evs[1].HasPoints || evs[1].Points != -5 || evs[1].Department != "tax" || evs[1].Evidence != "file 7" {
		t.Errorf("got %+v", evs)
	}
	c, err := DecodeCitizen([]byte(`{"id":"c9","name":"Li Wei","neighbourhood":"east","birth_year":1984,"consent":true}`), time.Now())
	if err != nil || c.ID != "c9" || c.Name != "Li Wei" || c.BirthYear != 1984 || !c.Consent {
		t.Errorf("citizen %+v, %v", c, err)
	}
	up, reason, err := DecodeDecision([]byte(`{"decision":"uphold","reason":"the record names another person"}`))
	if err != nil || !up || reason != "the record names another person" {
		t.Errorf("decision %v %q %v", up, reason, err)
	}
	a, err := DecodeAccount([]byte(`{"name":"tax office","role":"official","department":"tax"}`))
	if err != nil || a.Role != scs.RoleOfficial || a.Department != "tax" {
		t.Errorf("account %+v %v", a, err)
	}
}

// fuzzDecoder checks that a decoder never panics and that every error it
// returns is an invalid-input error.
func fuzzDecoder(f *testing.F, seeds []string, dec func([]byte) error) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		err := dec(b)
		if err != nil && strings.HasPrefix(err.Error(), "fast path") || strings.HasPrefix(fmt.Sprint(err), "Decode") {
			t.Fatal(err)
		}
		if err != nil && scs.ErrorCode(err) != scs.EINVALID {
			t.Fatalf("error %v has code %q, want invalid", err, scs.ErrorCode(err))
		}
	})
}

var recordSeeds = []string{
	`{"id":"r1","citizen":"c1","rule":"x","at":"2024-03-01T09:00:00+08:00"}`,
	`{"id":"r1","citizen":"c1","rule":"x","at":"2024-03-01T09:00:00+08:00","quantity":1e400}`,
	`{"id":"r1","citizen":"c1","rule":"x","at":"2024-03-01T09:00:00+08:00","points":-3,"evidence":"\u0000"}`,
	`{"id":null}`, `[]`, `""`, `{`, `{"id":"a","id":"b"}`,
}

func FuzzDecodeRecord(f *testing.F) {
	fuzzDecoder(f, recordSeeds, func(b []byte) error { _, err := DecodeRecord(b); return err })
}

func FuzzDecodeBatch(f *testing.F) {
	var seeds []string
	for _, s := range recordSeeds {
		seeds = append(seeds, `{"records":[`+s+`]}`)
	}
	seeds = append(seeds, `{"records":null}`, `{"records":[1]}`, `{}`, string(batchOf(3)),
		`{"records":[{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","quantity":1.5e2,"points":-3,"department":"","evidence":"é"}]}`,
		` { "records" : [ { "id" : "a" , "citizen":"c","rule":"r","at":"2024-03-01T09:00:00+08:00" } ] } `,
		`{"records":[{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","ID":"b"}]}`,
		`{"records":[{"id":"a","citizen":"c","rule":"r","at":"2024-03-01T09:00:00Z","quantity":-0}]}`)
	fuzzDecoder(f, seeds, func(b []byte) error {
		// The fast path must agree with the general one wherever it answers.
		if fast, ok := fastBatch(b, 100); ok {
			slow, err := decodeBatch(b, 100)
			if err != nil || !reflect.DeepEqual(fast, slow) {
				return fmt.Errorf("fast path gives %+v; general path %+v, %v", fast, slow, err)
			}
		}
		_, err := DecodeBatch(b, 100)
		return err
	})
}

func FuzzDecodeCitizen(f *testing.F) {
	fuzzDecoder(f, []string{`{"id":"c1","name":"A","neighbourhood":"n","birth_year":1980}`, `{"birth_year":1e99}`, `{"birth_year":"1980"}`, `{"name":"\ud800"}`},
		func(b []byte) error { _, err := DecodeCitizen(b, time.Now()); return err })
}

func FuzzDecodeConsent(f *testing.F) {
	fuzzDecoder(f, []string{`{"consent":true}`, `{"consent":null}`, `true`},
		func(b []byte) error { _, err := DecodeConsent(b); return err })
}

func FuzzDecodeObjection(f *testing.F) {
	fuzzDecoder(f, []string{`{"record":"r1","reason":"not me"}`, `{"record":1}`, `{"reason":"\n\t"}`},
		func(b []byte) error { _, err := DecodeObjection(b); return err })
}

func FuzzDecodeDecision(f *testing.F) {
	fuzzDecoder(f, []string{`{"decision":"uphold","reason":"x"}`, `{"decision":"reject","reason":""}`, `{"decision":true}`},
		func(b []byte) error { _, _, err := DecodeDecision(b); return err })
}

func FuzzDecodeAccount(f *testing.F) {
	fuzzDecoder(f, []string{`{"name":"a","role":"admin"}`, `{"name":"a","role":"citizen","citizen":"c1"}`, `{"role":["x"]}`},
		func(b []byte) error { _, err := DecodeAccount(b); return err })
}

// FuzzQuery checks the query parameters' parsers: a day, a time and a page.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"2024-03-01", "2024-03-01T09:00:00+08:00", "0000-01-01", "2024-02-30", "", "x", "limit=5&cursor=c-1", "at=2024-01-01T00:00:00Z"} {
		f.Add(s)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := &Server{opts: Options{PageLimit: 50, MaxPageLimit: 1000}, now: time.Now}
	f.Fuzz(func(t *testing.T, v string) {
		if d, err := parseDay("day", v, loc); err == nil {
			if d.Hour() != 0 || d.Minute() != 0 || d.Location() != loc {
				t.Fatalf("day %q gives %v, not a midnight in %v", v, d, loc)
			}
		} else if scs.ErrorCode(err) != scs.EINVALID {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "/?"+url.QueryEscape("x")+"=1", nil)
		r.URL.RawQuery = v
		if p, err := s.parsePage(r); err == nil && (p.Limit < 1 || p.Limit > 1000) {
			t.Fatalf("limit %d from %q", p.Limit, v)
		} else if err != nil && scs.ErrorCode(err) != scs.EINVALID {
			t.Fatal(err)
		}
		if _, err := s.parseAt(r); err != nil && scs.ErrorCode(err) != scs.EINVALID {
			t.Fatal(err)
		}
	})
}
