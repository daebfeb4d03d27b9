// Package schemes reads and validates scheme files (YAML) and holds the
// built-in schemes, embedded in the binary.
package schemes

import (
	"embed"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // every machine can load the schemes' time zones

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"scs"
)

//go:embed *.yaml
var builtin embed.FS

// MaxFileSize is the largest scheme file Parse accepts.
const MaxFileSize = 4 << 20

// Names returns the names of the built-in schemes, sorted.
func Names() []string {
	ents, _ := builtin.ReadDir(".")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Builtin returns the source of the named built-in scheme.
func Builtin(name string) ([]byte, bool) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	b, err := builtin.ReadFile(name + ".yaml")
	return b, err == nil
}

// Load returns the built-in scheme called nameOrPath or, when there is no
// such built-in scheme, the scheme in the file at that path. Errors are
// scs.EINVALID (a bad file, naming file:line and field) or scs.ENOTFOUND.
func Load(nameOrPath string) (*scs.Scheme, error) {
	if b, ok := Builtin(nameOrPath); ok {
		return Parse(nameOrPath+".yaml", b)
	}
	b, err := os.ReadFile(nameOrPath)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, scs.Errorf(scs.ENOTFOUND, "scheme %q: no built-in scheme of that name (have %s) and no such file", nameOrPath, strings.Join(Names(), ", "))
		}
		return nil, scs.Errorf(scs.EINVALID, "scheme %q: %v", nameOrPath, err)
	}
	return Parse(filepath.Clean(nameOrPath), b)
}

// MustLoad is Load for built-in schemes in tests and examples; it panics on
// error, so it must never be given user input.
func MustLoad(name string) *scs.Scheme {
	s, err := Load(name)
	if err != nil {
		panic(err)
	}
	return s
}

// Problem is one fault in a scheme file.
type Problem struct {
	Line, Column int
	Path         string // YAML path, such as $.grades[2].max
	Message      string
}

// ParseError lists every problem found in one scheme file.
type ParseError struct {
	File     string
	Problems []Problem
}

