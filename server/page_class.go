package server

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"scs"
	"scs/classroom"
)

// Classroom mode's pages: the teacher's new-class form, the board for a
// projector (live through server-sent events; without JavaScript it
// refreshes itself), the students' join, consent and play pages, and the
// printable debrief. Every word comes from the message catalogue
// (class_messages.go) in the visitor's language. The handlers decode the
// form and call package classroom; the game is decided there.

//go:embed templates/class/*.html
var classTemplateFS embed.FS

// studentCookie names the cookie holding a student's token for one class.
func studentCookie(code string) string { return "scs_student_" + code }

type classPages struct {
	once  sync.Once
	pages map[string]*template.Template
}

var classTemplates classPages

func (s *Server) classTemplate(name string) *template.Template {
	classTemplates.once.Do(func() {
		funcs := template.FuncMap{
			"signed": func(n int64) string { return fmt.Sprintf("%+d", n) },
			"pct": func(n, of int) int {
				if of == 0 {
					return 0
				}
				return 100 * n / of
			},
			"inc": func(n int) int { return n + 1 },
			"w":   func(w Word) template.HTML { return w.html() },
			"entryArgs": func(p classPage, e entryView) any {
				rounds := 0
				if sp, ok := p.Page.(studentPage); ok {
					rounds = sp.Rounds
				}
				return struct {
					L      *Localizer
					E      entryView
					Rounds int
				}{p.L, e, rounds}
			},
		}
		layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(classTemplateFS, "templates/class/layout.html"))
		classTemplates.pages = map[string]*template.Template{}
		names, _ := fs.Glob(classTemplateFS, "templates/class/*.html")
		for _, n := range names {
			base := path.Base(n)
			if base == "layout.html" {
				continue
			}
			classTemplates.pages[strings.TrimSuffix(base, ".html")] = template.Must(template.Must(layout.Clone()).ParseFS(classTemplateFS, n))
		}
	})
	return classTemplates.pages[name]
}

// classPage is what every class template receives.
type classPage struct {
	L       *Localizer
	Title   string
	CSRF    string
	Account *scs.Account
	Refresh int    // seconds; 0 for none (the no-JavaScript fallback)
	Path    string // the page's path, for the language links
	Page    any
}

