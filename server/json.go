package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"scs"
	"scs/jsonl"
)

// JSON writes v as the JSON body of a response with the given status,
// every time in it with the offset of the scheme's time zone (inZone).
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
	b := inZone(buf.Bytes(), s.zone())
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
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
	if le := jsonl.CheckObject(b, knownKeys(v)...); le != nil {
		return fieldErrorf(join(prefix, le.Field), "%s", le.Message)
	}
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
	return fieldErrorf(prefix, "%s", strings.TrimPrefix(err.Error(), "json: "))
}

var keysCache sync.Map // reflect.Type -> []string

// knownKeys returns the JSON keys of the struct v points to.
func knownKeys(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if k, ok := keysCache.Load(t); ok {
		return k.([]string)
	}
	var keys []string
	if t.Kind() == reflect.Struct {
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			keys = append(keys, name)
		}
	}
	keysCache.Store(t, keys)
	return keys
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
			field := le.Field
			if field == "" {
				field = numberField(b)
				if field != "" {
					le.Message = "want a number"
				}
			}
			return ev, fieldErrorf(join(prefix, field), "%s", le.Message)
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
	ID            *string         `json:"id"`
	Name          *string         `json:"name"`
	Neighbourhood *string         `json:"neighbourhood"`
	BirthYear     json.RawMessage `json:"birth_year"`
	Consent       *bool           `json:"consent"`
	ResidentSince *string         `json:"resident_since"`
}

// DecodeCitizen decodes a citizen to register: id, name, neighbourhood and
// birth_year are required; consent is optional (false), and so is
// resident_since (a date or an RFC 3339 time; absent: not on record). The
// citizen is validated as of now (the server's clock).
func DecodeCitizen(b []byte, now time.Time) (scs.Citizen, error) {
	var req CitizenRequest
	var c scs.Citizen
	if err := DecodeStrict(b, &req, ""); err != nil {
		return c, err
	}
	c.ID, c.Name, c.Neighbourhood = deref(req.ID), strings.TrimSpace(deref(req.Name)), deref(req.Neighbourhood)
	if err := scs.CheckID("id", c.ID, true); err != nil {
		return c, err
	}
	if err := scs.CheckText("name", c.Name, scs.MaxName, true, false); err != nil {
		return c, err
	}
	if err := scs.CheckID("neighbourhood", c.Neighbourhood, true); err != nil {
		return c, err
	}
	y := bytes.TrimSpace(req.BirthYear)
	if len(y) == 0 || string(y) == "null" {
		return c, fieldErrorf("birth_year", "missing")
	}
	if !(y[0] == '-' || y[0] >= '0' && y[0] <= '9') {
		return c, fieldErrorf("birth_year", "want a whole number, got %s", jsonKind(y[0]))
	}
	n, perr := strconv.Atoi(string(y))
	if perr != nil {
		return c, fieldErrorf("birth_year", "%.20s is not a whole number", y)
	}
	c.BirthYear = n
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
	return c, c.Validate(now)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '"':
		return "a JSON string"
	case '{':
		return "a JSON object"
	case '[':
		return "a JSON list"
	case 't', 'f':
		return "true or false"
	}
	return "another JSON value"
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
	req.Reason = strings.TrimSpace(req.Reason)
	o := scs.Objection{Record: req.Record, Reason: req.Reason}
	return req, o.Validate()
}

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
	reason = strings.TrimSpace(req.Reason)
	if err := scs.CheckReason("reason", reason); err != nil {
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
	a = scs.Account{Name: strings.TrimSpace(req.Name), Role: req.Role, Citizen: req.Citizen, Department: req.Department}
	return a, a.Validate()
}

// parseAt reads the optional ?at= parameter (an RFC 3339 time with a zone
// offset); absent, it is now.
func (s *Server) parseAt(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("at")
	if v == "" {
		return s.now().UTC(), nil
	}
	t, err := scs.ParseTime("at", v)
	var e *scs.Error
	if errors.As(err, &e) && strings.Contains(v, " ") {
		// A + left unencoded in a query reads as a space.
		return time.Time{}, fieldErrorf("at", "%s; in a URL write the offset's + as %%2B (a bare + reads as a space): at=%s",
			e.Message, strings.ReplaceAll(v, " ", "%2B"))
	}
	return t, err
}

// parseDay reads a day, YYYY-MM-DD in the scheme's time zone (or an RFC
// 3339 time, whose day in that zone is taken), and returns its start.
func parseDay(field, v string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		t2, err2 := scs.ParseTime(field, v)
		if err2 != nil {
			return time.Time{}, fieldErrorf(field, "%q is not a day such as 2024-03-01", v)
		}
		t = t2.In(loc)
	}
	if err := scs.CheckTime(field, t); err != nil {
		return time.Time{}, err
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}

// parsePage reads ?limit= and ?cursor=.
func (s *Server) parsePage(r *http.Request) (scs.Page, error) {
	q := r.URL.Query()
	p := scs.Page{Cursor: q.Get("cursor"), Limit: s.opts.PageLimit}
	if err := scs.CheckText("cursor", p.Cursor, scs.MaxCursor, false, false); err != nil {
		return p, err
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