// Error renders one problem a line, as file:line:column: path: message.
func (e *ParseError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, p.Line, p.Column)
		if p.Path != "" {
			b.WriteString(strings.TrimPrefix(p.Path, "$."))
			b.WriteString(": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// Unwrap presents the error as an scs.EINVALID error.
func (e *ParseError) Unwrap() error { return &scs.Error{Code: scs.EINVALID, Message: e.Error()} }

type fileScheme struct {
	Name            string           `yaml:"name"`
	Kind            string           `yaml:"kind"`
	Recompute       *fileRecompute   `yaml:"recompute"`
	Factors         []fileFactor     `yaml:"factors"`
	Title           string           `yaml:"title"`
	Description     string           `yaml:"description"`
	SourcesAsOf     string           `yaml:"sources_as_of"`
	TimeZone        string           `yaml:"time_zone"`
	Start           *int64           `yaml:"start"`
	Floor           *int64           `yaml:"floor"`
	Ceiling         *int64           `yaml:"ceiling"`
	ConsentRequired bool             `yaml:"consent_required"`
	Retroactive     *fileProvenance  `yaml:"retroactive"`
	Eligibility     *fileEligibility `yaml:"eligibility"`
	Figures         *fileFigures     `yaml:"figures"`
	Grades          []fileGrade      `yaml:"grades"`
	Capabilities    []fileCapability `yaml:"capabilities"`
	Rules           []fileRule       `yaml:"rules"`
	// Departments maps a department to the reporter of the vocabulary it
	// is, for departments named otherwise.
	Departments map[string]string `yaml:"departments"`
}

type fileProvenance struct {
	Source string `yaml:"source"`
	Status string `yaml:"status"`
	Notes  string `yaml:"notes"`
}

type fileRecompute struct {
	Every  string `yaml:"every"`
	Source string `yaml:"source"`
	Status string `yaml:"status"`
	Notes  string `yaml:"notes"`
}

type fileFactor struct {
	Name        string        `yaml:"name"`
	Description string        `yaml:"description"`
	Weight      *float64      `yaml:"weight"`
	Window      *fileWindow   `yaml:"window"`
	SubScore    *fileSubScore `yaml:"sub_score"`
	Inputs      []fileInput   `yaml:"inputs"`
	Source      string        `yaml:"source"`
	Status      string        `yaml:"status"`
	Notes       string        `yaml:"notes"`
}

type fileWindow struct {
	Last     string `yaml:"last"`
	Lifetime bool   `yaml:"lifetime"`
	HalfLife string `yaml:"half_life"`
	Source   string `yaml:"source"`
	Status   string `yaml:"status"`
	Notes    string `yaml:"notes"`
}

type fileSubScore struct {
	From   *float64 `yaml:"from"`
	To     *float64 `yaml:"to"`
	Source string   `yaml:"source"`
	Status string   `yaml:"status"`
	Notes  string   `yaml:"notes"`
}

type fileInput struct {
	Conduct    string   `yaml:"conduct"`
	Value      *float64 `yaml:"value"`
	Department string   `yaml:"department"`
	Source     string   `yaml:"source"`
	Status     string   `yaml:"status"`
	Notes      string   `yaml:"notes"`
}

type fileFigures struct {
	Start   *fileProvenance `yaml:"start"`
	Floor   *fileProvenance `yaml:"floor"`
	Ceiling *fileProvenance `yaml:"ceiling"`
}

type fileEligibility struct {
	MinAge       *int   `yaml:"min_age"`
	MinResidence string `yaml:"min_residence"`
	Source       string `yaml:"source"`
	Status       string `yaml:"status"`
	Notes        string `yaml:"notes"`
}

type fileGrade struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	Min         *int64      `yaml:"min"`
	Max         *int64      `yaml:"max"`
	LockIn      string      `yaml:"lock_in"`
	Visits      *fileVisits `yaml:"visits"`
	Source      string      `yaml:"source"`
	Status      string      `yaml:"status"`
	Notes       string      `yaml:"notes"`
}

type fileVisits struct {
	Times  int         `yaml:"times"`
	Every  string      `yaml:"every"`
	Source string      `yaml:"source"`
	Status string      `yaml:"status"`
	Advice *fileAdvice `yaml:"advice"`
}

type fileAdvice struct {
	Rules  []string `yaml:"rules"`
	Source string   `yaml:"source"`
	Status string   `yaml:"status"`
	Notes  string   `yaml:"notes"`
}

type fileCapability struct {
	Name        string   `yaml:"name"`
	Kind        string   `yaml:"kind"`
	Description string   `yaml:"description"`
	Grades      []string `yaml:"grades"`
	Source      string   `yaml:"source"`
	Status      string   `yaml:"status"`
	Notes       string   `yaml:"notes"`
}

type fileRule struct {
	ID          string       `yaml:"id"`
	Conduct     string       `yaml:"conduct"`
	Description string       `yaml:"description"`
	Category    string       `yaml:"category"`
	Department  string       `yaml:"department"`
	Points      *int64       `yaml:"points"`
	PerUnit     *filePerUnit `yaml:"per_unit"`
	Range       *fileRange   `yaml:"range"`
	Tiered      *fileTiered  `yaml:"tiered"`
	DropTo      *string      `yaml:"drop_to"`
	YearlyCap   *int64       `yaml:"yearly_cap"`
	Act         *fileAct     `yaml:"act"`
	Source      string       `yaml:"source"`
	Status      string       `yaml:"status"`
	Notes       string       `yaml:"notes"`
}

type fileAct struct {
	Yuan        *float64 `yaml:"yuan"`
	Hours       *float64 `yaml:"hours"`
	MaxPerYear  *float64 `yaml:"max_per_year"`
	Plannable   *bool    `yaml:"plannable"`
	HarmsOthers bool     `yaml:"harms_others"`
	Source      string   `yaml:"source"`
	Status      string   `yaml:"status"`
	Notes       string   `yaml:"notes"`
}

type filePerUnit struct {
	Points   *int64   `yaml:"points"`
	Per      *float64 `yaml:"per"`
	Quantity string   `yaml:"quantity"`
}

type fileRange struct {
	Min *int64 `yaml:"min"`
	Max *int64 `yaml:"max"`
}

type fileTiered struct {
	Quantity string     `yaml:"quantity"`
	Tiers    []fileTier `yaml:"tiers"`
}

type fileTier struct {
	UpTo   *float64 `yaml:"up_to"`
	Per    *float64 `yaml:"per"`
	Points *int64   `yaml:"points"`
}

// Parse reads and validates a scheme file. file names it in errors. Every
// problem found is reported, each with its line, column and field, in a
// *ParseError that unwraps to an scs.EINVALID error.
func Parse(file string, data []byte) (s *scs.Scheme, err error) {
	if len(data) > MaxFileSize {
		return nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: fmt.Sprintf("file is %d bytes; the limit is %d", len(data), MaxFileSize)}}}
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: fmt.Sprintf("the YAML reader failed on this file: %v", r)}}}
		}
	}()
	f, perr := parser.ParseBytes(data, 0)
	if perr != nil {
		return nil, yamlProblem(file, perr)
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: "want exactly one YAML document holding a scheme"}}}
	}
	if f.Docs[0].Body.Type() != ast.MappingType {
		return nil, &ParseError{File: file, Problems: []Problem{{Line: 1, Column: 1, Message: "want a mapping of scheme fields (name, grades, rules, ...) at the top level"}}}
	}
	if probs := shapeProblems(f.Docs[0].Body); len(probs) > 0 {
		return nil, &ParseError{File: file, Problems: probs}
	}
	var fs fileScheme
	if err := yaml.NodeToValue(f.Docs[0].Body, &fs, yaml.DisallowUnknownField()); err != nil {
		return nil, yamlProblem(file, err)
	}
	v := &validator{file: file, ast: f}
	s = v.scheme(&fs)
	if len(v.problems) > 0 {
		return nil, &ParseError{File: file, Problems: v.problems}
	}
	s.Index()
	return s, nil
}

func yamlProblem(file string, err error) error {
	var ye yaml.Error
	p := Problem{Line: 1, Column: 1, Message: err.Error()}
	if errors.As(err, &ye) {
		p.Message = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return &ParseError{File: file, Problems: []Problem{p}}
}

type validator struct {
	file     string
	ast      *ast.File
	problems []Problem
}

// fail records a problem at the YAML path; when the path does not exist in
// the file (a missing field) the nearest existing parent gives the line.
func (v *validator) fail(path, format string, args ...any) {
	p := Problem{Path: path, Message: fmt.Sprintf(format, args...), Line: 1, Column: 1}
	for q := path; q != "" && q != "$"; q = parent(q) {
		yp, err := yaml.PathString(q)
		if err != nil {
			continue
		}
		n, err := yp.FilterFile(v.ast)
		if err != nil || n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
			continue
		}
		p.Line, p.Column = n.GetToken().Position.Line, n.GetToken().Position.Column
		break
	}
	v.problems = append(v.problems, p)
}

func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i <= 0 {
		return ""
	}
	return path[:i]
}

