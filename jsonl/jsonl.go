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
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"scs"
)

// MaxLine is the longest line the decoder accepts, in bytes.
const MaxLine = 1 << 20

// MaxID is the longest id, citizen id, rule id or department, in bytes.
const MaxID = scs.MaxID

// MaxEvidence is the longest evidence text, in bytes.
const MaxEvidence = scs.MaxEvidence

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
	s.Buffer(make([]byte, 0, 64<<10), MaxLine)
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

// Decode decodes one JSON object into an event. Unknown fields, a field
// given twice, missing required fields (id, citizen, rule, at), a time
// without a zone offset, a non-finite or negative quantity and fractional
// points are errors, returned as *LineError with Line 0. null stands for an
// absent field.
func Decode(b []byte) (scs.Event, error) {
	var ev scs.Event
	var f fields
	if err := f.parse(b); err != nil {
		return scs.Event{}, err
	}
	ev.ID, ev.Citizen, ev.Rule = f.str[fID], f.str[fCitizen], f.str[fRule]
	if f.has&(1<<fConduct) != 0 {
		if f.has&(1<<fRule) != 0 {
			return scs.Event{}, &LineError{Field: "conduct", Message: "give conduct or rule, not both (rule is the older name of the same field)"}
		}
		ev.Rule, ev.ByConduct = f.str[fConduct], true
	}
	ev.Department, ev.Evidence = f.str[fDepartment], f.str[fEvidence]
	var atErr error
	if f.has&(1<<fAt) == 0 || f.str[fAt] == "" {
		atErr = &LineError{Field: "at", Message: "missing; want an RFC 3339 time such as 2024-03-01T09:00:00+08:00"}
	} else if t, err := scs.ParseTime("at", f.str[fAt]); err != nil {
		atErr = lineErr(err)
	} else {
		ev.At = t
	}
	if atErr != nil {
		// The identifiers come first, as in Validate.
		for _, id := range [...]struct{ f, v string }{{"id", ev.ID}, {"citizen", ev.Citizen}, {ev.RuleField(), ev.Rule}} {
			if err := scs.CheckID(id.f, id.v, true); err != nil {
				return scs.Event{}, lineErr(err)
			}
		}
		return scs.Event{}, atErr
	}
	if q := f.str[fQuantity]; f.has&(1<<fQuantity) != 0 {
		v, err := strconv.ParseFloat(q, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return scs.Event{}, &LineError{Field: "quantity", Message: fmt.Sprintf("%s is not a finite number", clip(q))}
		}
		ev.Quantity, ev.HasQuantity = v, true
	}
	if p := f.str[fPoints]; f.has&(1<<fPoints) != 0 {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil || v < -scs.MaxPoints || v > scs.MaxPoints {
			return scs.Event{}, &LineError{Field: "points", Message: fmt.Sprintf("%s is not a whole number of points (at most 1e9 either way)", clip(p))}
		}
		ev.Points, ev.HasPoints = v, true
	}
	if err := ev.Validate(); err != nil {
		return scs.Event{}, lineErr(err)
	}
	ev.Normalize()
	return ev, nil
}

// The fields of an event line, in the order of fieldNames.
const (
	fID = iota
	fCitizen
	fRule
	fAt
	fQuantity
	fPoints
	fDepartment
	fEvidence
	fConduct
	nFields
)

var fieldNames = [nFields]string{"id", "citizen", "rule", "at", "quantity", "points", "department", "evidence", "conduct"}

// fields holds the raw values of one line: strings unquoted, numbers as
// their literal text. has marks the fields present and not null.
type fields struct {
	str  [nFields]string
	has  uint16
	seen uint16
}

