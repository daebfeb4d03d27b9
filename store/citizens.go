package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"scs"
	"scs/jsonl"
)

type citizenWire struct {
	ID            *string `json:"id"`
	Name          *string `json:"name"`
	Neighbourhood *string `json:"neighbourhood"`
	BirthYear     *int    `json:"birth_year"`
	Consent       *bool   `json:"consent"`
	Registered    *string `json:"registered"`
}

// DecodeCitizen decodes one citizen written as a JSON line by
// AppendCitizen (the citizens file of scs export and scs import):
//
//	{"id":"c-17","name":"Li Wei","neighbourhood":"Yatou","birth_year":1980,"consent":true,"registered":"2021-01-01T00:00:00Z"}
//
// id, name, neighbourhood and birth_year are required; consent defaults to
// false and registered to unset. Unknown fields are errors. Errors are
// *jsonl.LineError with Line 0 naming the field.
func DecodeCitizen(line []byte) (scs.Citizen, error) {
	var w citizenWire
	if le := jsonl.CheckObject(line, "id", "name", "neighbourhood", "birth_year", "consent", "registered"); le != nil {
		return scs.Citizen{}, le
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		msg := err.Error()
		if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field != "" {
			return scs.Citizen{}, &jsonl.LineError{Field: te.Field, Message: fmt.Sprintf("wrong type: a JSON %s", te.Value)}
		}
		return scs.Citizen{}, &jsonl.LineError{Message: "not a JSON object: " + strings.TrimPrefix(msg, "json: ")}
	}
	if dec.More() {
		return scs.Citizen{}, &jsonl.LineError{Message: "more than one JSON value on the line"}
	}
	var c scs.Citizen
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"id", w.ID, &c.ID}, {"name", w.Name, &c.Name}, {"neighbourhood", w.Neighbourhood, &c.Neighbourhood}} {
		if f.v == nil || *f.v == "" {
			return c, &jsonl.LineError{Field: f.name, Message: "missing"}
		}
		*f.dst = *f.v
	}
	if w.BirthYear == nil {
		return c, &jsonl.LineError{Field: "birth_year", Message: "missing"}
	}
	c.BirthYear = *w.BirthYear
	if w.Consent != nil {
		c.Consent = *w.Consent
	}
	if w.Registered != nil && *w.Registered != "" {
		t, err := scs.ParseTime("registered", *w.Registered)
		if err != nil {
			return c, &jsonl.LineError{Field: "registered", Message: err.(*scs.Error).Message}
		}
		c.Registered = t
	}
	if err := c.Validate(time.Now()); err != nil {
		var e *scs.Error
		if errors.As(err, &e) {
			return c, &jsonl.LineError{Field: e.Field, Message: e.Message}
		}
		return c, &jsonl.LineError{Message: err.Error()}
	}
	return c, nil
}

// AppendCitizen appends c as one JSON line (with its newline) to dst.
func AppendCitizen(dst []byte, c *scs.Citizen) []byte {
	w := struct {
		ID            string `json:"id"`
		Name          string `json:"name"`
		Neighbourhood string `json:"neighbourhood"`
		BirthYear     int    `json:"birth_year"`
		Consent       bool   `json:"consent"`
		Registered    string `json:"registered,omitempty"`
	}{c.ID, c.Name, c.Neighbourhood, c.BirthYear, c.Consent, ""}
	if !c.Registered.IsZero() {
		w.Registered = c.Registered.UTC().Format(time.RFC3339Nano)
	}
	b, _ := json.Marshal(w)
	dst = append(dst, b...)
	return append(dst, '\n')
}
