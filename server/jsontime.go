package server

import (
	"bytes"
	"time"
)

// inZone rewrites every time in the JSON text b to the offset of loc: each
// string value that is an RFC 3339 time in UTC, as time.Time encodes one
// ("2023-12-31T15:30:00Z"), becomes the same instant written in loc
// ("2023-12-31T23:30:00+08:00"). It is the one place where the API's
// answers take the scheme's time zone, so that a person reading an answer
// sees the times the pages and the CLI show. Keys, times already carrying
// an offset, and strings that merely contain a time are left as they are;
// b is returned unchanged when loc is UTC or nothing needs rewriting. b
// must be valid JSON (what encoding/json writes); the result is too.
func inZone(b []byte, loc *time.Location) []byte {
	if loc == nil || loc == time.UTC || bytes.IndexByte(b, 'Z') < 0 {
		return b
	}
	var out []byte // nil until the first rewrite
	last := 0      // b[last:] is not yet copied to out
	for i := 0; i < len(b); i++ {
		if b[i] != '"' {
			continue
		}
		// A string: find its closing quote.
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) {
			break // not valid JSON: leave the rest alone
		}
		s := b[i+1 : j]
		if t, ok := utcTime(s, loc); ok && !isKey(b, j+1) {
			if out == nil {
				out = make([]byte, 0, len(b)+len(b)/8)
			}
			out = append(out, b[last:i+1]...)
			out = t.In(loc).AppendFormat(out, time.RFC3339Nano)
			last = j
		}
		i = j
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// utcTime parses s when it is an RFC 3339 time ending in Z that loc can
// write: not the zero time (which stands for "none") and not a time when
// loc's offset had seconds (local mean time before 1901), which RFC 3339
// cannot write.
func utcTime(s []byte, loc *time.Location) (time.Time, bool) {
	// The shortest is 2006-01-02T15:04:05Z (20 bytes), the longest has
	// nine digits of fraction (30).
	if len(s) < 20 || len(s) > 30 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil || t.IsZero() {
		return time.Time{}, false
	}
	if _, off := t.In(loc).Zone(); off%60 != 0 {
		return time.Time{}, false
	}
	return t, true
}

// isKey reports whether the string that ended just before b[k] is an
// object's key: the next byte that is not white space is a colon.
func isKey(b []byte, k int) bool {
	for ; k < len(b); k++ {
		switch b[k] {
		case ' ', '\t', '\n', '\r':
			continue
		case ':':
			return true
		}
		return false
	}
	return false
}