func (v *validator) status(path, s string) scs.Status {
	st := scs.Status(s)
	if s == "" {
		v.fail(path, "missing; want one of essay, official, secondary, assumed")
	} else if !st.Valid() {
		v.fail(path, "%q is not a status; want one of essay, official, secondary, assumed", s)
	}
	return st
}

// provenance checks a figure's source and status; nil stays nil.
func (v *validator) provenance(path string, fp *fileProvenance) *scs.Provenance {
	if fp == nil {
		return nil
	}
	if fp.Source == "" {
		v.fail(path+".source", "missing; a figure's provenance names its source")
	}
	return &scs.Provenance{Source: fp.Source, Status: v.status(path+".status", fp.Status), Notes: strings.TrimSpace(fp.Notes)}
}

func (v *validator) period(path, s string) scs.Period {
	if s == "" {
		return scs.Period{}
	}
	p, err := scs.ParsePeriod(s)
	if err != nil {
		v.fail(path, "%v", err)
	}
	return p
}

func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '+') {
			return false
		}
	}
	return true
}

const maxFigure = 1_000_000

func (v *validator) figure(path string, n int64) {
	if n < -maxFigure || n > maxFigure {
		v.fail(path, "%d is out of range (want -%d to %d)", n, maxFigure, maxFigure)
	}
}

func (v *validator) scheme(fs *fileScheme) *scs.Scheme {
	s := &scs.Scheme{
		Name: fs.Name, Title: fs.Title, Description: strings.TrimSpace(fs.Description), SourcesAsOf: fs.SourcesAsOf,
		TimeZone: fs.TimeZone, ConsentRequired: fs.ConsentRequired, Ceiling: scs.Unbounded,
	}
	if !isID(fs.Name) {
		v.fail("$.name", "%q is not a scheme name (want letters, digits and dashes)", fs.Name)
	}
	if fs.Title == "" {
		v.fail("$.title", "missing")
	}
	if fs.TimeZone == "" {
		v.fail("$.time_zone", "missing; name an IANA time zone such as Asia/Shanghai")
	} else if loc, err := time.LoadLocation(fs.TimeZone); err != nil || strings.EqualFold(fs.TimeZone, "local") {
		v.fail("$.time_zone", "%q is not an IANA time zone", fs.TimeZone)
	} else {
		s.Location = loc
	}
	if fs.Floor == nil {
		v.fail("$.floor", "missing")
	} else {
		s.Floor = *fs.Floor
		v.figure("$.floor", s.Floor)
	}
	if fs.Ceiling != nil {
		s.Ceiling = *fs.Ceiling
		v.figure("$.ceiling", s.Ceiling)
		if *fs.Ceiling <= s.Floor {
			v.fail("$.ceiling", "%d is not above the floor %d", *fs.Ceiling, s.Floor)
		}
	}
	if fs.Start == nil {
		v.fail("$.start", "missing")
	} else {
		s.Start = *fs.Start
		v.figure("$.start", s.Start)
		if s.Start < s.Floor || s.Start > s.Ceiling {
			v.fail("$.start", "%d is outside the floor and ceiling", s.Start)
		}
	}
	if fs.Retroactive != nil {
		if fs.Retroactive.Source == "" {
			v.fail("$.retroactive.source", "missing; counting records dated before consent needs a source")
		}
		s.Retroactive = &scs.Provenance{Source: fs.Retroactive.Source, Status: v.status("$.retroactive.status", fs.Retroactive.Status), Notes: fs.Retroactive.Notes}
	}
	if fe := fs.Eligibility; fe != nil {
		el := &scs.Eligibility{MinResidence: v.period("$.eligibility.min_residence", fe.MinResidence),
			Provenance: scs.Provenance{Source: fe.Source, Status: v.status("$.eligibility.status", fe.Status), Notes: fe.Notes}}
		if fe.MinAge != nil {
			el.MinAge = *fe.MinAge
			if el.MinAge < 0 || el.MinAge > 150 {
				v.fail("$.eligibility.min_age", "%d is out of range (want 0 to 150)", el.MinAge)
			}
		}
		if fe.MinAge == nil && fe.MinResidence == "" {
			v.fail("$.eligibility", "give min_age, min_residence or both")
		}
		if fe.Source == "" {
			v.fail("$.eligibility.source", "missing; eligibility carries its source")
		}
		s.Eligibility = el
	}
	if ff := fs.Figures; ff != nil {
		s.Figures.Start = v.provenance("$.figures.start", ff.Start)
		s.Figures.Floor = v.provenance("$.figures.floor", ff.Floor)
		s.Figures.Ceiling = v.provenance("$.figures.ceiling", ff.Ceiling)
		if ff.Ceiling != nil && fs.Ceiling == nil {
			v.fail("$.figures.ceiling", "the scheme has no ceiling to give a source for")
		}
	}
	v.grades(fs, s)
	v.capabilities(fs, s)
	switch fs.Kind {
	case "", scs.KindPoints:
		s.Kind = scs.KindPoints
		if fs.Recompute != nil {
			v.fail("$.recompute", "only a scheme of kind factors is recomputed on a schedule; a points scheme scores each record as it comes")
		}
		if fs.Factors != nil {
			v.fail("$.factors", "only a scheme of kind factors has factors (add kind: factors, or give rules)")
		}
		v.rules(fs, s)
	case scs.KindFactors:
		s.Kind = scs.KindFactors
		v.factorModel(fs, s)
	default:
		v.fail("$.kind", "%q is not a kind of scheme (want points or factors)", fs.Kind)
	}
	v.advice(fs, s)
	v.departments(fs, s)
	return s
}

