// Package server is scs's HTTP service: the JSON API under /api/v1 (and,
// beside it, the web pages) over a scs.Registry. A Server is built from its
// dependencies by New; routes.go lists every route it serves.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"scs"
	"scs/classroom"
	"scs/engine"
)

// DefaultMaxBody is the default limit on a request body, in bytes.
const DefaultMaxBody = 8 << 20

// DefaultMaxBatch is the default limit on the records in one batch request.
const DefaultMaxBatch = 10_000

// Options tune a Server. Zero values take the defaults.
type Options struct {
	// MaxBody is the largest request body accepted, in bytes (413 beyond it).
	MaxBody int64
	// MaxBatch is the largest number of records in one batch request.
	MaxBatch int
	// PageLimit is the default page size of lists; MaxPageLimit the largest asked.
	PageLimit, MaxPageLimit int
}

// Deps are what a Server is built from.
type Deps struct {
	// Registry is the registry served; required.
	Registry scs.Registry
	// Engine scores under the registry's scheme; New compiles one when nil.
	// The server uses it only to check records before they are reported, so
	// that a bad record in a batch is named by its position.
	Engine *engine.Engine
	// Logger receives one line per internal error and per request served
	// with a 5xx status; slog.Default() when nil.
	Logger *slog.Logger
	// RequestLog, when not nil, receives one line per request: its method,
	// route pattern, status and duration; never its query, body or token.
	RequestLog *slog.Logger
	// Now is the clock for "as of now"; time.Now when nil.
	Now func() time.Time
	// Options tune limits.
	Options Options
	// Classes runs classroom mode (classroom.New over the store); the class
	// routes answer "not found" without it.
	Classes *classroom.Service
	// SettingDoc, when not nil, says what a setting of the simulated city
	// means, for the city page; the page shows the bare names without it.
	SettingDoc func(name string) string
	// Checkpoints, when not nil, serves GET /api/v1/checkpoint.
	Checkpoints Checkpoints
	// Pinger, when not nil, tells /healthz whether the database answers.
	Pinger Pinger
	// Settings, when not nil, gives the settings the city was simulated
	// with, for the city page (SetCitySettings's otherwise).
	Settings Settingser
	// History, when not nil, counts citizens per grade at past year-ends
	// for the city page's chart; the page has no such chart without it.
	History scs.GradeHistory
}

// Checkpoints gives the latest signed head of the ledger.
type Checkpoints interface {
	LatestCheckpoint(ctx context.Context) (scs.Checkpoint, bool, error)
}

// Server serves the API. It is safe for concurrent use.
type Server struct {
	reg     scs.Registry
	eng     *engine.Engine
	log     *slog.Logger
	reqlog  *slog.Logger
	now     func() time.Time
	opts    Options
	mux     *http.ServeMux
	handler http.Handler // mux behind the cross-origin guard
	routes  []Route
	metrics *Metrics
	// statsSlot lets one request at a time compute the registry's totals
	// as of a time it names (a scan of the whole registry).
	statsSlot chan struct{}
	web       *web
	classes   *classroom.Service
	ckpts     Checkpoints
	setDoc    func(name string) string
	pinger    Pinger
	settings  Settingser
	history   scs.GradeHistory
	bg        *background
}

// New builds a Server from its dependencies. It fails when the registry is
// missing or its scheme does not compile.
func New(d Deps) (*Server, error) {
	if d.Registry == nil {
		return nil, errors.New("server: no registry")
	}
	s := &Server{reg: d.Registry, eng: d.Engine, log: d.Logger, reqlog: d.RequestLog, now: d.Now, opts: d.Options, setDoc: d.SettingDoc,
		pinger: d.Pinger, settings: d.Settings, history: d.History}
	if s.eng == nil {
		e, err := engine.New(d.Registry.Scheme())
		if err != nil {
			return nil, err
		}
		s.eng = e
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.opts.MaxBody <= 0 {
		s.opts.MaxBody = DefaultMaxBody
	}
	if s.opts.MaxBatch <= 0 {
		s.opts.MaxBatch = DefaultMaxBatch
	}
	if s.opts.PageLimit <= 0 {
		s.opts.PageLimit = 50
	}
	if s.opts.MaxPageLimit <= 0 {
		s.opts.MaxPageLimit = 1000
	}
	s.ckpts = d.Checkpoints
	s.classes = d.Classes
	s.bg = newBackground(s.now)
	s.metrics = newMetrics()
	s.statsSlot = make(chan struct{}, 1)
	s.web = newWeb(s)
	s.routes = s.routeTable()
	s.mux = http.NewServeMux()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Path, s.wrap(rt))
	}
	s.mux.Handle("/", s.wrap(Route{Path: "/", Name: "unmatched", Handler: s.notFound, Fail: s.unmatchedFail}))
	// The first guard against cross-site requests: a browser's unsafe
	// request from another origin is refused before any handler runs (the
	// forms' CSRF tokens stay as the second). Clients that are not
	// browsers send neither Sec-Fetch-Site nor Origin and pass.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Fail(w, r, scs.Errorf(scs.EFORBIDDEN, "a cross-origin %s from a browser is refused", r.Method))
	}))
	s.handler = cop.Handler(s.mux)
	return s, nil
}

