// Package jsonl reads and writes events as JSON lines, one object a line:
//
//	{"id":"e1","citizen":"c-17","rule":"tax-evasion","at":"2024-03-01T09:00:00+08:00"}
//
// with optional "quantity" (a number, for per-unit and tiered rules),
// "points" (a whole number, for range rules), "department" and "evidence".
// It is the format of `scs score`, `scs simulate --events`, `scs import` and
// `scs export`.
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"scs"
)

// MaxLine is the longest line the decoder accepts, in bytes.
const MaxLine = 64 << 10

// MaxID is the longest id, citizen id, rule id or department, in bytes.
const MaxID = 128

// MaxEvidence is the longest evidence text, in bytes.
const MaxEvidence = 4096

type wire struct {
	ID         *string      `json:"id"`
	Citizen    *string      `json:"citizen"`
	Rule       *string      `json:"rule"`
	At         *string      `json:"at"`
	Quantity   *json.Number `json:"quantity"`
	Points     *json.Number `json:"points"`
	Department *string      `json:"department"`
	Evidence   *string      `json:"evidence"`
}

// LineError is a fault in one line of input: the line number (from 1), the
// field at fault ("" for the line as a whole) and what is wrong.
type LineError struct {
	Line    int
	Field   string
	Message string
}

// Error renders "line N: field: message".
func (e *LineError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message)
}

// Unwrap presents the error as an scs.EINVALID error.
func (e *LineError) Unwrap() error { return &scs.Error{Code: scs.EINVALID, Message: e.Error()} }

// Decoder reads events from JSON lines. Blank lines are skipped.
type Decoder struct {
	s    *bufio.Scanner
	line int
	done bool
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 256<<10), MaxLine)
	return &Decoder{s: s}
}

// Line returns the number of the line last read.
func (d *Decoder) Line() int { return d.line }

// Next returns the next event. At the end of input it returns io.EOF. A bad
// line gives a *LineError; the decoder then goes on with the next line. A
// read error from the underlying reader is returned as is, and a line longer
// than MaxLine as a *LineError; either ends decoding (Next then returns io.EOF).
func (d *Decoder) Next() (scs.Event, error) {
	if d.done {
		return scs.Event{}, io.EOF
	}
	for d.s.Scan() {
		d.line++
		b := bytes.TrimSpace(d.s.Bytes())
		if len(b) == 0 {
			continue
		}
		ev, err := Decode(b)
		if err != nil {
			var le *LineError
			if errors.As(err, &le) {
				le.Line = d.line
			}
			return scs.Event{}, err
		}
		return ev, nil
	}
	d.done = true
	if err := d.s.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			d.line++
			return scs.Event{}, &LineError{Line: d.line, Message: fmt.Sprintf("line longer than %d bytes; decoding stopped", MaxLine)}
		}
		return scs.Event{}, err
	}
	return scs.Event{}, io.EOF
}

// Decode decodes one JSON object into an event. Unknown fields, missing
// required fields (id, citizen, rule, at), a time without a zone offset, a
// non-finite or non-numeric quantity and fractional points are errors,
// returned as *LineError with Line 0.
func Decode(b []byte) (scs.Event, error) {
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&w); err != nil {
		return scs.Event{}, jsonError(err)
	}
	if dec.More() {
		return scs.Event{}, &LineError{Message: "more than one JSON value on the line"}
	}
	var ev scs.Event
	var err error
	if ev.ID, err = ident("id", w.ID, true); err != nil {
		return ev, err
	}
	if ev.Citizen, err = ident("citizen", w.Citizen, true); err != nil {
		return ev, err
	}
	if ev.Rule, err = ident("rule", w.Rule, true); err != nil {
		return ev, err
	}
	if ev.Department, err = ident("department", w.Department, false); err != nil {
		return ev, err
	}
	if w.At == nil || *w.At == "" {
		return ev, &LineError{Field: "at", Message: "missing; want an RFC 3339 time such as 2024-03-01T09:00:00+08:00"}
	}
	if ev.At, err = ParseTime(*w.At); err != nil {
		return ev, &LineError{Field: "at", Message: err.Error()}
	}
	if w.Quantity != nil {
		q, err := strconv.ParseFloat(string(*w.Quantity), 64)
		if err != nil || math.IsInf(q, 0) || math.IsNaN(q) {
			return ev, &LineError{Field: "quantity", Message: fmt.Sprintf("%s is not a finite number", *w.Quantity)}
		}
		if q < 0 {
			return ev, &LineError{Field: "quantity", Message: fmt.Sprintf("%s is negative", *w.Quantity)}
		}
		ev.Quantity, ev.HasQuantity = q, true
	}
	if w.Points != nil {
		p, err := strconv.ParseInt(string(*w.Points), 10, 64)
		if err != nil || p < -1_000_000_000 || p > 1_000_000_000 {
			return ev, &LineError{Field: "points", Message: fmt.Sprintf("%s is not a whole number of points (at most 1e9 either way)", *w.Points)}
		}
		ev.Points, ev.HasPoints = p, true
	}
	if w.Evidence != nil {
		if len(*w.Evidence) > MaxEvidence {
			return ev, &LineError{Field: "evidence", Message: fmt.Sprintf("%d bytes; the limit is %d", len(*w.Evidence), MaxEvidence)}
		}
		ev.Evidence = *w.Evidence
	}
	return ev, nil
}