// parse reads one flat JSON object of known fields. It is a strict subset of
// encoding/json: whatever it accepts, encoding/json decodes to the same
// values (a fuzz test checks this).
func (f *fields) parse(b []byte) error {
	i := skipSpace(b, 0)
	if i == len(b) {
		return &LineError{Message: "incomplete JSON object"}
	}
	if b[i] != '{' {
		return notObject(b, i)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return end(b, i+1)
	}
	for {
		if i >= len(b) {
			return &LineError{Message: "incomplete JSON object"}
		}
		if b[i] != '"' {
			return syntax(i)
		}
		key, j, err := scanString(b, i)
		if err == errUTF8 {
			return &LineError{Message: fmt.Sprintf("a key is not valid UTF-8 (byte %d)", i+1)}
		}
		if err != nil {
			return err
		}
		k := fieldIndex(key)
		if k < 0 {
			return &LineError{Field: key, Message: "unknown field (known: id, citizen, conduct or rule, at, quantity, points, department, evidence)"}
		}
		if f.seen&(1<<k) != 0 {
			return &LineError{Field: key, Message: "given twice"}
		}
		f.seen |= 1 << k
		i = skipSpace(b, j)
		if i >= len(b) {
			return &LineError{Message: "incomplete JSON object"}
		}
		if b[i] != ':' {
			return syntax(i)
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return &LineError{Message: "incomplete JSON object"}
		}
		numeric := k == fQuantity || k == fPoints
		switch c := b[i]; {
		case c == 'n':
			if !bytes.HasPrefix(b[i:], []byte("null")) {
				return syntax(i)
			}
			i += 4
		case c == '"' && !numeric:
			v, j, err := scanString(b, i)
			if err == errUTF8 {
				return &LineError{Field: key, Message: "not valid UTF-8"}
			}
			if err != nil {
				return err
			}
			f.str[k], f.has, i = v, f.has|1<<k, j
		case (c == '-' || c >= '0' && c <= '9') && numeric:
			j := scanNumber(b, i)
			if j < 0 {
				return syntax(i)
			}
			f.str[k], f.has, i = string(b[i:j]), f.has|1<<k, j
		default:
			return wrongType(key, b, i, numeric)
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return &LineError{Message: "incomplete JSON object"}
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return end(b, i+1)
		default:
			return syntax(i)
		}
	}
}

