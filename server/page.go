package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
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

	"scs"
	"scs/internal/numfmt"
	"scs/quiz"
)

// The web pages: server-rendered HTML from templates/, with the assets of
// static/, both embedded in the binary. Pages work without JavaScript;
// every form is protected against cross-site request forgery; signing in
// turns an account token into a session cookie.

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie = "scs_session"
	csrfCookie    = "scs_csrf"
)

// SessionTTL is how long a web session lasts without use.
const SessionTTL = 12 * time.Hour

// maxForm is the largest form body a page accepts, in bytes.
const maxForm = 64 << 10

// web is the state of the web pages: templates, sessions and the key that
// signs CSRF tokens. Sessions live in memory: a restart signs everyone out.
type web struct {
	pages  map[string]*template.Template
	key    []byte
	quiz   *quiz.Test
	static http.Handler

	mu       sync.Mutex
	sessions map[string]*session
	sessionN uint64            // sign-ins so far, to order sessions
	settings map[string]string // see SetCitySettings

	stats       staleCache[scs.Stats]
	visits      staleCache[[]scs.Visit]
	watch       staleCache[listPageResult]
	watchN      staleCache[int]
	public      staleCache[listPageResult]
	cityMu      sync.Mutex
	history     *history
	historyBusy bool
}

type session struct {
	token   string // the account token, re-checked on every request
	expires time.Time
	account int64  // the account signed in
	n       uint64 // the order of sign-ins: the lowest is the oldest
}

// Bounds of the session store: at most MaxSessionsPerAccount sessions of
// one account and MaxSessions in all; signing in beyond either ends the
// oldest session (of the account, then of anyone).
const (
	MaxSessionsPerAccount = 8
	MaxSessions           = 10000
)

func newWeb(s *Server) *web {
	w := &web{sessions: make(map[string]*session), pages: make(map[string]*template.Template)}
	w.key = make([]byte, 32)
	rand.Read(w.key)
	w.quiz = quiz.New(s.eng)
	layout := template.Must(template.New("layout.html").Funcs(pageFuncs(s)).ParseFS(templateFS, "templates/layout.html"))
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" {
			continue
		}
		w.pages[strings.TrimSuffix(base, ".html")] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	sub, _ := fs.Sub(staticFS, "static")
	w.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	return w
}

func pageFuncs(s *Server) template.FuncMap {
	return template.FuncMap{
		"day": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.In(s.zone()).Format("2006-01-02")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.In(s.zone()).Format("2006-01-02")
			}
			return ""
		},
		"when":   func(t time.Time) string { return t.In(s.zone()).Format(scs.TimeLayout) },
		"signed": func(n int64) string { return fmt.Sprintf("%+d", n) },
		"num":    func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) },
		"count":  groupThousands,
		"yesno": func(b bool) string {
			if b {
				return "yes"
			}
			return "no"
		},
		"lower":  strings.ToLower,
		"mul100": func(f float64) float64 { return 100 * f },
		"add":    func(a, b int) int { return a + b },
		"status": func(st scs.Status) string { return string(st) },
		"capdesc": func(name string) string {
			if c, ok := s.reg.Scheme().Capability(name); ok {
				return c.Description
			}
			return name
		},
	}
}

// SetCitySettings records the simulation settings that made the city
// (seed, citizens, years, scheme), for the city page; cmd/scs serve calls
// it after filling a demo city. A registry that remembers its own settings
// (Settingser) takes precedence.
func (s *Server) SetCitySettings(m map[string]string) {
	s.web.mu.Lock()
	defer s.web.mu.Unlock()
	s.web.settings = make(map[string]string, len(m))
	for k, v := range m {
		s.web.settings[k] = v
	}
}

// zone is the scheme's time zone, in which pages show days.
func (s *Server) zone() *time.Location {
	if s.reg == nil {
		return time.UTC
	}
	if l := s.reg.Scheme().Location; l != nil {
		return l
	}
	return time.UTC
}