// Close stops the server's background work (the pages' cache refreshes and
// the city's history) and waits for it to end. Requests served after
// Close still answer, from what was read before. Close the server after
// the HTTP server that serves it has shut down, and before its registry.
func (s *Server) Close() error {
	s.bg.close()
	return nil
}

// ServeHTTP serves one request. Every response, whatever route or error
// made it, says X-Content-Type-Options: nosniff.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.handler.ServeHTTP(w, r)
}

// Routes returns the route table, in the order of routes.go.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Metrics returns the server's metrics, for a caller that counts more.
func (s *Server) Metrics() *Metrics { return s.metrics }

// HandlerFunc serves a request; an error it returns is rendered by the
// route's Fail function (a JSON error by default).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Access says who may reach a route before the registry's own checks.
type Access int

const (
	// Anyone may call the route; a bearer token, if sent, must be valid.
	Anyone Access = iota
	// SignedIn routes need a valid bearer token (401 otherwise); the
	// registry then checks what the account's role allows (403).
	SignedIn
	// ClassToken routes take a classroom student's token as the bearer
	// token; the handler checks it against the class (package classroom).
	ClassToken
)

// Route is one entry of the route table.
type Route struct {
	Method  string // GET, POST, PUT, DELETE
	Path    string // a net/http pattern path, such as /api/v1/citizens/{id}
	Name    string // a short name for logs
	Access  Access
	Handler HandlerFunc
	// Page marks a web page (not in the OpenAPI document).
	Page bool
	// Fail renders an error from Handler; nil for the JSON error.
	Fail func(w http.ResponseWriter, r *http.Request, err error)
}

// Pattern returns the route as a net/http pattern, "GET /api/v1/stats".
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

type ctxKey int

const accountKey ctxKey = 0

// AccountFrom returns the account that made the request, nil for anyone.
func AccountFrom(ctx context.Context) *scs.Account {
	a, _ := ctx.Value(accountKey).(*scs.Account)
	return a
}

// WithAccount returns ctx carrying the account a, for handlers that
// authenticate another way (a web page's session) before calling helpers
// that read AccountFrom.
func WithAccount(ctx context.Context, a *scs.Account) context.Context {
	return context.WithValue(ctx, accountKey, a)
}

// wrap adds to a route's handler: authentication, metrics, error rendering
// and recovery from panics (logged, answered with a 500).
func (s *Server) wrap(rt Route) http.Handler {
	label := rt.Pattern()
	if rt.Method == "" {
		label = rt.Name
	}
	fail := rt.Fail
	if fail == nil {
		fail = s.Fail
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					fail(sw, r, errors.New("panic"))
				}
			}
			took := time.Since(start)
			s.metrics.observe(label, r.Method, sw.code(), took)
			if s.reqlog != nil {
				s.reqlog.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
					slog.String("route", label), slog.Int("status", sw.code()), slog.Duration("duration", took))
			}
		}()
		r, err := s.authenticate(r, rt.Access)
		if err == nil {
			err = rt.Handler(sw, r)
		}
		if err != nil {
			fail(sw, r, err)
		}
	})
}

// authenticate reads the bearer token, if any, and puts its account in the
// request's context.
func (s *Server) authenticate(r *http.Request, access Access) (*http.Request, error) {
	if access == ClassToken {
		return r, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		if access == SignedIn {
			return r, scs.Errorf(scs.EUNAUTHORIZED, "this needs an account: send Authorization: Bearer TOKEN")
		}
		return r, nil
	}
	scheme, token, ok := strings.Cut(h, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return r, scs.Errorf(scs.EUNAUTHORIZED, "Authorization header: want \"Bearer TOKEN\"")
	}
	a, err := s.reg.Authenticate(r.Context(), token)
	if err != nil {
		if scs.ErrorCode(err) == scs.EINTERNAL {
			return r, err
		}
		return r, scs.Errorf(scs.EUNAUTHORIZED, "the bearer token is unknown or revoked")
	}
	if a == nil {
		return r, scs.Errorf(scs.EUNAUTHORIZED, "the bearer token is unknown or revoked")
	}
	return r.WithContext(WithAccount(r.Context(), a)), nil
}

// notFound answers a request no route matched: 405 with Allow when the
// path exists under another method, 404 otherwise.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pat := s.mux.Handler(probe); pat != "" && pat != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return Errorf(EMETHOD, "%s %s: method not allowed (allowed: %s)", r.Method, r.URL.Path, strings.Join(allow, ", "))
	}
	return scs.Errorf(scs.ENOTFOUND, "no such path: %s", r.URL.Path)
}

// unmatchedFail answers a request no route matched as the API does (JSON)
// under /api/, /healthz and /metrics, and as an error page anywhere else,
// where a browser asked ("/citizens/", "/favicon.ico", GET /signout).
func (s *Server) unmatchedFail(w http.ResponseWriter, r *http.Request, err error) {
	p := r.URL.Path
	if strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/metrics" {
		s.Fail(w, r, err)
		return
	}
	s.pageFail(w, r, err)
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
