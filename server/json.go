package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"scs"
	"scs/jsonl"
)

// JSON writes v as the JSON body of a response with the given status.
func (s *Server) JSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.log.Error("encoding a response", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":{"code":"internal","message":"internal error; it has been logged"}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Body reads a request's JSON body: the content type must be JSON (415
// otherwise) and the body at most the server's limit (413 otherwise).
func (s *Server) Body(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil, Errorf(EMEDIATYPE, "Content-Type header: missing; want application/json")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, Errorf(EMEDIATYPE, "Content-Type header: %q; want application/json", ct)
	}
	if r.ContentLength > s.opts.MaxBody {
		return nil, Errorf(ETOOLARGE, "the body is %d bytes; the limit is %d", r.ContentLength, s.opts.MaxBody)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, Errorf(ETOOLARGE, "the body is over the limit of %d bytes", mbe.Limit)
		}
		return nil, Errorf(scs.EINVALID, "reading the body: %v", err)
	}
	return b, nil
}

// DecodeJSON reads the request's JSON body (see Body) into v with
// DecodeStrict: the one helper a handler needs for a body without checks
// of its own.
func (s *Server) DecodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	return DecodeStrict(b, v, "")
}

// DecodeStrict decodes one JSON object from b into v: unknown fields, a
// value of the wrong type, more than one value and bad JSON are
// *FieldError naming the field (prefixed with prefix, which may be "").
func DecodeStrict(b []byte, v any, prefix string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fieldErrorf(prefix, "more than one JSON value in the body")
	}
	return nil
}

