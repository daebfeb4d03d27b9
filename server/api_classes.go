package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"scs"
	"scs/classroom"
)

// Classroom mode's JSON API: thin handlers over classroom.Service. The
// teacher's routes take an account token (teacher or admin); the
// students' routes (…/me…) take the student token that joining answered.

// ClassRequest is the body of POST /api/v1/classes; every field is optional.
type ClassRequest struct {
	Scheme     *string `json:"scheme"`
	Rounds     *int    `json:"rounds"`
	Informing  *bool   `json:"informing"`
	Cards      *bool   `json:"cards"`
	PublicList *bool   `json:"public_list"`
}

// ClassResponse describes a class to its teacher.
type ClassResponse struct {
	classroom.Class
	JoinPath string `json:"join_path"` // the students' join page, relative to the server
}

func classResponse(c classroom.Class) ClassResponse {
	return ClassResponse{Class: c, JoinPath: "/join?code=" + c.Code}
}

func (s *Server) classService() (*classroom.Service, error) {
	if s.classes == nil {
		return nil, scs.Errorf(scs.ENOTFOUND, "classroom mode needs the registry's database; this server has none")
	}
	return s.classes, nil
}

// classSettings fills a request's omitted fields with the scheme's defaults.
func (s *Server) classSettings(cs *classroom.Service, req ClassRequest) (classroom.Settings, error) {
	name := ""
	if req.Scheme != nil {
		name = strings.TrimSpace(*req.Scheme)
		if name == "" {
			return classroom.Settings{}, fieldErrorf("scheme", "empty; leave it out for rongcheng")
		}
	}
	set, err := cs.Defaults(name)
	if err != nil {
		return set, err
	}
	if req.Rounds != nil {
		if *req.Rounds < 1 || *req.Rounds > classroom.MaxRounds {
			return set, fieldErrorf("rounds", "%d is out of range (1 to %d)", *req.Rounds, classroom.MaxRounds)
		}
		set.Rounds = *req.Rounds
	}
	if req.Informing != nil {
		set.Informing = *req.Informing
	}
	if req.Cards != nil {
		set.Cards = *req.Cards
	}
	if req.PublicList != nil {
		set.PublicList = *req.PublicList
	}
	return set, nil
}

func (s *Server) createClass(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	var req ClassRequest
	if err := s.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	set, err := s.classSettings(cs, req)
	if err != nil {
		return err
	}
	c, err := cs.Open(r.Context(), AccountFrom(r.Context()), set)
	if err != nil {
		return err
	}
	cs.WarmDebrief(c.Scheme)
	w.Header().Set("Location", "/api/v1/classes/"+c.Code)
	s.JSON(w, http.StatusCreated, classResponse(c))
	return nil
}

// ClassesResponse answers GET /api/v1/classes.
type ClassesResponse struct {
	Classes []ClassResponse `json:"classes"`
}

func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	list, err := cs.Classes(r.Context(), AccountFrom(r.Context()))
	if err != nil {
		return err
	}
	out := ClassesResponse{Classes: []ClassResponse{}}
	for _, c := range list {
		out.Classes = append(out.Classes, classResponse(c))
	}
	s.JSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getClass(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	b, err := cs.Board(r.Context(), AccountFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, b)
	return nil
}

// ClosedResponse answers DELETE /api/v1/classes/{code}: what the teacher
// keeps, the aggregate counts per round as CSV.
type ClosedResponse struct {
	Code    string `json:"code"`
	Status  string `json:"status"`
	Summary string `json:"summary_csv"`
}

func (s *Server) deleteClass(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	csv, err := cs.Close(r.Context(), AccountFrom(r.Context()), code)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, ClosedResponse{Code: code, Status: classroom.StatusClosed, Summary: csv})
	return nil
}