// departments checks the scheme's map of departments to reporters of the
// vocabulary: each key a department of one of its rules, each value a
// reporter.
func (v *validator) departments(fs *fileScheme, s *scs.Scheme) {
	if len(fs.Departments) == 0 {
		return
	}
	used := map[string]bool{}
	for _, r := range s.Rules {
		used[r.Department] = true
	}
	names := make([]string, 0, len(fs.Departments))
	for d := range fs.Departments {
		names = append(names, d)
	}
	sort.Strings(names)
	s.Departments = make(map[string]string, len(names))
	for _, d := range names {
		r, p := fs.Departments[d], "$.departments."+d
		switch {
		case !used[d]:
			v.fail(p, "%s is not the department of any rule of the scheme", d)
		case !scs.IsReporter(r):
			v.fail(p, "%q is not a reporter of the conduct vocabulary (docs/conduct.md)", r)
		default:
			s.Departments[d] = r
		}
	}
}

func (v *validator) grades(fs *fileScheme, s *scs.Scheme) {
	if len(fs.Grades) == 0 {
		v.fail("$.grades", "missing; list the grades from highest to lowest")
		return
	}
	seen := map[string]bool{}
	for i, fg := range fs.Grades {
		p := fmt.Sprintf("$.grades[%d]", i)
		g := scs.Grade{Name: fg.Name, Description: strings.TrimSpace(fg.Description), Max: scs.Unbounded}
		if !isID(fg.Name) {
			v.fail(p+".name", "%q is not a grade name", fg.Name)
		} else if seen[fg.Name] {
			v.fail(p+".name", "grade %s is listed twice", fg.Name)
		}
		seen[fg.Name] = true
		if fg.Min == nil {
			v.fail(p+".min", "missing")
		} else {
			g.Min = *fg.Min
		}
		if fg.Max != nil {
			g.Max = *fg.Max
			if g.Max < g.Min {
				v.fail(p+".max", "%d is below min %d", g.Max, g.Min)
			}
		} else if i > 0 {
			v.fail(p+".max", "missing; only the highest grade may leave max open")
		}
		if i == 0 && fg.Max != nil && s.Ceiling != scs.Unbounded && g.Max != s.Ceiling {
			v.fail(p+".max", "%d: the highest grade must reach the ceiling %d", g.Max, s.Ceiling)
		}
		if i == 0 && fg.Max != nil && s.Ceiling == scs.Unbounded {
			v.fail(p+".max", "the highest grade must be open (no max) when the scheme has no ceiling")
		}
		if i > 0 && fg.Min != nil && fs.Grades[i-1].Min != nil && fg.Max != nil {
			prevMin := *fs.Grades[i-1].Min
			switch {
			case g.Max >= prevMin:
				v.fail(p+".max", "band %d-%d overlaps grade %s (from %d); grades go from highest to lowest", g.Min, g.Max, fs.Grades[i-1].Name, prevMin)
			case g.Max < prevMin-1:
				v.fail(p+".max", "gap: scores %d-%d are in no grade (grade %s starts at %d)", g.Max+1, prevMin-1, fs.Grades[i-1].Name, prevMin)
			}
		}
		if i == len(fs.Grades)-1 && fg.Min != nil && fs.Floor != nil && g.Min != *fs.Floor {
			v.fail(p+".min", "%d: the lowest grade must start at the floor %d", g.Min, *fs.Floor)
		}
		g.LockIn = v.period(p+".lock_in", fg.LockIn)
		if fg.Visits != nil {
			g.Visits = scs.Visits{Times: fg.Visits.Times, Source: fg.Visits.Source}
			if fg.Visits.Times < 0 || fg.Visits.Times > 1000 {
				v.fail(p+".visits.times", "%d is out of range (want 0 to 1000)", fg.Visits.Times)
			}
			if fg.Visits.Times > 0 {
				if fg.Visits.Every == "" {
					v.fail(p+".visits.every", "missing; say how often, such as \"1 week\"")
				}
				g.Visits.Every = v.period(p+".visits.every", fg.Visits.Every)
				if fg.Visits.Every != "" && g.Visits.Every.IsZero() {
					v.fail(p+".visits.every", "must be longer than zero")
				}
				g.Visits.Status = v.status(p+".visits.status", fg.Visits.Status)
			}
		}
		if fg.Status != "" || fg.Source != "" {
			g.Provenance = scs.Provenance{Source: fg.Source, Status: v.status(p+".status", fg.Status), Notes: fg.Notes}
		}
		s.Grades = append(s.Grades, g)
	}
}

func (v *validator) capabilities(fs *fileScheme, s *scs.Scheme) {
	seen := map[string]bool{}
	for i, fc := range fs.Capabilities {
		p := fmt.Sprintf("$.capabilities[%d]", i)
		if !isID(fc.Name) {
			v.fail(p+".name", "%q is not a capability name (want letters, digits and dashes)", fc.Name)
		} else if seen[fc.Name] {
			v.fail(p+".name", "capability %s is listed twice", fc.Name)
		}
		seen[fc.Name] = true
		if fc.Description == "" {
			v.fail(p+".description", "missing")
		}
		for j, g := range fc.Grades {
			if s.GradeIndex(g) < 0 {
				v.fail(fmt.Sprintf("%s.grades[%d]", p, j), "unknown grade %q", g)
			}
		}
		if fc.Source == "" {
			v.fail(p+".source", "missing; every capability carries its source")
		}
		c := scs.Capability{Name: fc.Name, Kind: scs.CapabilityKind(fc.Kind), Description: strings.TrimSpace(fc.Description), Grades: fc.Grades,
			Provenance: scs.Provenance{Source: fc.Source, Status: v.status(p+".status", fc.Status), Notes: fc.Notes}}
		switch c.Kind {
		case "":
			c.Kind = scs.Privilege
		case scs.Privilege, scs.Entitlement, scs.Sanction:
		default:
			v.fail(p+".kind", "%q is not a kind of capability (want privilege, entitlement or sanction)", fc.Kind)
		}
		if c.Grades == nil {
			c.Grades = []string{}
		}
		s.Capabilities = append(s.Capabilities, c)
	}
}