func join(prefix, field string) string {
	switch {
	case prefix == "":
		return field
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

func jsonError(err error, prefix string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fieldErrorf(prefix, "want a JSON object, got a JSON %s", te.Value)
		}
		return fieldErrorf(join(prefix, te.Field), "want a %s, got a JSON %s", kindOf(te.Type.String()), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErrorf(prefix, "not valid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.EOF) {
		return fieldErrorf(prefix, "empty body; want a JSON object")
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fieldErrorf(prefix, "incomplete JSON")
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return fieldErrorf(join(prefix, strings.Trim(f, `"`)), "unknown field")
	}
	return fieldErrorf(prefix, "%s", strings.TrimPrefix(msg, "json: "))
}

func kindOf(t string) string {
	t = strings.TrimLeft(t, "*")
	switch {
	case t == "string":
		return "string"
	case t == "bool":
		return "true or false"
	case t == "json.Number" || strings.HasPrefix(t, "int") || strings.HasPrefix(t, "float"):
		return "number"
	case strings.HasPrefix(t, "[]"):
		return "list"
	case t == "json.RawMessage":
		return "JSON value"
	}
	return "JSON object"
}

// DecodeRecord decodes one record (the JSON-lines event format of
// scs score: id, citizen, rule, at, quantity, points, department, evidence).
func DecodeRecord(b []byte) (scs.Event, error) {
	return decodeRecord(b, "")
}

func decodeRecord(b []byte, prefix string) (scs.Event, error) {
	ev, err := jsonl.Decode(b)
	if err != nil {
		var le *jsonl.LineError
		if errors.As(err, &le) {
			if strings.HasPrefix(le.Message, "unknown field") {
				le.Message = "unknown field (known: id, citizen, rule, at, quantity, points, department, evidence)"
			}
			field := le.Field
			if field == "" {
				field = numberField(b)
				if field != "" {
					le.Message = "want a number"
				}
			}
			return ev, &FieldError{Field: join(prefix, field), Message: le.Message}
		}
		return ev, fieldErrorf(prefix, "%v", err)
	}
	return ev, nil
}

// numberField returns "quantity" or "points" when the record b carries
// that field with a value that is not a JSON number, "" otherwise.
func numberField(b []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return ""
	}
	for _, f := range []string{"quantity", "points"} {
		if v, ok := m[f]; ok {
			v = bytes.TrimSpace(v)
			if len(v) == 0 || !(v[0] == '-' || v[0] >= '0' && v[0] <= '9') {
				return f
			}
		}
	}
	return ""
}

// BatchRequest is the body of POST /api/v1/records/batch.
type BatchRequest struct {
	Records []json.RawMessage `json:"records"`
}

// DecodeBatch decodes a batch of records: {"records": [record, ...]}, with
// at most max records (no limit when max <= 0). A bad record is named by
// its position, "records[3].at", and two records with one id are an error.
func DecodeBatch(b []byte, max int) ([]scs.Event, error) {
	if evs, ok := fastBatch(b, max); ok {
		return evs, nil
	}
	return decodeBatch(b, max)
}

// decodeBatch is DecodeBatch's general path.
func decodeBatch(b []byte, max int) ([]scs.Event, error) {
	var req BatchRequest
	if err := DecodeStrict(b, &req, ""); err != nil {
		return nil, err
	}
	if req.Records == nil {
		return nil, fieldErrorf("records", "missing; want a list of records")
	}
	if len(req.Records) == 0 {
		return nil, fieldErrorf("records", "empty; want at least one record")
	}
	if max > 0 && len(req.Records) > max {
		return nil, fieldErrorf("records", "%d records; the limit of one batch is %d", len(req.Records), max)
	}
	evs := make([]scs.Event, len(req.Records))
	seen := make(map[string]int, len(req.Records))
	for i, raw := range req.Records {
		p := fmt.Sprintf("records[%d]", i)
		ev, err := decodeRecord(raw, p)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[ev.ID]; dup {
			return nil, fieldErrorf(p+".id", "%q is also the id of records[%d]", ev.ID, j)
		}
		seen[ev.ID] = i
		evs[i] = ev
	}
	return evs, nil
}

// CitizenRequest is the body of POST /api/v1/citizens.
type CitizenRequest struct {
	ID            *string      `json:"id"`
	Name          *string      `json:"name"`
	Neighbourhood *string      `json:"neighbourhood"`
	BirthYear     *json.Number `json:"birth_year"`
	Consent       *bool        `json:"consent"`
	ResidentSince *string      `json:"resident_since"`
}

// DecodeCitizen decodes a citizen to register: id, name, neighbourhood and
// birth_year are required; consent is optional (false), and so is
// resident_since (a date or an RFC 3339 time; absent: not on record).
func DecodeCitizen(b []byte) (scs.Citizen, error) {
	var req CitizenRequest
	var c scs.Citizen
	if err := DecodeStrict(b, &req, ""); err != nil {
		return c, err
	}
	var err error
	if c.ID, err = ident("id", req.ID); err != nil {
		return c, err
	}
	if c.Name, err = text("name", req.Name, 200); err != nil {
		return c, err
	}
	if c.Neighbourhood, err = ident("neighbourhood", req.Neighbourhood); err != nil {
		return c, err
	}
	if req.BirthYear == nil {
		return c, fieldErrorf("birth_year", "missing")
	}
	y, perr := strconv.Atoi(string(*req.BirthYear))
	if perr != nil || y < 1900 || y > 2200 {
		return c, fieldErrorf("birth_year", "%s is not a year from 1900 to 2200", *req.BirthYear)
	}
	c.BirthYear = y
	if req.Consent != nil {
		c.Consent = *req.Consent
	}
	if req.ResidentSince != nil {
		t, err := time.Parse(time.RFC3339, *req.ResidentSince)
		if err != nil {
			t, err = time.Parse(time.DateOnly, *req.ResidentSince)
		}
		if err != nil || t.Year() < 1900 || t.Year() > 9999 {
			return c, fieldErrorf("resident_since", "%q is not a date (want 2006-01-02 or RFC 3339)", *req.ResidentSince)
		}
		t = t.UTC()
		c.ResidentSince = &t
	}
	return c, nil
}

// ConsentRequest is the body of PUT /api/v1/citizens/{id}/consent.
type ConsentRequest struct {
	Consent *bool `json:"consent"`
}

// DecodeConsent decodes {"consent": true|false}.
func DecodeConsent(b []byte) (bool, error) {
	var req ConsentRequest
	if err := DecodeStrict(b, &req, ""); err != nil {
		return false, err
	}
	if req.Consent == nil {
		return false, fieldErrorf("consent", "missing; want true or false")
	}
	return *req.Consent, nil
}

// ObjectionRequest is the body of POST /api/v1/citizens/{id}/objections.
type ObjectionRequest struct {
	Record string `json:"record"`
	Reason string `json:"reason"`
}

// DecodeObjection decodes {"record": ID, "reason": TEXT}; both are required.
func DecodeObjection(b []byte) (ObjectionRequest, error) {
	var req ObjectionRequest
	if err := DecodeStrict(b, &req, ""); err != nil {
		return req, err
	}
	var err error
	if req.Record, err = ident("record", &req.Record); err != nil {
		return req, err
	}
	if req.Reason, err = text("reason", &req.Reason, MaxReason); err != nil {
		return req, err
	}
	return req, nil
}

// MaxReason is the longest reason accepted for an objection or a decision, in bytes.
const MaxReason = 4096

// DecisionRequest is the body of POST /api/v1/objections/{id}/decision.
type DecisionRequest struct {
	Decision string `json:"decision"` // "uphold" or "reject"
	Reason   string `json:"reason"`
}

// DecodeDecision decodes {"decision": "uphold"|"reject", "reason": TEXT}
// and returns whether the objection is upheld.
func DecodeDecision(b []byte) (uphold bool, reason string, err error) {
	var req DecisionRequest
	if err := DecodeStrict(b, &req, ""); err != nil {
		return false, "", err
	}
	switch req.Decision {
	case "uphold", "upheld":
		uphold = true
	case "reject", "rejected":
	case "":
		return false, "", fieldErrorf("decision", "missing; want \"uphold\" or \"reject\"")
	default:
		return false, "", fieldErrorf("decision", "%q; want \"uphold\" or \"reject\"", req.Decision)
	}
	if reason, err = text("reason", &req.Reason, MaxReason); err != nil {
		return false, "", err
	}
	return uphold, reason, nil
}

// AccountRequest is the body of POST /api/v1/accounts.
type AccountRequest struct {
	Name       string `json:"name"`
	Role       string `json:"role"`
	Citizen    string `json:"citizen"`
	Department string `json:"department"`
}

// DecodeAccount decodes an account to create: name and role are required;
// a citizen account names its citizen, an official account its department,
// and no other role takes either.
func DecodeAccount(b []byte) (scs.Account, error) {
	var req AccountRequest
	var a scs.Account
	if err := DecodeStrict(b, &req, ""); err != nil {
		return a, err
	}
	var err error
	if a.Name, err = text("name", &req.Name, 200); err != nil {
		return a, err
	}
	switch req.Role {
	case scs.RoleCitizen, scs.RoleOfficial, scs.RoleReviewer, scs.RoleAdmin, scs.RoleTeacher:
		a.Role = req.Role
	case "":
		return a, fieldErrorf("role", "missing; want citizen, official, reviewer, admin or teacher")
	default:
		return a, fieldErrorf("role", "%q; want citizen, official, reviewer, admin or teacher", req.Role)
	}
	if a.Role == scs.RoleCitizen {
		if a.Citizen, err = ident("citizen", &req.Citizen); err != nil {
			return a, err
		}
	} else if req.Citizen != "" {
		return a, fieldErrorf("citizen", "only a citizen account is bound to a citizen")
	}
	if a.Role == scs.RoleOfficial {
		if a.Department, err = ident("department", &req.Department); err != nil {
			return a, err
		}
	} else if req.Department != "" {
		return a, fieldErrorf("department", "only an official account is bound to a department")
	}
	return a, nil
}

// ident checks a required identifier: at most jsonl.MaxID bytes, valid
// UTF-8, no control characters or surrounding spaces.
func ident(field string, v *string) (string, error) {
	if v == nil || *v == "" {
		return "", fieldErrorf(field, "missing")
	}
	s := *v
	if len(s) > jsonl.MaxID {
		return "", fieldErrorf(field, "%d bytes; the limit is %d", len(s), jsonl.MaxID)
	}
	if !clean(s) || strings.TrimSpace(s) != s {
		return "", fieldErrorf(field, "%q has control characters or surrounding spaces", s)
	}
	return s, nil
}

// text checks a required free text of at most max bytes.
func text(field string, v *string, max int) (string, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return "", fieldErrorf(field, "missing")
	}
	s := strings.TrimSpace(*v)
	if len(s) > max {
		return "", fieldErrorf(field, "%d bytes; the limit is %d", len(s), max)
	}
	if !clean(strings.NewReplacer("\n", " ", "\t", " ").Replace(s)) {
		return "", fieldErrorf(field, "has control characters or is not valid UTF-8")
	}
	return s, nil
}