func (s *Server) classSummary(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	csv, err := cs.Summary(r.Context(), AccountFrom(r.Context()), code)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="class-`+code+`.csv"`)
	w.Write([]byte(csv))
	return nil
}

func (s *Server) advanceClass(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	c, err := cs.Advance(r.Context(), AccountFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, classResponse(c))
	return nil
}

func (s *Server) decideClassObjection(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return fieldErrorf("id", "%q is not a report number", r.PathValue("id"))
	}
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	uphold, reason, err := DecodeDecision(b)
	if err != nil {
		return err
	}
	rp, err := cs.Decide(r.Context(), AccountFrom(r.Context()), r.PathValue("code"), id, uphold, reason)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, rp)
	return nil
}

func (s *Server) classDebrief(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	d, err := cs.Debrief(r.Context(), AccountFrom(r.Context()), r.PathValue("code"))
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, d)
	return nil
}

// JoinResponse answers POST /api/v1/classes/{code}/join.
type JoinResponse struct {
	Student string `json:"student"` // the pseudonym
	Token   string `json:"token"`   // the student's token, shown only now
	Money   int64  `json:"money"`
	Hours   int64  `json:"hours"`
}

func (s *Server) joinClass(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	st, token, err := cs.Join(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusCreated, JoinResponse{Student: st.Pseudonym, Token: token, Money: st.Money, Hours: st.Hours})
	return nil
}

// student authenticates a student route: the bearer token must be a
// student token of the class in the path.
func (s *Server) student(r *http.Request) (*classroom.Service, *classroom.Student, error) {
	cs, err := s.classService()
	if err != nil {
		return nil, nil, err
	}
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, nil, scs.Errorf(scs.EUNAUTHORIZED, "this needs the student token that joining answered: send Authorization: Bearer TOKEN")
	}
	st, err := cs.Student(r.Context(), r.PathValue("code"), strings.TrimSpace(token))
	return cs, st, err
}

func (s *Server) studentView(w http.ResponseWriter, r *http.Request) error {
	cs, st, err := s.student(r)
	if err != nil {
		return err
	}
	v, err := cs.View(r.Context(), st)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) studentConsent(w http.ResponseWriter, r *http.Request) error {
	cs, st, err := s.student(r)
	if err != nil {
		return err
	}
	b, err := s.Body(w, r)
	if err != nil {
		return err
	}
	yes, err := DecodeConsent(b)
	if err != nil {
		return err
	}
	if err := cs.Consent(r.Context(), st, yes); err != nil {
		return err
	}
	return s.studentView(w, r)
}

// ChoicesRequest is the body of POST /api/v1/classes/{code}/me/choices:
// the round and one option for each of its situations, by rule id.
type ChoicesRequest struct {
	Round   *int              `json:"round"`
	Choices map[string]string `json:"choices"`
}

func (s *Server) studentChoices(w http.ResponseWriter, r *http.Request) error {
	cs, st, err := s.student(r)
	if err != nil {
		return err
	}
	var req ChoicesRequest
	if err := s.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Round == nil {
		return fieldErrorf("round", "missing; want the number of the current round")
	}
	if err := cs.Play(r.Context(), st, *req.Round, req.Choices); err != nil {
		return err
	}
	return s.studentView(w, r)
}

// ClassReportRequest is the body of POST /api/v1/classes/{code}/me/reports.
type ClassReportRequest struct {
	Pseudonym string `json:"pseudonym"`
	Rule      string `json:"rule"`
}

func (s *Server) studentReport(w http.ResponseWriter, r *http.Request) error {
	cs, st, err := s.student(r)
	if err != nil {
		return err
	}
	var req ClassReportRequest
	if err := s.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Pseudonym == "" {
		return fieldErrorf("pseudonym", "missing; want a classmate's pseudonym, such as \"Citizen 4417\"")
	}
	if req.Rule == "" {
		return fieldErrorf("rule", "missing; want the rule of what they did this round")
	}
	rp, err := cs.ReportClassmate(r.Context(), st, req.Pseudonym, req.Rule)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusCreated, rp)
	return nil
}

// ClassObjectionRequest is the body of POST /api/v1/classes/{code}/me/objections.
type ClassObjectionRequest struct {
	Report int64  `json:"report"`
	Reason string `json:"reason"`
}

func (s *Server) studentObjection(w http.ResponseWriter, r *http.Request) error {
	cs, st, err := s.student(r)
	if err != nil {
		return err
	}
	var req ClassObjectionRequest
	if err := s.DecodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Report < 1 {
		return fieldErrorf("report", "missing; want the number of a report against you")
	}
	rp, err := cs.Object(r.Context(), st, req.Report, req.Reason)
	if err != nil {
		return err
	}
	s.JSON(w, http.StatusCreated, rp)
	return nil
}

// classEventsInterval bounds how long one server-sent events stream of a
// board stays open; the browser reconnects.
const classEventsInterval = 55 * time.Second