// renderClass writes a class page (or, with fragment set, only its
// "body" template, for the board's live updates).
func (s *Server) renderClass(w http.ResponseWriter, r *http.Request, l *Localizer, status int, name, titleKey string, refresh int, data any) error {
	t := s.classTemplate(name)
	if t == nil {
		return fmt.Errorf("no class template %q", name)
	}
	p := classPage{L: l, Title: l.T(titleKey), CSRF: s.csrfToken(w, r), Account: AccountFrom(r.Context()), Refresh: refresh, Path: r.URL.Path, Page: data}
	var buf bytes.Buffer
	tmpl := "layout.html"
	if r.URL.Query().Get("fragment") == "1" {
		tmpl = "body"
	}
	if err := t.ExecuteTemplate(&buf, tmpl, p); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Language", l.Lang)
	h.Set("Vary", "Accept-Language, Cookie")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

// classFail renders an error on a class page in the visitor's language.
func (s *Server) classFail(w http.ResponseWriter, r *http.Request, err error) {
	if AccountFrom(r.Context()) == nil {
		r = s.pageAuth(r)
	}
	code := scs.ErrorCode(err)
	msg := scs.ErrorMessage(err)
	if code == scs.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = ""
	}
	status := Status(code)
	data := struct {
		Status  int
		Code    string
		Message string
		SignIn  bool
	}{status, code, msg, status == http.StatusUnauthorized && !strings.Contains(r.URL.Path, "/me")}
	if rerr := s.renderClass(w, r, s.localizer(w, r), status, "error", "error.title", 0, data); rerr != nil {
		s.log.Error("rendering the class error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

// classRoute adapts a class page handler like pageRoute (session, CSRF).
func (s *Server) classRoute(h HandlerFunc) HandlerFunc { return s.pageRoute(h) }

// classTeacher returns the classroom service and the signed-in teacher (or
// admin) for the teacher's pages.
func (s *Server) classTeacher(r *http.Request) (*classroom.Service, *scs.Account, error) {
	cs, err := s.classService()
	if err != nil {
		return nil, nil, err
	}
	a, err := mustSignIn(r)
	if err != nil {
		return nil, nil, err
	}
	if a.Role != scs.RoleTeacher && a.Role != scs.RoleAdmin {
		return nil, nil, scs.Errorf(scs.EFORBIDDEN, "classes are opened by teachers; account %s is a %s account", a.Name, a.Role)
	}
	return cs, a, nil
}

type newClassPage struct {
	Schemes  []string
	Titles   map[string]Word // the schemes' titles in the page's language
	Defaults classroom.Settings
	Classes  []classroom.Class
	Error    template.HTML
}

func (s *Server) pageClassNew(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	def, err := cs.Defaults("")
	if err != nil {
		return err
	}
	list, err := cs.Classes(r.Context(), a)
	if err != nil {
		return err
	}
	l := s.localizer(w, r)
	return s.renderClass(w, r, l, http.StatusOK, "new", "new.title", 0, newClassPage{Schemes: classroom.Schemes(), Titles: l.schemeTitles(cs), Defaults: def, Classes: list})
}

func (s *Server) pageClassCreate(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	f := r.PostForm
	scheme := f.Get("scheme")
	set, err := cs.Defaults(scheme)
	if err == nil {
		set.Informing, set.Cards, set.PublicList = f.Get("informing") == "on", f.Get("cards") == "on", f.Get("public_list") == "on"
		if n, perr := strconv.Atoi(strings.TrimSpace(f.Get("rounds"))); perr == nil {
			set.Rounds = n
		} else {
			err = scs.FieldErrorf(scs.EINVALID, "rounds", "%q is not a number", f.Get("rounds"))
		}
	}
	var c classroom.Class
	if err == nil {
		c, err = cs.Open(r.Context(), a, set)
	}
	if err != nil {
		if scs.ErrorCode(err) != scs.EINVALID {
			return err
		}
		def, _ := cs.Defaults("")
		list, _ := cs.Classes(r.Context(), a)
		l := s.localizer(w, r)
		return s.renderClass(w, r, l, http.StatusBadRequest, "new", "new.title", 0, newClassPage{Schemes: classroom.Schemes(), Titles: l.schemeTitles(cs), Defaults: def, Classes: list, Error: l.failure(err)})
	}
	cs.WarmDebrief(c.Scheme)
	return seeOther(w, r, "/class/"+c.Code+"/board")
}

// boardPage is the board with what the template needs beside it.
type boardPage struct {
	*classroom.Board
	JoinURL   string
	MaxGrade  int
	Situation []sitView
	Ended     bool
}

func joinURL(r *http.Request, code string) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/join?code=" + code
}

func (s *Server) pageClassBoard(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	b, err := cs.Board(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	l := s.localizer(w, r)
	l.useScheme(cs, b.Class.Scheme)
	p := boardPage{Board: b, JoinURL: joinURL(r, b.Class.Code), Ended: b.Class.Status == classroom.StatusEnded}
	for _, g := range b.Grades {
		p.MaxGrade = max(p.MaxGrade, g.Count)
	}
	for _, si := range b.Situations {
		p.Situation = append(p.Situation, l.situation(si, nil))
	}
	refresh := 10
	if b.Class.Status == classroom.StatusClosed {
		refresh = 0
	}
	return s.renderClass(w, r, l, http.StatusOK, "board", "board.title", refresh, p)
}

// pageClassEvents streams a message each time the class changes, for the
// board's script to fetch the board again; it ends after a while and the
// browser reconnects.
func (s *Server) pageClassEvents(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	if _, err := cs.Board(r.Context(), a, code); err != nil {
		return err
	}
	ch, stop := cs.Watch(code)
	defer stop()
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Now().Add(classEventsInterval + 10*time.Second))
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	rc.Flush()
	end := time.NewTimer(classEventsInterval)
	defer end.Stop()
	n := 0
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-end.C:
			return nil
		case <-ch:
			n++
			if _, err := fmt.Fprintf(w, "event: change\ndata: %d\n\n", n); err != nil {
				return nil
			}
			rc.Flush()
		}
	}
}