func clean(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

// parseAt reads the optional ?at= parameter (an RFC 3339 time with a zone
// offset); absent, it is now.
func (s *Server) parseAt(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("at")
	if v == "" {
		return s.now().UTC(), nil
	}
	t, err := jsonl.ParseTime(v)
	if err != nil {
		if strings.Contains(v, " ") {
			// A + left unencoded in a query reads as a space.
			return time.Time{}, fieldErrorf("at", "%v; in a URL write the offset's + as %%2B (a bare + reads as a space): at=%s",
				err, strings.ReplaceAll(v, " ", "%2B"))
		}
		return time.Time{}, fieldErrorf("at", "%v", err)
	}
	return t, nil
}

// parseDay reads a day, YYYY-MM-DD in the scheme's time zone (or an RFC
// 3339 time, whose day in that zone is taken), and returns its start.
func parseDay(field, v string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		t2, err2 := jsonl.ParseTime(v)
		if err2 != nil {
			return time.Time{}, fieldErrorf(field, "%q is not a day such as 2024-03-01", v)
		}
		t = t2.In(loc)
	}
	if y := t.Year(); y < 1900 || y > 9999 {
		return time.Time{}, fieldErrorf(field, "%q: the year must be from 1900 to 9999", v)
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}

// parsePage reads ?limit= and ?cursor=.
func (s *Server) parsePage(r *http.Request) (scs.Page, error) {
	q := r.URL.Query()
	p := scs.Page{Cursor: q.Get("cursor"), Limit: s.opts.PageLimit}
	if len(p.Cursor) > 1024 {
		return p, fieldErrorf("cursor", "%d bytes; a cursor is at most 1024", len(p.Cursor))
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > s.opts.MaxPageLimit {
			return p, fieldErrorf("limit", "%q is not a whole number from 1 to %d", v, s.opts.MaxPageLimit)
		}
		p.Limit = n
	}
	return p, nil
}