// ParseTime parses an RFC 3339 time with a zone offset and returns it in UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time with a zone offset, such as 2024-03-01T09:00:00+08:00", s)
	}
	if y := t.Year(); y < 1900 || y > 9999 {
		return time.Time{}, fmt.Errorf("%q: the year must be from 1900 to 9999", s)
	}
	return t.UTC(), nil
}

func ident(field string, v *string, required bool) (string, error) {
	if v == nil || *v == "" {
		if required {
			return "", &LineError{Field: field, Message: "missing"}
		}
		return "", nil
	}
	s := *v
	if len(s) > MaxID {
		return "", &LineError{Field: field, Message: fmt.Sprintf("%d bytes; the limit is %d", len(s), MaxID)}
	}
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) || strings.TrimSpace(s) != s {
		return "", &LineError{Field: field, Message: fmt.Sprintf("%q has control characters or surrounding spaces", s)}
	}
	return s, nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		f := te.Field
		if f == "" {
			return &LineError{Message: fmt.Sprintf("want a JSON object, got %s", te.Value)}
		}
		return &LineError{Field: f, Message: fmt.Sprintf("want a %s, got a JSON %s", kind(te.Type.String()), te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &LineError{Message: fmt.Sprintf("not valid JSON at byte %d: %v", se.Offset, err)}
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return &LineError{Field: strings.Trim(f, `"`), Message: "unknown field (known: id, citizen, rule, at, quantity, points, department, evidence)"}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &LineError{Message: "incomplete JSON object"}
	}
	return &LineError{Message: strings.TrimPrefix(msg, "json: ")}
}

func kind(t string) string {
	switch t {
	case "string", "*string":
		return "string"
	case "json.Number", "*json.Number":
		return "number"
	}
	return t
}

// Append appends ev as one JSON line (with the trailing newline) to dst.
// Times are written in UTC. Decode(Append(nil, ev)) gives ev back.
func Append(dst []byte, ev *scs.Event) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, ev.ID)
	dst = append(dst, `,"citizen":`...)
	dst = appendString(dst, ev.Citizen)
	dst = append(dst, `,"rule":`...)
	dst = appendString(dst, ev.Rule)
	dst = append(dst, `,"at":"`...)
	dst = ev.At.UTC().AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	if ev.HasQuantity {
		dst = append(dst, `,"quantity":`...)
		dst = strconv.AppendFloat(dst, ev.Quantity, 'g', -1, 64)
	}
	if ev.HasPoints {
		dst = append(dst, `,"points":`...)
		dst = strconv.AppendInt(dst, ev.Points, 10)
	}
	if ev.Department != "" {
		dst = append(dst, `,"department":`...)
		dst = appendString(dst, ev.Department)
	}
	if ev.Evidence != "" {
		dst = append(dst, `,"evidence":`...)
		dst = appendString(dst, ev.Evidence)
	}
	return append(dst, "}\n"...)
}

func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