func fieldIndex(key string) int {
	for k, n := range fieldNames {
		if n == key {
			return k
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// end checks that nothing but space follows the object ending at i.
func end(b []byte, i int) error {
	i = skipSpace(b, i)
	if i == len(b) {
		return nil
	}
	if v := skipSpace(b, i); v < len(b) && (b[v] == '{' || b[v] == '[' || b[v] == '"' || b[v] == '-' || b[v] >= '0' && b[v] <= '9' || b[v] == 't' || b[v] == 'f' || b[v] == 'n') {
		return &LineError{Message: "more than one JSON value on the line"}
	}
	return syntax(i)
}

func syntax(i int) error {
	return &LineError{Message: fmt.Sprintf("not valid JSON at byte %d", i+1)}
}

func notObject(b []byte, i int) error {
	switch c := b[i]; {
	case c == '[':
		return &LineError{Message: "want a JSON object, got array"}
	case c == '"':
		return &LineError{Message: "want a JSON object, got string"}
	case c == '-' || c >= '0' && c <= '9':
		return &LineError{Message: "want a JSON object, got number"}
	case bytes.HasPrefix(b[i:], []byte("true")), bytes.HasPrefix(b[i:], []byte("false")):
		return &LineError{Message: "want a JSON object, got bool"}
	case bytes.HasPrefix(b[i:], []byte("null")):
		return &LineError{Message: "want a JSON object, got null"}
	}
	return syntax(i)
}

func wrongType(key string, b []byte, i int, numeric bool) error {
	want := "string"
	if numeric {
		want = "number"
	}
	got := ""
	switch c := b[i]; {
	case c == '"':
		got = "string"
	case c == '{':
		got = "object"
	case c == '[':
		got = "array"
	case c == '-' || c >= '0' && c <= '9':
		got = "number"
	case bytes.HasPrefix(b[i:], []byte("true")), bytes.HasPrefix(b[i:], []byte("false")):
		got = "bool"
	default:
		return syntax(i)
	}
	return &LineError{Field: key, Message: fmt.Sprintf("want a %s, got a JSON %s", want, got)}
}

// errUTF8 is scanString's answer to a string that is not valid UTF-8,
// which encoding/json would silently turn into U+FFFD.
var errUTF8 = errors.New("not valid UTF-8")

// scanString reads the JSON string starting at b[i] == '"' and returns its
// value and the index after the closing quote. Strings with escapes or
// invalid UTF-8 are handed to encoding/json so that both agree exactly.
func scanString(b []byte, i int) (string, int, error) {
	j := i + 1
	plain := true
	for ; j < len(b); j++ {
		c := b[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return "", 0, syntax(j)
		}
		if c == '\\' {
			plain = false
			j++
		} else if c >= 0x80 {
			plain = false
		}
	}
	if j >= len(b) {
		return "", 0, &LineError{Message: "incomplete JSON object"}
	}
	raw := b[i+1 : j]
	if plain {
		return string(raw), j + 1, nil
	}
	if !utf8.Valid(raw) {
		return "", 0, errUTF8
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw), j + 1, nil
	}
	var s string
	if err := json.Unmarshal(b[i:j+1], &s); err != nil {
		return "", 0, syntax(i)
	}
	return s, j + 1, nil
}

// scanNumber returns the index after the JSON number starting at b[i], or -1
// when it is not a valid JSON number.
func scanNumber(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		i++
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		d := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == d {
			return -1
		}
	}
	return i
}

// ParseTime parses an RFC 3339 time with a zone offset and returns it in
// UTC (scs.ParseTime, which checks the offset and the year).
func ParseTime(s string) (time.Time, error) {
	t, err := scs.ParseTime("", s)
	if err != nil {
		return time.Time{}, errors.New(scs.ErrorMessage(err))
	}
	return t, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// lineErr turns a validation error into a *LineError with the same field.
func lineErr(err error) error {
	var e *scs.Error
	if errors.As(err, &e) {
		return &LineError{Field: e.Field, Message: e.Message}
	}
	return &LineError{Message: err.Error()}
}

// Append appends ev as one JSON line (with the trailing newline) to dst.
// Times are written in UTC. Decode(Append(nil, ev)) gives ev back.
func Append(dst []byte, ev *scs.Event) []byte {
	dst = append(dst, `{"id":`...)
	dst = AppendString(dst, ev.ID)
	dst = append(dst, `,"citizen":`...)
	dst = AppendString(dst, ev.Citizen)
	if ev.ByConduct {
		dst = append(dst, `,"conduct":`...)
	} else {
		dst = append(dst, `,"rule":`...)
	}
	dst = AppendString(dst, ev.Rule)
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
		dst = AppendString(dst, ev.Department)
	}
	if ev.Evidence != "" {
		dst = append(dst, `,"evidence":`...)
		dst = AppendString(dst, ev.Evidence)
	}
	return append(dst, "}\n"...)
}

// AppendString appends s to dst as a JSON string, escaped as encoding/json
// escapes it.
func AppendString(dst []byte, s string) []byte {
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

// CheckObject checks the keys of the JSON object b, in the order written:
// a key not among known (when known is not empty) is "unknown field", a
// value that is not valid UTF-8 "not valid UTF-8", each a *LineError naming
// the key. It reads the JSON itself, so that a decoder can name the field
// without reading encoding/json's message, and catches the invalid UTF-8
// that encoding/json would silently turn into U+FFFD. b that is not a JSON
// object gives nil (the decoder reports what else is wrong).
func CheckObject(b []byte, known ...string) *LineError {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		start := dec.InputOffset()
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		k, _ := t.(string)
		if !utf8.Valid(b[start:dec.InputOffset()]) {
			return &LineError{Message: fmt.Sprintf("a key is not valid UTF-8 (byte %d)", start+1)}
		}
		if len(known) > 0 && !slices.Contains(known, k) {
			return &LineError{Field: k, Message: "unknown field (known: " + strings.Join(known, ", ") + ")"}
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil
		}
		if len(raw) > 0 && raw[0] == '"' && !utf8.Valid(raw) {
			return &LineError{Field: k, Message: "not valid UTF-8"}
		}
	}
	return nil
}
