package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"scs"
)

// TestFailFieldFromStructure checks that the field an error response names
// comes from the error's structure: the messages here are worded so that
// nothing could read a field out of them, and the field must still be
// there.
func TestFailFieldFromStructure(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, tc := range []struct {
		err   error
		field string
		code  string
	}{
		{scs.FieldErrorf(scs.EINVALID, "at", "Wording Changed; no colon here"), "at", scs.EINVALID},
		{&scs.BatchError{Index: 3, ID: "r7", Err: scs.FieldErrorf(scs.EINVALID, "department", "REWORDED")}, "records[3].department", scs.EINVALID},
		{&scs.BatchError{Index: 4, ID: "r9", Err: scs.Errorf(scs.ECONFLICT, "conflicts with the stored one")}, "records[4]", scs.ECONFLICT},
		{&scs.BatchError{List: "citizens", Index: 0, Err: scs.FieldErrorf(scs.EINVALID, "birth_year", "x")}, "citizens[0].birth_year", scs.EINVALID},
		{scs.Errorf(scs.EINVALID, "rule: looks like a field but is only text"), "", scs.EINVALID},
		{errors.New("records[2].at: an internal failure"), "", scs.EINTERNAL},
	} {
		w := httptest.NewRecorder()
		s.Fail(w, httptest.NewRequest("GET", "/", nil), tc.err)
		var body ErrorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if body.Error.Field != tc.field || body.Error.Code != tc.code {
			t.Errorf("%v: field %q code %q, want %q %q", tc.err, body.Error.Field, body.Error.Code, tc.field, tc.code)
		}
	}
}
