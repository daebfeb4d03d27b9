package quiz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"scs"
)

// MaxAnswersFile is the largest answers file ParseAnswers accepts, in bytes.
const MaxAnswersFile = 1 << 20

// ParseAnswers reads an answers file, the scripted form of the self-test:
//
//	{"consent": true, "answers": {"speeding-ticket": 2, "charitable-donation": 250, "drunk-driving": "no"}}
//
// "consent" must be true: the test runs only with the person's consent.
// "answers" maps rule ids to answers: a number (a count, an amount, or 1/0
// for yes/no), true/false for yes/no, or a string as a person would type it
// ("yes", "3", "1,500"). A rule not listed is answered 0 (or no). Unknown
// fields, unknown rules and bad values are errors that name the rule and the
// value (*AnswerError) or the field (scs.EINVALID).
func (t *Test) ParseAnswers(data []byte) (Answers, error) {
	a, _, err := t.ParseAnswersProfile(data)
	return a, err
}

// NotApplicable reports whether a typed answer says the question does not
// apply to the person: "n/a", "na", "does not apply" or "does not apply to
// me", in any case.
func NotApplicable(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "n/a", "na", "does not apply", "does not apply to me":
		return true
	}
	return false
}

// ParseAnswersProfile is ParseAnswers that also reads what the person said
// besides the answers: "eligible": true|false (the first question), and
// answers of "does not apply" (or "n/a"), which give no points.
func (t *Test) ParseAnswersProfile(data []byte) (Answers, Profile, error) {
	prof := Profile{NotApplicable: map[string]bool{}}
	if len(data) > MaxAnswersFile {
		return nil, prof, scs.Errorf(scs.EINVALID, "answers file is larger than %d bytes", MaxAnswersFile)
	}
	var f struct {
		Consent  *bool                      `json:"consent"`
		Eligible *bool                      `json:"eligible"`
		Answers  map[string]json.RawMessage `json:"answers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, prof, scs.Errorf(scs.EINVALID, "answers file: %s", jsonProblem(data, err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, prof, scs.Errorf(scs.EINVALID, "answers file: unexpected data after the object")
	}
	if f.Consent == nil {
		return nil, prof, scs.Errorf(scs.EINVALID, `consent: missing; the self-test runs only with "consent": true`)
	}
	if !*f.Consent {
		return nil, prof, scs.Errorf(scs.EINVALID, "consent: false; the self-test runs only with your consent, so nothing was scored")
	}
	ids := make([]string, 0, len(f.Answers))
	for id := range f.Answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make(Answers, len(ids))
	for _, id := range ids {
		raw := bytes.TrimSpace(f.Answers[id])
		var text string
		if json.Unmarshal(raw, &text) == nil && NotApplicable(text) {
			if _, ok := t.Question(id); !ok {
				return nil, prof, &AnswerError{Rule: id, Message: fmt.Sprintf("no question about rule %q in scheme %s", id, t.scheme.Name)}
			}
			prof.NotApplicable[id] = true
			continue
		}
		v, err := t.parseRaw(id, raw)
		if err != nil {
			return nil, prof, err
		}
		out[id] = v
	}
	prof.Eligible = f.Eligible
	return out, prof, nil
}

func (t *Test) parseRaw(id string, raw []byte) (float64, error) {
	q, ok := t.Question(id)
	if !ok {
		return 0, &AnswerError{Rule: id, Message: fmt.Sprintf("no question about rule %q in scheme %s", id, t.scheme.Name)}
	}
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return 0, &AnswerError{Rule: id, Value: string(raw), Message: "answer must be a number, true/false or a string"}
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, &AnswerError{Rule: id, Value: string(raw), Message: "not a valid JSON string"}
		}
		return t.Parse(id, s)
	case string(raw) == "true" || string(raw) == "false":
		if q.Kind != KindYesNo {
			return 0, &AnswerError{Rule: id, Value: string(raw), Message: fmt.Sprintf("answer a number of %s, not true/false", q.Unit)}
		}
		if string(raw) == "true" {
			return 1, nil
		}
		return 0, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return 0, &AnswerError{Rule: id, Value: string(raw), Message: "not a number this test can read"}
		}
		return v, t.Check(id, v)
	}
	return 0, &AnswerError{Rule: id, Value: truncate(string(raw)), Message: "answer must be a number, true/false or a string"}
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// jsonProblem renders a decoding error with the line and column at fault.
func jsonProblem(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		field := te.Field
		if field == "" {
			field = "the file"
		}
		msg = fmt.Sprintf("%s: want %s, got %s", field, want(te.Field), te.Value)
	case errors.Is(err, io.EOF):
		return "empty; want a JSON object such as {\"consent\": true, \"answers\": {}}"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "ends in the middle of the JSON object"
	}
	msg = strings.TrimPrefix(msg, "json: ")
	if off < 0 || off > int64(len(data)) {
		return msg
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d: %s", line, col, msg)
}

func want(field string) string {
	switch field {
	case "consent":
		return "true or false"
	case "answers":
		return "an object mapping rule ids to answers"
	}
	return "an object with \"consent\" and \"answers\""
}