func (v *validator) rules(fs *fileScheme, s *scs.Scheme) {
	if len(fs.Rules) == 0 {
		v.fail("$.rules", "missing; a scheme needs at least one rule")
	}
	seen := map[string]int{}
	conducts := map[string]int{}
	for i, fr := range fs.Rules {
		p := fmt.Sprintf("$.rules[%d]", i)
		r := scs.Rule{ID: fr.ID, Conduct: fr.Conduct, Description: strings.TrimSpace(fr.Description), Category: fr.Category, Department: fr.Department}
		if !isID(fr.ID) {
			v.fail(p+".id", "%q is not a rule id (want letters, digits and dashes)", fr.ID)
		} else if j, dup := seen[fr.ID]; dup {
			v.fail(p+".id", "duplicate rule id %s (first at rules[%d])", fr.ID, j)
		} else {
			seen[fr.ID] = i
		}
		for _, f := range [...]struct{ name, val string }{{"description", fr.Description}, {"category", fr.Category}, {"department", fr.Department}, {"source", fr.Source}} {
			if f.val == "" {
				v.fail(p+"."+f.name, "missing")
			}
		}
		r.Provenance = scs.Provenance{Source: fr.Source, Status: v.status(p+".status", fr.Status), Notes: strings.TrimSpace(fr.Notes)}
		v.effect(p, &fr, &r, s)
		if fr.YearlyCap != nil {
			r.YearlyCap = *fr.YearlyCap
			if r.YearlyCap <= 0 || r.YearlyCap > maxFigure {
				v.fail(p+".yearly_cap", "%d: want a positive number of points of at most %d", r.YearlyCap, maxFigure)
			}
			if r.Effect.Kind == scs.EffectDropTo {
				v.fail(p+".yearly_cap", "a drop_to rule cannot have a yearly cap")
			}
		}
		if fr.Act != nil {
			r.Act = v.act(p+".act", fr.Act, &r)
		}
		v.conduct(p, &r, conducts, i)
		s.Rules = append(s.Rules, r)
	}
}

func (v *validator) effect(p string, fr *fileRule, r *scs.Rule, s *scs.Scheme) {
	var kinds []string
	if fr.Points != nil {
		kinds = append(kinds, "points")
		r.Effect = scs.Effect{Kind: scs.EffectFixed, Points: *fr.Points}
		v.figure(p+".points", *fr.Points)
	}
	if fr.PerUnit != nil {
		kinds = append(kinds, "per_unit")
		pu := fr.PerUnit
		r.Effect = scs.Effect{Kind: scs.EffectPerUnit, Quantity: pu.Quantity}
		if pu.Points == nil || *pu.Points == 0 {
			v.fail(p+".per_unit.points", "missing; the points each unit gives")
		} else {
			r.Effect.Points = *pu.Points
			v.figure(p+".per_unit.points", *pu.Points)
		}
		if pu.Per == nil || !(*pu.Per >= 0.001 && *pu.Per <= 1e9) {
			v.fail(p+".per_unit.per", "want the size of one unit, from 0.001 to 1e9")
		} else {
			r.Effect.Unit = *pu.Per
		}
		if pu.Quantity == "" {
			v.fail(p+".per_unit.quantity", "missing; name what is counted, such as yuan or months")
		}
	}
	if fr.Range != nil {
		kinds = append(kinds, "range")
		r.Effect = scs.Effect{Kind: scs.EffectRange}
		if fr.Range.Min == nil || fr.Range.Max == nil {
			v.fail(p+".range", "want both min and max")
		} else {
			r.Effect.Min, r.Effect.Max = *fr.Range.Min, *fr.Range.Max
			v.figure(p+".range.min", r.Effect.Min)
			v.figure(p+".range.max", r.Effect.Max)
			if r.Effect.Min > r.Effect.Max {
				v.fail(p+".range.max", "%d is below min %d", r.Effect.Max, r.Effect.Min)
			}
		}
	}
	if fr.Tiered != nil {
		kinds = append(kinds, "tiered")
		r.Effect = scs.Effect{Kind: scs.EffectTiered, Quantity: fr.Tiered.Quantity}
		if fr.Tiered.Quantity == "" {
			v.fail(p+".tiered.quantity", "missing; name what is counted, such as hours")
		}
		if len(fr.Tiered.Tiers) == 0 {
			v.fail(p+".tiered.tiers", "missing; list the tiers from the lowest")
		}
		prev := 0.0
		for j, ft := range fr.Tiered.Tiers {
			tp := fmt.Sprintf("%s.tiered.tiers[%d]", p, j)
			t := scs.Tier{}
			last := j == len(fr.Tiered.Tiers)-1
			if ft.UpTo != nil {
				t.UpTo = *ft.UpTo
				if !(t.UpTo > prev) || t.UpTo > 1e12 || math.IsInf(t.UpTo, 0) {
					v.fail(tp+".up_to", "%g must be above the previous tier's %g (and at most 1e12)", t.UpTo, prev)
				}
				prev = t.UpTo
			} else if !last {
				v.fail(tp+".up_to", "missing; only the last tier may be open")
			}
			if ft.Per == nil || !(*ft.Per >= 0.001 && *ft.Per <= 1e9) {
				v.fail(tp+".per", "want the quantity that earns the points, from 0.001 to 1e9")
			} else {
				t.Per = *ft.Per
			}
			if ft.Points == nil {
				v.fail(tp+".points", "missing")
			} else {
				t.Points = *ft.Points
				v.figure(tp+".points", t.Points)
			}
			r.Effect.Tiers = append(r.Effect.Tiers, t)
		}
	}
	if fr.DropTo != nil {
		kinds = append(kinds, "drop_to")
		r.Effect = scs.Effect{Kind: scs.EffectDropTo, DropTo: *fr.DropTo}
		if gi := s.GradeIndex(*fr.DropTo); gi < 0 {
			v.fail(p+".drop_to", "unknown grade %q", *fr.DropTo)
		} else if s.Grades[gi].Max == scs.Unbounded {
			v.fail(p+".drop_to", "grade %s has no top to drop to", *fr.DropTo)
		}
	}
	switch len(kinds) {
	case 0:
		v.fail(p, "rule %s has no effect; give one of points, per_unit, range, tiered, drop_to", fr.ID)
	case 1:
	default:
		v.fail(p+"."+kinds[1], "rule %s has more than one effect (%s); give exactly one", fr.ID, strings.Join(kinds, ", "))
	}
}