// page is what every template receives.
type page struct {
	Title   string
	Nav     string // the nav item of the page, for aria-current
	Account *scs.Account
	CSRF    string
	Scheme  *scs.Scheme
	Now     time.Time
	Page    any
}

// render writes a page with the given status.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) error {
	t, ok := s.web.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p := page{Title: title, Nav: nav, Account: AccountFrom(r.Context()), CSRF: s.csrfToken(w, r), Scheme: s.reg.Scheme(), Now: s.now(), Page: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return fmt.Errorf("rendering %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	if AccountFrom(r.Context()) != nil {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}

type errorPage struct {
	Status  int
	Code    string
	Message string
	SignIn  bool
}

// pageFail renders an error as an HTML page with the status of its code.
// Internal errors are logged and shown as a generic message.
func (s *Server) pageFail(w http.ResponseWriter, r *http.Request, err error) {
	if AccountFrom(r.Context()) == nil {
		r = s.pageAuth(r) // the route's wrapper hands over the request it received
	}
	code := scs.ErrorCode(err)
	msg := scs.ErrorMessage(err)
	if code == scs.EINTERNAL {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side; it has been logged."
	}
	status := Status(code)
	title := http.StatusText(status)
	if rerr := s.render(w, r, status, "error", title, "", errorPage{Status: status, Code: code, Message: msg, SignIn: status == http.StatusUnauthorized}); rerr != nil {
		s.log.Error("rendering the error page", "err", rerr)
		http.Error(w, msg, status)
	}
}

// staticFile serves the embedded assets.
func (s *Server) staticFile(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	s.web.static.ServeHTTP(w, r)
	return nil
}

// pageAuth puts the session's account, if any, in the request's context.
// A page route is open to anyone; each handler asks for the account it
// needs with mustSignIn.
func (s *Server) pageAuth(r *http.Request) *http.Request {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return r
	}
	s.web.mu.Lock()
	sess, ok := s.web.sessions[c.Value]
	now := s.now()
	if ok && now.After(sess.expires) {
		delete(s.web.sessions, c.Value)
		ok = false
	}
	if ok {
		sess.expires = now.Add(SessionTTL)
	}
	s.web.mu.Unlock()
	if !ok {
		return r
	}
	a, err := s.reg.Authenticate(r.Context(), sess.token)
	if err != nil || a == nil {
		return r
	}
	return r.WithContext(WithAccount(r.Context(), a))
}

// mustSignIn returns the signed-in account or an scs.EUNAUTHORIZED error
// that the error page turns into a link to sign in.
func mustSignIn(r *http.Request) (*scs.Account, error) {
	if a := AccountFrom(r.Context()); a != nil {
		return a, nil
	}
	return nil, scs.Errorf(scs.EUNAUTHORIZED, "this page needs you to sign in")
}

// pageRoute adapts a page handler: the session's account, and the CSRF
// check on every POST.
func (s *Server) pageRoute(h HandlerFunc) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		r = s.pageAuth(r)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if err := r.ParseForm(); err != nil {
				return scs.Errorf(scs.EINVALID, "the form could not be read (at most %d bytes)", maxForm)
			}
			if !s.csrfValid(r) {
				return scs.Errorf(scs.EFORBIDDEN, "the form's security token is missing or stale; reload the page and try again")
			}
		}
		return h(w, r)
	}
}

// csrfToken returns the token forms carry: an HMAC of the visitor's CSRF
// cookie (set here when missing) and their session, so a token works only
// for the browser and the session it was made for.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	seed := ""
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 16 {
		seed = c.Value
	} else {
		seed = randomID()
		http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: seed, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	}
	return s.csrfFor(seed, sessionID(r))
}

func (s *Server) csrfFor(seed, sid string) string {
	m := hmac.New(sha256.New, s.web.key)
	m.Write([]byte(seed))
	m.Write([]byte{0})
	m.Write([]byte(sid))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) csrfValid(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || len(c.Value) < 16 {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	want := s.csrfFor(c.Value, sessionID(r))
	return hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(want))
}