// pageClassQR serves the join link as a QR code (PNG), made here.
func (s *Server) pageClassQR(w http.ResponseWriter, r *http.Request) error {
	code := classroom.NormalizeCode(r.PathValue("code"))
	if !classroom.ValidCode(code) {
		return scs.FieldErrorf(scs.EINVALID, "code", "%q is not a class code", code)
	}
	png, err := qrcode.Encode(joinURL(r, code), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Write(png)
	return nil
}

func (s *Server) pageClassAdvance(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	c, err := cs.Advance(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	return seeOther(w, r, "/class/"+c.Code+"/board")
}

func (s *Server) pageClassDecide(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return scs.FieldErrorf(scs.EINVALID, "id", "%q is not a report number", r.PathValue("id"))
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	if _, err := cs.Decide(r.Context(), a, code, id, r.PostForm.Get("decision") == "uphold", r.PostForm.Get("reason")); err != nil {
		return err
	}
	return seeOther(w, r, "/class/"+code+"/board#objections")
}

func (s *Server) pageClassClose(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	if r.PostForm.Get("confirm") != "yes" {
		return scs.FieldErrorf(scs.EINVALID, "confirm", "tick the box to confirm: closing deletes every student's data")
	}
	if _, err := cs.Close(r.Context(), a, code); err != nil {
		return err
	}
	return seeOther(w, r, "/class/"+code+"/board")
}

func (s *Server) pageClassSummary(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	csv, err := cs.Summary(r.Context(), a, code)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="class-`+code+`.csv"`)
	w.Write([]byte(csv))
	return nil
}

type debriefPage struct {
	*classroom.Debrief
	Claims []claimView
}

type claimView struct {
	ID    string
	Sim   *classroom.SimFigure
	Class string // the class's figure in words
}

func (s *Server) pageClassDebrief(w http.ResponseWriter, r *http.Request) error {
	cs, a, err := s.classTeacher(r)
	if err != nil {
		return err
	}
	d, err := cs.Debrief(r.Context(), a, r.PathValue("code"))
	if err != nil {
		return err
	}
	l := s.localizer(w, r)
	l.useScheme(cs, d.Scheme)
	p := debriefPage{Debrief: d}
	for _, id := range d.Claims {
		cv := claimView{ID: id, Class: l.classFigure(id, &d.Class)}
		for i := range d.Sim {
			if d.Sim[i].ID == id {
				cv.Sim = &d.Sim[i]
			}
		}
		p.Claims = append(p.Claims, cv)
	}
	return s.renderClass(w, r, l, http.StatusOK, "debrief", "debrief.title", 0, p)
}

// The students' pages.

type joinPage struct {
	Code  string
	Error template.HTML
}

func (s *Server) pageJoin(w http.ResponseWriter, r *http.Request) error {
	code := classroom.NormalizeCode(r.URL.Query().Get("code"))
	if classroom.ValidCode(code) {
		if c, err := r.Cookie(studentCookie(code)); err == nil && c.Value != "" {
			if cs, err := s.classService(); err == nil {
				if _, err := cs.Student(r.Context(), code, c.Value); err == nil {
					return seeOther(w, r, "/class/"+code+"/me")
				}
			}
		}
	}
	return s.renderClass(w, r, s.localizer(w, r), http.StatusOK, "join", "join.title", 0, joinPage{Code: code})
}

func (s *Server) pageJoinPost(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.classService()
	if err != nil {
		return err
	}
	code := classroom.NormalizeCode(r.PostForm.Get("code"))
	_, token, err := cs.Join(r.Context(), code)
	if err != nil {
		if c := scs.ErrorCode(err); c == scs.EINVALID || c == scs.ENOTFOUND || c == scs.ECONFLICT {
			l := s.localizer(w, r)
			return s.renderClass(w, r, l, Status(c), "join", "join.title", 0, joinPage{Code: code, Error: l.failure(err)})
		}
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: studentCookie(code), Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(12 * time.Hour / time.Second)})
	return seeOther(w, r, "/class/"+code+"/me")
}

// pageStudent authenticates a student's page by the class's cookie.
func (s *Server) pageStudent(r *http.Request) (*classroom.Service, *classroom.Student, error) {
	cs, err := s.classService()
	if err != nil {
		return nil, nil, err
	}
	code := classroom.NormalizeCode(r.PathValue("code"))
	c, err := r.Cookie(studentCookie(code))
	if err != nil || c.Value == "" {
		return nil, nil, scs.Errorf(scs.EUNAUTHORIZED, "join the class first: /join?code=%s", url.QueryEscape(code))
	}
	st, err := cs.Student(r.Context(), code, c.Value)
	if err != nil && scs.ErrorCode(err) != scs.EINTERNAL {
		return nil, nil, scs.Errorf(scs.EUNAUTHORIZED, "join the class first: /join?code=%s", url.QueryEscape(code))
	}
	return cs, st, err
}

type studentPage struct {
	*classroom.View
	Situations []sitView
	Entries    []entryView
	Latest     []entryView
	Acts       []sitView // visible acts of the round, for the report form
	Error      template.HTML
	ErrorField string
	Ended      bool
}

func (s *Server) pageClassStudent(w http.ResponseWriter, r *http.Request) error {
	return s.showStudent(w, r, http.StatusOK, nil)
}

func (s *Server) showStudent(w http.ResponseWriter, r *http.Request, status int, fail error) error {
	cs, st, err := s.pageStudent(r)
	if err != nil {
		return err
	}
	v, err := cs.View(r.Context(), st)
	if err != nil {
		return err
	}
	l := s.localizer(w, r)
	l.useScheme(cs, v.Scheme)
	p := studentPage{View: v, Ended: v.Status == classroom.StatusEnded}
	if fail != nil {
		p.Error, p.ErrorField = l.failure(fail), scs.ErrorField(fail)
	}
	for _, si := range v.Situations {
		p.Situations = append(p.Situations, l.situation(si, st))
	}
	for _, e := range v.Entries {
		ev := l.entry(e)
		p.Entries = append(p.Entries, ev)
		if e.Round == v.Round {
			p.Latest = append(p.Latest, ev)
		}
	}
	if v.Status == classroom.StatusPlaying {
		if b, err := cs.RoundSituations(r.Context(), st); err == nil {
			for _, si := range b {
				if si.Visible {
					p.Acts = append(p.Acts, l.situation(si, nil))
				}
			}
		}
	}
	refresh := 0
	if len(p.Situations) == 0 && !p.Ended && v.Consent != "pending" {
		refresh = 8
	}
	return s.renderClass(w, r, l, status, "student", "student.title", refresh, p)
}

// studentAct runs a student's form and shows the page again: with the
// error at its field when the form was wrong.
func (s *Server) studentAct(w http.ResponseWriter, r *http.Request, act func(cs *classroom.Service, st *classroom.Student) error) error {
	cs, st, err := s.pageStudent(r)
	if err != nil {
		return err
	}
	if err := act(cs, st); err != nil {
		switch scs.ErrorCode(err) {
		case scs.EINVALID, scs.ECONFLICT, scs.ENOTFOUND, scs.EFORBIDDEN:
			return s.showStudent(w, r, Status(scs.ErrorCode(err)), err)
		}
		return err
	}
	return seeOther(w, r, "/class/"+st.Class+"/me")
}

func (s *Server) pageClassConsent(w http.ResponseWriter, r *http.Request) error {
	return s.studentAct(w, r, func(cs *classroom.Service, st *classroom.Student) error {
		return cs.Consent(r.Context(), st, r.PostForm.Get("consent") == "yes")
	})
}

func (s *Server) pageClassPlay(w http.ResponseWriter, r *http.Request) error {
	return s.studentAct(w, r, func(cs *classroom.Service, st *classroom.Student) error {
		round, err := strconv.Atoi(r.PostForm.Get("round"))
		if err != nil {
			return scs.FieldErrorf(scs.EINVALID, "round", "missing")
		}
		opts := map[string]string{}
		for k, v := range r.PostForm {
			if rule, ok := strings.CutPrefix(k, "s-"); ok && len(v) > 0 {
				opts[rule] = v[0]
			}
		}
		return cs.Play(r.Context(), st, round, opts)
	})
}

func (s *Server) pageClassReport(w http.ResponseWriter, r *http.Request) error {
	return s.studentAct(w, r, func(cs *classroom.Service, st *classroom.Student) error {
		_, err := cs.ReportClassmate(r.Context(), st, r.PostForm.Get("pseudonym"), r.PostForm.Get("rule"))
		return err
	})
}

func (s *Server) pageClassObject(w http.ResponseWriter, r *http.Request) error {
	return s.studentAct(w, r, func(cs *classroom.Service, st *classroom.Student) error {
		id, err := strconv.ParseInt(r.PostForm.Get("report"), 10, 64)
		if err != nil {
			return scs.FieldErrorf(scs.EINVALID, "report", "missing")
		}
		_, err = cs.Object(r.Context(), st, id, r.PostForm.Get("reason"))
		return err
	})
}