// conduct checks the conduct a rule scores: a conduct the rule names must
// be in the vocabulary (docs/conduct.md), no two rules may score the same
// conduct, and a rule that scores a conduct of the vocabulary counts a
// quantity exactly when the conduct does.
func (v *validator) conduct(p string, r *scs.Rule, seen map[string]int, i int) {
	if r.Conduct == "" {
		r.Conduct = r.ID
	} else if _, ok := scs.LookupConduct(r.Conduct); !ok {
		v.fail(p+".conduct", "%q is not a conduct of the vocabulary (docs/conduct.md lists them); leave conduct out for conduct of the rule's own id", r.Conduct)
		return
	}
	if r.Conduct == "" {
		return
	}
	if j, dup := seen[r.Conduct]; dup {
		v.fail(p+".conduct", "conduct %s is already scored by rules[%d]; a conduct maps to one rule", r.Conduct, j)
		return
	}
	seen[r.Conduct] = i
	c, ok := scs.LookupConduct(r.Conduct)
	if !ok || r.Effect.Kind == 0 {
		return
	}
	switch needs := r.Effect.NeedsQuantity(); {
	case needs && c.Quantity == "":
		v.fail(p, "rule %s scores conduct %s, which counts no quantity; give it points, a range or drop_to, or name another conduct", r.ID, c.ID)
	case !needs && c.Quantity != "":
		v.fail(p, "rule %s scores conduct %s, which counts %s; give it a per_unit or tiered effect, or name another conduct", r.ID, c.ID, c.Quantity)
	}
}

// maxFactorFigure bounds a factor's values and sub-score bounds.
const maxFactorFigure = 1e9

// factorModel checks a factor-model scheme: a schedule, a range, factors
// whose weights sum to 100, each with a window, a sub-score function and
// inputs, every figure with its source and status, no rules of its own and
// no lock-ins; and a start where a person with no history sits. Each input
// becomes a rule of the scheme with an EffectFactor effect.
func (v *validator) factorModel(fs *fileScheme, s *scs.Scheme) {
	if fs.Rules != nil {
		v.fail("$.rules", "a factor-model scheme scores conduct through its factors' inputs; give no rules")
	}
	if fs.Ceiling == nil {
		v.fail("$.ceiling", "missing; a factor model maps its factors onto the range from the floor to the ceiling")
	}
	for i, fg := range fs.Grades {
		if fg.LockIn != "" {
			v.fail(fmt.Sprintf("$.grades[%d].lock_in", i), "a factor-model scheme has no lock-ins: the grade follows the recomputed score")
		}
	}
	v.recompute(fs, s)
	if len(fs.Factors) == 0 {
		v.fail("$.factors", "missing; a factor model needs at least one factor")
		return
	}
	seen := map[string]bool{}
	conducts := map[string]string{}
	var total float64
	for i, ff := range fs.Factors {
		p := fmt.Sprintf("$.factors[%d]", i)
		f := scs.Factor{Name: ff.Name, Description: strings.TrimSpace(ff.Description)}
		if !isID(ff.Name) {
			v.fail(p+".name", "%q is not a factor name (want letters, digits and dashes)", ff.Name)
		} else if seen[ff.Name] {
			v.fail(p+".name", "factor %s is listed twice", ff.Name)
		}
		seen[ff.Name] = true
		if ff.Weight == nil {
			v.fail(p+".weight", "missing; the factor's share of the range, in percent")
		} else if w := *ff.Weight; !(w > 0 && w <= 100) {
			v.fail(p+".weight", "%v: want a share above 0 and at most 100 (percent)", w)
		} else {
			f.Weight = w
			total += w
		}
		if ff.Source == "" {
			v.fail(p+".source", "missing; every factor carries the source of its weight")
		}
		f.Provenance = scs.Provenance{Source: ff.Source, Status: v.status(p+".status", ff.Status), Notes: strings.TrimSpace(ff.Notes)}
		v.factorWindow(p, ff.Window, &f)
		v.subScore(p, ff.SubScore, &f)
		if len(ff.Inputs) == 0 {
			v.fail(p+".inputs", "missing; list the conduct the factor counts")
		}
		v.factorInputs(p, ff, conducts, s)
		s.Factors = append(s.Factors, f)
	}
	if len(v.problems) == 0 && math.Abs(total-100) > 1e-9 {
		v.fail("$.factors", "the weights sum to %v; they must sum to 100 (percent)", total)
	}
	if len(v.problems) == 0 {
		if want := s.NoHistoryScore(); s.Start != want {
			v.fail("$.start", "%d: a person with no history scores %d under these factors (each at the sub-score of value 0); the start must say so", s.Start, want)
		}
	}
}