func sessionID(r *http.Request) string {
	if AccountFrom(r.Context()) == nil {
		return ""
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value
	}
	return ""
}

func randomID() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// seeOther redirects after a successful POST.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

type signInPage struct {
	Error string
	Next  string
}

func (s *Server) pageSignIn(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "signin", "Sign in", "signin", signInPage{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) pageSignInPost(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSpace(r.PostForm.Get("token"))
	next := safeNext(r.PostForm.Get("next"))
	a, err := s.reg.Authenticate(r.Context(), token)
	if token == "" || err != nil || a == nil {
		if err != nil && scs.ErrorCode(err) == scs.EINTERNAL {
			return err
		}
		msg := "This token is unknown or revoked."
		if token == "" {
			msg = "Enter your account token."
		}
		return s.render(w, r, http.StatusUnauthorized, "signin", "Sign in", "signin", signInPage{Error: msg, Next: next})
	}
	sid := randomID()
	s.web.mu.Lock()
	now := s.now()
	s.web.addSession(sid, &session{token: token, expires: now.Add(SessionTTL), account: a.ID}, now)
	s.web.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: int(SessionTTL / time.Second)})
	if next == "/" {
		switch a.Role {
		case scs.RoleCitizen:
			next = "/citizens/" + url.PathEscape(a.Citizen)
		case scs.RoleOfficial:
			next = "/desk"
		case scs.RoleReviewer:
			next = "/review"
		case scs.RoleTeacher:
			next = "/class/new"
		}
	}
	return seeOther(w, r, next)
}

// addSession stores sess under sid, after dropping expired sessions and,
// to stay within the bounds, the oldest of the account's and then the
// oldest of all. The caller holds w.mu.
func (w *web) addSession(sid string, sess *session, now time.Time) {
	w.sessionN++
	sess.n = w.sessionN
	oldest := func(match func(*session) bool) (string, int) {
		key, n := "", 0
		var low uint64
		for k, v := range w.sessions {
			if match(v) {
				n++
				if key == "" || v.n < low {
					key, low = k, v.n
				}
			}
		}
		return key, n
	}
	for k, v := range w.sessions {
		if now.After(v.expires) {
			delete(w.sessions, k)
		}
	}
	for {
		k, n := oldest(func(v *session) bool { return v.account == sess.account })
		if n < MaxSessionsPerAccount {
			break
		}
		delete(w.sessions, k)
	}
	for len(w.sessions) >= MaxSessions {
		k, _ := oldest(func(*session) bool { return true })
		delete(w.sessions, k)
	}
	w.sessions[sid] = sess
}

func (s *Server) pageSignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.web.mu.Lock()
		delete(s.web.sessions, c.Value)
		s.web.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil, MaxAge: -1})
	return seeOther(w, r, "/")
}

// formText is a text typed in a form as the registry takes it: the line
// ends a browser sends (CR LF) become line feeds, and surrounding space goes.
func formText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// safeNext keeps a redirect target on this site: it returns n when n is a
// path that starts with a single slash followed by anything but a slash
// and holds no control character, space, backslash or byte beyond ASCII
// (browsers drop tabs and line breaks from a URL and read a backslash as a
// slash, which would turn "/<TAB>/evil.example" into "//evil.example");
// "/" otherwise.
func safeNext(n string) string {
	if n == "" || n[0] != '/' || len(n) > 2048 {
		return "/"
	}
	if len(n) > 1 && (n[1] == '/' || n[1] == '\\') {
		return "/"
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c <= ' ' || c == 0x7f || c == '\\' || c >= 0x80 {
			return "/"
		}
	}
	if u, err := url.Parse(n); err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return "/"
	}
	return n
}

// groupThousands writes a count with thousands separators, "20,000", as a
// person reads it; other values are printed as they are.
func groupThousands(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	return numfmt.Int(n)
}
