package server

import (
	"scs"
	"scs/jsonl"
)

// fastBatch decodes a batch body whose outer object is in the plain form
// clients send, {"records":[...]}, cutting the list into its elements
// without encoding/json and decoding each with jsonl's strict decoder (the
// same one the general path uses). ok=false means the outer object is in
// another form (other keys, escapes, null) or something is wrong:
// DecodeBatch then takes the general path, which names what is wrong.
// FuzzDecodeBatch holds the two paths to the same results.
func fastBatch(b []byte, max int) (evs []scs.Event, ok bool) {
	s := scanner{b: b}
	if !s.lit('{') || !s.key("records") || !s.lit(':') || !s.lit('[') {
		return nil, false
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		return nil, false
	}
	guess := len(b)/64 + 1 // a record takes at least about 64 bytes
	if max > 0 {
		guess = min(guess, max+1)
	}
	evs = make([]scs.Event, 0, guess)
	seen := make(map[string]struct{}, guess)
	for {
		s.ws()
		start := s.i
		if !s.skipObject() {
			return nil, false
		}
		if max > 0 && len(evs) >= max {
			return nil, false
		}
		ev, err := jsonl.Decode(s.b[start:s.i])
		if err != nil {
			return nil, false
		}
		if _, dup := seen[ev.ID]; dup {
			return nil, false
		}
		seen[ev.ID] = struct{}{}
		evs = append(evs, ev)
		if s.lit(',') {
			continue
		}
		if !s.lit(']') || !s.lit('}') {
			return nil, false
		}
		s.ws()
		if s.i != len(s.b) {
			return nil, false
		}
		return evs, true
	}
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// lit skips white space and the byte c.
func (s *scanner) lit(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// key skips white space and the string k, written without escapes.
func (s *scanner) key(k string) bool {
	s.ws()
	n := len(k) + 2
	if s.i+n <= len(s.b) && s.b[s.i] == '"' && string(s.b[s.i+1:s.i+n-1]) == k && s.b[s.i+n-1] == '"' {
		s.i += n
		return true
	}
	return false
}

// skipObject moves past one JSON object, following strings (with their
// escapes) and nested brackets; it does not check what is inside, which
// the record decoder does.
func (s *scanner) skipObject() bool {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return false
	}
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			s.i++
			for s.i < len(s.b) && s.b[s.i] != '"' {
				if s.b[s.i] == '\\' {
					s.i++
				}
				s.i++
			}
			if s.i >= len(s.b) {
				return false
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return true
			}
		}
		s.i++
	}
	return false
}