// recompute reads a factor model's recomputation schedule.
func (v *validator) recompute(fs *fileScheme, s *scs.Scheme) {
	if fr := fs.Recompute; fr == nil {
		v.fail("$.recompute", "missing; say how often scores are recomputed, such as {every: 1 month, source: ..., status: ...}")
	} else {
		rc := &scs.Recompute{Every: v.period("$.recompute.every", fr.Every)}
		if fr.Every == "" {
			v.fail("$.recompute.every", "missing; such as 1 month")
		} else if p := rc.Every; !p.IsZero() && (p.Days != 0 || p.Years*12+p.Months <= 0 || p.Years*12+p.Months > 120) {
			v.fail("$.recompute.every", "%q: want whole months, from 1 month to 10 years (recomputation is at midnight on the first of the month in the scheme's zone)", fr.Every)
		}
		if fr.Source == "" {
			v.fail("$.recompute.source", "missing; the schedule carries its source")
		}
		rc.Provenance = scs.Provenance{Source: fr.Source, Status: v.status("$.recompute.status", fr.Status), Notes: strings.TrimSpace(fr.Notes)}
		s.Recompute = rc
	}
}

// factorWindow reads how far back a factor looks.
func (v *validator) factorWindow(p string, fw *fileWindow, f *scs.Factor) {
	if fw == nil {
		v.fail(p+".window", "missing; give {last: 24 months, ...}, {lifetime: true, ...} or {half_life: 12 months, ...} with its source and status")
		return
	}
	n := 0
	for _, set := range []bool{fw.Lifetime, fw.Last != "", fw.HalfLife != ""} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		v.fail(p+".window", "give one of last, lifetime and half_life")
	case fw.HalfLife != "":
		f.HalfLife = v.period(p+".window.half_life", fw.HalfLife)
		if f.HalfLife.IsZero() {
			v.fail(p+".window.half_life", "must be longer than zero")
		}
	case fw.Lifetime:
	case fw.Last == "":
		v.fail(p+".window.last", "missing; how far back the factor looks, such as 24 months (or lifetime: true)")
	default:
		f.Window = v.period(p+".window.last", fw.Last)
		if f.Window.IsZero() {
			v.fail(p+".window.last", "must be longer than zero")
		}
	}
	if fw.Source == "" {
		v.fail(p+".window.source", "missing; the window carries its source")
	}
	f.WindowProvenance = scs.Provenance{Source: fw.Source, Status: v.status(p+".window.status", fw.Status), Notes: strings.TrimSpace(fw.Notes)}
}

// subScore reads a factor's sub-score function.
func (v *validator) subScore(p string, fss *fileSubScore, f *scs.Factor) {
	if fss == nil {
		v.fail(p+".sub_score", "missing; give {from: A, to: B, ...}: the value at which the sub-score is 0 and 1")
		return
	}
	finite := func(name string, x *float64) float64 {
		if x == nil {
			v.fail(p+".sub_score."+name, "missing")
			return 0
		}
		if !(*x >= -maxFactorFigure && *x <= maxFactorFigure) {
			v.fail(p+".sub_score."+name, "%v is out of range (want -%g to %g)", *x, float64(maxFactorFigure), float64(maxFactorFigure))
			return 0
		}
		return *x
	}
	f.SubScore.From, f.SubScore.To = finite("from", fss.From), finite("to", fss.To)
	if fss.From != nil && fss.To != nil && !(f.SubScore.To > f.SubScore.From) {
		v.fail(p+".sub_score.to", "%v is not above from %v", f.SubScore.To, f.SubScore.From)
	}
	if fss.Source == "" {
		v.fail(p+".sub_score.source", "missing; the sub-score function carries its source")
	}
	f.SubScore.Provenance = scs.Provenance{Source: fss.Source, Status: v.status(p+".sub_score.status", fss.Status), Notes: strings.TrimSpace(fss.Notes)}
}

// factorInputs reads a factor's inputs as the scheme's rules; conducts
// says which factor each conduct already feeds.
func (v *validator) factorInputs(p string, ff fileFactor, conducts map[string]string, s *scs.Scheme) {
	for j, fi := range ff.Inputs {
		ip := fmt.Sprintf("%s.inputs[%d]", p, j)
		c, ok := scs.LookupConduct(fi.Conduct)
		switch {
		case fi.Conduct == "":
			v.fail(ip+".conduct", "missing; name a conduct of the vocabulary (docs/conduct.md)")
			continue
		case !ok:
			v.fail(ip+".conduct", "%q is not a conduct of the vocabulary (docs/conduct.md lists them)", fi.Conduct)
			continue
		case conducts[fi.Conduct] != "":
			v.fail(ip+".conduct", "conduct %s is already an input of factor %s; a conduct feeds one factor", fi.Conduct, conducts[fi.Conduct])
			continue
		}
		conducts[fi.Conduct] = ff.Name
		r := scs.Rule{ID: c.ID, Conduct: c.ID, Description: c.Description, Category: ff.Name, Department: fi.Department,
			Effect: scs.Effect{Kind: scs.EffectFactor, Factor: ff.Name, Quantity: c.Quantity}}
		if r.Department == "" {
			r.Department = "platform"
		}
		if fi.Value == nil || *fi.Value == 0 {
			v.fail(ip+".value", "missing; the value one record (or one unit of its quantity) adds to the factor")
		} else if !(*fi.Value >= -maxFactorFigure && *fi.Value <= maxFactorFigure) {
			v.fail(ip+".value", "%v is out of range (want -%g to %g)", *fi.Value, float64(maxFactorFigure), float64(maxFactorFigure))
		} else {
			r.Effect.Value = *fi.Value
		}
		if fi.Source == "" {
			v.fail(ip+".source", "missing; every input carries its source")
		}
		r.Provenance = scs.Provenance{Source: fi.Source, Status: v.status(ip+".status", fi.Status), Notes: strings.TrimSpace(fi.Notes)}
		s.Rules = append(s.Rules, r)
	}
}

