package scs

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestValidateEvent(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	good := func() Event { return Event{ID: "r1", Citizen: "c1", Rule: "x", At: at} }
	for _, tc := range []struct {
		name  string
		mod   func(*Event)
		field string
	}{
		{"good", func(*Event) {}, ""},
		{"evidence with lines", func(e *Event) { e.Evidence = "line\nnext\ttab" }, ""},
		{"NUL in evidence", func(e *Event) { e.Evidence = "a\x00b" }, "evidence"},
		{"ESC in evidence", func(e *Event) { e.Evidence = "\x1b[31m" }, "evidence"},
		{"C1 in evidence", func(e *Event) { e.Evidence = "a\u0085" }, "evidence"},
		{"CR in evidence", func(e *Event) { e.Evidence = "a\r\nb" }, "evidence"},
		{"invalid UTF-8 in evidence", func(e *Event) { e.Evidence = "\xff" }, "evidence"},
		{"evidence too long", func(e *Event) { e.Evidence = strings.Repeat("x", MaxEvidence+1) }, "evidence"},
		{"id missing", func(e *Event) { e.ID = "" }, "id"},
		{"id too long", func(e *Event) { e.ID = strings.Repeat("x", MaxID+1) }, "id"},
		{"id with invalid UTF-8", func(e *Event) { e.ID = "u8-\xff" }, "id"},
		{"id with U+FFFD", func(e *Event) { e.ID = "u8-\uFFFD" }, "id"},
		{"id with a newline", func(e *Event) { e.ID = "a\nb" }, "id"},
		{"id with spaces", func(e *Event) { e.ID = " a" }, "id"},
		{"citizen with NUL", func(e *Event) { e.Citizen = "\x00" }, "citizen"},
		{"rule with DEL", func(e *Event) { e.Rule = "x\x7f" }, "rule"},
		{"department with NUL", func(e *Event) { e.Department = "\x00" }, "department"},
		{"time missing", func(e *Event) { e.At = time.Time{} }, "at"},
		{"offset +24:00", func(e *Event) { e.At = at.In(time.FixedZone("", 24*3600)) }, "at"},
		{"offset -14:01", func(e *Event) { e.At = at.In(time.FixedZone("", -(14*3600 + 60))) }, "at"},
		{"offset +14:00", func(e *Event) { e.At = at.In(time.FixedZone("", 14*3600)) }, ""},
		{"year 1899", func(e *Event) { e.At = time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC) }, "at"},
		{"NaN quantity", func(e *Event) { e.Quantity, e.HasQuantity = math.NaN(), true }, "quantity"},
		{"infinite quantity", func(e *Event) { e.Quantity, e.HasQuantity = math.Inf(1), true }, "quantity"},
		{"negative quantity", func(e *Event) { e.Quantity, e.HasQuantity = -1, true }, "quantity"},
		{"-0 quantity", func(e *Event) { e.Quantity, e.HasQuantity = math.Copysign(0, -1), true }, ""},
		{"points beyond the limit", func(e *Event) { e.Points, e.HasPoints = MaxPoints+1, true }, "points"},
	} {
		e := good()
		tc.mod(&e)
		err := e.Validate()
		if got := ErrorField(err); got != tc.field || (tc.field == "") != (err == nil) {
			t.Errorf("%s: %v (field %q), want field %q", tc.name, err, got, tc.field)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Errorf("%s: code %s", tc.name, ErrorCode(err))
		}
	}
}

func TestNormalizeNegativeZero(t *testing.T) {
	e := Event{Quantity: math.Copysign(0, -1), HasQuantity: true, At: time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))}
	e.Normalize()
	if math.Signbit(e.Quantity) {
		t.Error("-0 was not normalised to 0")
	}
	if e.At.Location() != time.UTC {
		t.Error("time not in UTC")
	}
}

func TestValidateCitizenAndAccount(t *testing.T) {
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	c := Citizen{ID: "c1", Name: "Li Wei", Neighbourhood: "n", BirthYear: 1990}
	if err := c.Validate(now); err != nil {
		t.Fatal(err)
	}
	for field, mod := range map[string]func(*Citizen){
		"name":          func(c *Citizen) { c.Name = "A\x00" },
		"birth_year":    func(c *Citizen) { c.BirthYear = 2025 },
		"neighbourhood": func(c *Citizen) { c.Neighbourhood = "n\xff" },
		"id":            func(c *Citizen) { c.ID = "" },
	} {
		c2 := c
		mod(&c2)
		if got := ErrorField(c2.Validate(now)); got != field {
			t.Errorf("%s: field %q", field, got)
		}
	}
	for field, a := range map[string]Account{
		"name":       {Name: strings.Repeat("x", MaxName+1), Role: RoleAdmin},
		"role":       {Name: "x", Role: "king"},
		"citizen":    {Name: "x", Role: RoleCitizen},
		"department": {Name: "x", Role: RoleReviewer, Department: "tax"},
	} {
		if got := ErrorField(a.Validate()); got != field {
			t.Errorf("account %s: field %q", field, got)
		}
	}
	if err := (&Objection{Record: "r1", Reason: "line one\nline two"}).Validate(); err != nil {
		t.Errorf("a reason on two lines: %v", err)
	}
	if got := ErrorField((&Objection{Record: "r1", Reason: "bell\x07"}).Validate()); got != "reason" {
		t.Errorf("a reason with BEL: field %q", got)
	}
}

func TestBatchError(t *testing.T) {
	err := &BatchError{Index: 3, ID: "r7", Err: FieldErrorf(EINVALID, "at", "in the future")}
	if ErrorField(err) != "records[3].at" || ErrorCode(err) != EINVALID {
		t.Errorf("field %q code %q", ErrorField(err), ErrorCode(err))
	}
	if got := ErrorMessage(err); got != `records[3] (id "r7"): at: in the future` {
		t.Errorf("message %q", got)
	}
	inner := &BatchError{List: "citizens", Index: 1, Err: errors.New("db down")}
	if ErrorMessage(inner) != "internal error" {
		t.Errorf("an internal error shows %q", ErrorMessage(inner))
	}
}

// FuzzParseTime holds ParseTime to its promise: what it accepts is in UTC,
// within the years allowed, and equal to what time.Parse reads.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2024-03-01T09:00:00+08:00", "2024-03-01T09:00:00+24:00", "1899-12-31T23:59:59Z", "2024-03-01T09:00:00.123456789-14:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTime("at", s)
		if err != nil {
			if ErrorField(err) != "at" {
				t.Fatalf("%q: error %v names no field", s, err)
			}
			return
		}
		want, perr := time.Parse(time.RFC3339Nano, s)
		if perr != nil || !want.Equal(got) || got.Location() != time.UTC {
			t.Fatalf("%q: got %v, time.Parse %v %v", s, got, want, perr)
		}
		if CheckTime("at", want) != nil {
			t.Fatalf("%q accepted but CheckTime refuses it", s)
		}
	})
}

// FuzzCheckText: what CheckText accepts is valid UTF-8 without control
// characters (but line feeds and tabs when multiline), within the limit.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"ok", "a\x00b", "\x1b[31m", "\xff", "a\nb", "\u0085"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		if CheckText("f", s, 64, false, multiline) != nil {
			return
		}
		if len(s) > 64 || !utf8.ValidString(s) {
			t.Fatalf("%q accepted", s)
		}
		for _, r := range s {
			if r < 0x20 && !(multiline && (r == '\n' || r == '\t')) || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("%q accepted with %U", s, r)
			}
		}
	})
}