// maxActFigure bounds an act's yuan, hours and units a year.
const maxActFigure = 1e9

// act checks what a rule's conduct costs. Only a rule that can add points
// (fixed or per-unit points above zero, or a tier that gives points) may
// carry one; a plannable act must cost yuan or hours, or be capped, so
// that no plan gains points without limit for nothing.
func (v *validator) act(p string, fa *fileAct, r *scs.Rule) *scs.Act {
	a := &scs.Act{HarmsOthers: fa.HarmsOthers}
	switch e := r.Effect; e.Kind {
	case scs.EffectFixed, scs.EffectPerUnit:
		if e.Points <= 0 {
			v.fail(p, "rule %s takes points away; only a rule that adds points has an act", r.ID)
		}
	case scs.EffectTiered:
		if !slices.ContainsFunc(e.Tiers, func(t scs.Tier) bool { return t.Points > 0 }) {
			v.fail(p, "rule %s's tiers add no points; only a rule that adds points has an act", r.ID)
		}
	case scs.EffectRange, scs.EffectDropTo:
		v.fail(p, "rule %s is a %s rule; only fixed, per_unit and tiered rules that add points have an act", r.ID, e.Kind)
	}
	figure := func(name string, f *float64) float64 {
		if f == nil {
			return 0
		}
		if !(*f >= 0 && *f <= maxActFigure) {
			v.fail(p+"."+name, "%v is out of range (want 0 to %g)", *f, float64(maxActFigure))
			return 0
		}
		return *f
	}
	a.Yuan = figure("yuan", fa.Yuan)
	a.Hours = figure("hours", fa.Hours)
	a.MaxPerYear = figure("max_per_year", fa.MaxPerYear)
	if fa.MaxPerYear != nil && a.MaxPerYear == 0 {
		v.fail(p+".max_per_year", "0: leave it out for no limit, or give a positive number of units")
	}
	if a.MaxPerYear > 0 && r.Effect.Kind == scs.EffectFixed && a.MaxPerYear != math.Trunc(a.MaxPerYear) {
		v.fail(p+".max_per_year", "%v: rule %s counts events, so give a whole number", a.MaxPerYear, r.ID)
	}
	if fa.Plannable == nil {
		v.fail(p+".plannable", "missing; say true or false (false for conduct nobody can set out to do, such as a heroic act)")
	} else {
		a.Plannable = *fa.Plannable
	}
	if a.Plannable {
		if fa.Yuan == nil && fa.Hours == nil {
			v.fail(p, "a plannable act needs its cost: give yuan, hours or both (per unit)")
		} else if a.Yuan == 0 && a.Hours == 0 && r.YearlyCap == 0 && a.MaxPerYear == 0 {
			v.fail(p, "rule %s would give points without limit for nothing: give the act a cost in yuan or hours, a max_per_year, or the rule a yearly_cap", r.ID)
		}
	}
	if fa.Source == "" {
		v.fail(p+".source", "missing; every cost carries its source")
	}
	a.Provenance = scs.Provenance{Source: fa.Source, Status: v.status(p+".status", fa.Status), Notes: strings.TrimSpace(fa.Notes)}
	return a
}

// advice checks what officials advise in visits: a grade that is visited,
// rules that exist and that a person can plan (they carry a plannable act),
// and the advice's source and status.
func (v *validator) advice(fs *fileScheme, s *scs.Scheme) {
	for i, fg := range fs.Grades {
		if fg.Visits == nil || fg.Visits.Advice == nil || i >= len(s.Grades) {
			continue
		}
		p := fmt.Sprintf("$.grades[%d].visits.advice", i)
		fa := fg.Visits.Advice
		if fg.Visits.Times == 0 {
			v.fail(p, "grade %s has no visits to give advice in", fg.Name)
		}
		if len(fa.Rules) == 0 {
			v.fail(p+".rules", "missing; list the rules the officials advise")
		}
		for j, id := range fa.Rules {
			r := -1
			for k := range s.Rules {
				if s.Rules[k].ID == id {
					r = k
				}
			}
			switch {
			case r < 0:
				v.fail(fmt.Sprintf("%s.rules[%d]", p, j), "unknown rule %q", id)
			case s.Rules[r].Act == nil || !s.Rules[r].Act.Plannable:
				v.fail(fmt.Sprintf("%s.rules[%d]", p, j), "rule %s has no plannable act, so no one can follow the advice", id)
			}
		}
		if fa.Source == "" {
			v.fail(p+".source", "missing; every piece of advice carries its source")
		}
		s.Grades[i].Visits.Advice = &scs.Advice{Rules: fa.Rules, Provenance: scs.Provenance{Source: fa.Source, Status: v.status(p+".status", fa.Status), Notes: strings.TrimSpace(fa.Notes)}}
	}
}
