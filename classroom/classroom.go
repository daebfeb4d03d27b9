// Package classroom is classroom mode: a teacher opens a class under a
// scheme for a lesson, students join anonymously from their phones with a
// short code, and the class lives a few weeks under the scheme's rules.
//
// Each round is a week of a life with 3 to 5 situations drawn from the
// scheme's rules through the simulator's conduct vocabulary (the behaviour
// table of package sim: good deeds, speech, misconduct, bills, donations,
// volunteering). A student's choices become events, and the engine, the
// only place a point is decided, scores them; the package never adds a
// point itself. With informing on, a student may report a classmate for
// something visible they did in the round (the scheme's informing rule),
// the reported student may object, and the teacher decides.
//
// Only what the game needs is stored: a random pseudonym, the answer to the
// consent screen, the student's card (money and free time a week), the
// choices and the reports. Closing a class deletes all of it and keeps only
// the aggregate counts per round (Summary) for the teacher.
//
// The Service is safe for concurrent use. It keeps a cache of each class's
// rows, which its own writes update in place of a new read (a student's
// choices, reports, joining, consent) or invalidate (the rest): one Service
// per database.
package classroom

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// Limits and defaults.
const (
	DefaultRounds = 5
	MaxRounds     = 10
	MaxStudents   = 200 // per class
	MaxReports    = 3   // per student and round
	MaxReason     = 500 // bytes of an objection or decision reason
	CodeLength    = 6
)

// TokenPrefix starts every student token.
const TokenPrefix = "scsclass_"

// Class states.
const (
	StatusOpen    = "open"    // students join; no round has started
	StatusPlaying = "playing" // a round is running
	StatusEnded   = "ended"   // the last round is over: the debrief
	StatusClosed  = "closed"  // closed: nothing per student remains
)

// Consent answers.
const (
	ConsentPending  = -1
	ConsentDeclined = 0
	ConsentGiven    = 1
)

// Report states.
const (
	ReportStanding = "standing" // the record stands; the student may object
	ReportObjected = "objected" // the student objected; the teacher decides
	ReportUpheld   = "upheld"   // the objection was upheld: the report is void
	ReportRejected = "rejected" // the objection was rejected: the record stands
)

// Settings are what a teacher chooses when opening a class. The zero value
// of each field takes its default.
type Settings struct {
	Scheme     string `json:"scheme"`      // a built-in scheme; rongcheng by default
	Rounds     int    `json:"rounds"`      // 1 to MaxRounds; DefaultRounds by default
	Informing  bool   `json:"informing"`   // students may report each other
	Cards      bool   `json:"cards"`       // random starting circumstances (money, free time)
	PublicList bool   `json:"public_list"` // the public list is shown to the class
}

// Class is one class as stored.
type Class struct {
	Code    string     `json:"code"`
	Teacher int64      `json:"teacher"`
	Round   int        `json:"round"` // 0 before the first round
	Status  string     `json:"status"`
	Seed    int64      `json:"-"`
	Created time.Time  `json:"created"`
	Closed  *time.Time `json:"closed,omitempty"`
	Summary string     `json:"-"` // the aggregate CSV, kept after closing
	Settings
}

// Student is one student of a class as stored: no name, no e-mail.
type Student struct {
	Class     string `json:"-"`
	ID        int64  `json:"-"`
	Pseudonym string `json:"pseudonym"`
	TokenHash []byte `json:"-"`
	Consent   int    `json:"-"`
	Money     int64  `json:"money"` // yuan a week
	Hours     int64  `json:"hours"` // free hours a week
	Joined    int    `json:"-"`     // the round they joined in
}

// Choice is one student's answer to one situation of a round.
type Choice struct {
	Student   int64
	Round     int
	Situation string // the situation's rule id
	Option    string
}

// Report is one student's report of a classmate, with the objection to it.
type Report struct {
	ID        int64  `json:"id"`
	Round     int    `json:"round"`
	Reporter  int64  `json:"-"`
	Target    int64  `json:"-"`
	Rule      string `json:"rule"`
	Status    string `json:"status"`
	Objection string `json:"objection,omitempty"`
	Decision  string `json:"decision,omitempty"`
}

// Store keeps classes. Implementations (package store) return scs errors:
// ENOTFOUND for an unknown class or student, ECONFLICT for a duplicate code,
// pseudonym, token or choice.
type Store interface {
	CreateClass(ctx context.Context, c Class) error
	Class(ctx context.Context, code string) (Class, error)
	ClassesOf(ctx context.Context, teacher int64) ([]Class, error)
	SetClassRound(ctx context.Context, code string, round int, status string) error
	AddClassStudent(ctx context.Context, s Student) (Student, error)
	ClassStudents(ctx context.Context, code string) ([]Student, error)
	SetStudentConsent(ctx context.Context, code string, student int64, consent int) error
	AddClassChoices(ctx context.Context, code string, cs []Choice) error
	ClassChoices(ctx context.Context, code string) ([]Choice, error)
	AddClassReport(ctx context.Context, code string, r Report) (Report, error)
	SetClassReport(ctx context.Context, code string, r Report) error
	ClassReports(ctx context.Context, code string) ([]Report, error)
	// CloseClass deletes the class's students, choices and reports and
	// keeps the class row with its summary, in one transaction.
	CloseClass(ctx context.Context, code string, summary string, at time.Time) error
}

// Service runs classes over a Store.
type Service struct {
	st  Store
	now func() time.Time

	mu       sync.Mutex
	cache    map[string]*snapshot
	inflight map[string]*loadCall
	games    map[string]*rules // compiled schemes by name
	watch    map[string][]chan struct{}
	version  map[string]uint64
	writing  map[string]*sync.Mutex // orders a student's writes (see write)
}

// New returns a Service over st; now is the clock (time.Now when nil).
func New(st Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, now: now, cache: map[string]*snapshot{}, inflight: map[string]*loadCall{}, games: map[string]*rules{},
		watch: map[string][]chan struct{}{}, version: map[string]uint64{}, writing: map[string]*sync.Mutex{}}
}

// snapshot is a class's rows as read from the store, or as a write made
// them from the snapshot before (derive). A snapshot is never changed once
// readers can see it.
type snapshot struct {
	class    Class
	students []Student
	choices  []Choice
	reports  []Report
	rules    *rules

	once sync.Once
	game *game
	// prev is the snapshot this one was derived from and stale the
	// students whose game the writes since changed: compute reuses prev's
	// game for every other student. Both are dropped once computed; mu
	// guards them.
	mu    sync.Mutex
	prev  *snapshot
	stale map[int64]bool
	done  atomic.Bool // game is computed

	boardOnce sync.Once
	boardV    *Board
	startOnce sync.Once
	startV    Standing
}

// derive returns a copy of sn for a write to apply to (the copy's rows
// may be changed; sn's are shared with readers) that reuses sn's game for
// every student but those in affected.
func (sn *snapshot) derive(affected ...int64) *snapshot {
	n := &snapshot{class: sn.class, rules: sn.rules, students: slices.Clone(sn.students), choices: slices.Clone(sn.choices),
		reports: slices.Clone(sn.reports), stale: map[int64]bool{}}
	n.prev = sn
	sn.mu.Lock()
	if !sn.done.Load() {
		// Not computed: derive from what sn would have reused, so that a
		// chain of writes without a read keeps one snapshot alive, not all.
		n.prev = sn.prev
		for id := range sn.stale {
			n.stale[id] = true
		}
	}
	sn.mu.Unlock()
	for _, id := range affected {
		n.stale[id] = true
	}
	return n
}

// rulesFor compiles a built-in scheme once.
func (s *Service) rulesFor(name string) (*rules, error) {
	s.mu.Lock()
	g, ok := s.games[name]
	s.mu.Unlock()
	if ok {
		return g, nil
	}
	if _, ok := schemes.Builtin(name); !ok {
		return nil, scs.FieldErrorf(scs.EINVALID, "scheme", "%q is not a built-in scheme (known: %s)", name, strings.Join(schemes.Names(), ", "))
	}
	sc, err := schemes.Load(name)
	if err != nil {
		return nil, err
	}
	eng, err := engine.New(sc)
	if err != nil {
		return nil, err
	}
	g = compile(eng)
	s.mu.Lock()
	s.games[name] = g
	s.mu.Unlock()
	return g, nil
}

// Scheme returns the built-in scheme called name as the game uses it
// (loaded once).
func (s *Service) Scheme(name string) (*scs.Scheme, error) {
	g, err := s.rulesFor(name)
	if err != nil {
		return nil, err
	}
	return g.scheme, nil
}

// loadCall is a read of a class's rows in progress, which readers that
// arrive before the next write share.
type loadCall struct {
	ver  uint64
	done chan struct{}
	sn   *snapshot
	err  error
}

// load returns the class's snapshot: from the cache when no write has
// happened since it was read, else read once for all the readers that
// arrive until the next write (a reader never joins a read that began
// before a write it has seen).
func (s *Service) load(ctx context.Context, code string) (*snapshot, error) {
	code = NormalizeCode(code)
	s.mu.Lock()
	if sn, ok := s.cache[code]; ok {
		s.mu.Unlock()
		return sn, nil
	}
	ver := s.version[code]
	if c := s.inflight[code]; c != nil && c.ver == ver {
		s.mu.Unlock()
		select {
		case <-c.done:
			return c.sn, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c := &loadCall{ver: ver, done: make(chan struct{})}
	s.inflight[code] = c
	s.mu.Unlock()
	// Shared with other readers: one caller going away must not fail them.
	c.sn, c.err = s.read(context.WithoutCancel(ctx), code)
	s.mu.Lock()
	if c.err == nil && s.version[code] == ver {
		s.cache[code] = c.sn
	}
	if s.inflight[code] == c {
		delete(s.inflight, code)
	}
	s.mu.Unlock()
	close(c.done)
	return c.sn, c.err
}

// read reads a class's rows from the store.
func (s *Service) read(ctx context.Context, code string) (*snapshot, error) {
	c, err := s.st.Class(ctx, code)
	if err != nil {
		return nil, err
	}
	sn := &snapshot{class: c}
	if sn.rules, err = s.rulesFor(c.Scheme); err != nil {
		return nil, err
	}
	if c.Status != StatusClosed {
		if sn.students, err = s.st.ClassStudents(ctx, code); err != nil {
			return nil, err
		}
		if sn.choices, err = s.st.ClassChoices(ctx, code); err != nil {
			return nil, err
		}
		if sn.reports, err = s.st.ClassReports(ctx, code); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

// changed drops the class's cached rows and wakes its watchers.
func (s *Service) changed(code string) {
	s.wrote(code, nil)
}

// write runs fn, which writes to class code in the store for a student,
// while no other write of the same student's runs, so that the cached
// snapshot applies the student's writes in the store's order (a change of
// consent and its change back) and checks the limits on a student's writes
// (a round played once, reports a round) against their own writes before.
// Writes of different students run at once and share the store's commits;
// the cache applies them in any order, as each adds its own rows. fn reads
// the class with s.load and says what it wrote through s.wrote.
func (s *Service) write(code string, student int64, fn func() error) error {
	key := NormalizeCode(code) + "/" + strconv.FormatInt(student, 10)
	s.mu.Lock()
	lk := s.writing[key]
	if lk == nil {
		lk = &sync.Mutex{}
		s.writing[key] = lk
	}
	s.mu.Unlock()
	lk.Lock()
	defer lk.Unlock()
	return fn()
}

// wrote tells the cache about a write to class code the store has made,
// and wakes the class's watchers. With apply nil the cached rows are
// dropped (the next reader reads the store). Otherwise the cached
// snapshot, if there is one, is replaced by a copy (derive) with apply
// applied: apply must add or set the rows written so that applying it to a
// snapshot that already holds them changes nothing, since a read that
// began before the write may have seen them; affected are the students
// whose game the write changes.
func (s *Service) wrote(code string, apply func(*snapshot), affected ...int64) {
	s.mu.Lock()
	if old, ok := s.cache[code]; ok && apply != nil {
		sn := old.derive(affected...)
		apply(sn)
		s.cache[code] = sn
	} else {
		delete(s.cache, code)
	}
	s.version[code]++
	ws := s.watch[code]
	s.mu.Unlock()
	for _, ch := range ws {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Watch returns a channel that receives a value after each change to the
// class (coalesced: one value may stand for several changes), and a
// function that stops watching.
func (s *Service) Watch(code string) (<-chan struct{}, func()) {
	code = NormalizeCode(code)
	ch := make(chan struct{}, 1)
	s.mu.Lock()
	s.watch[code] = append(s.watch[code], ch)
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		ws := s.watch[code]
		for i, w := range ws {
			if w == ch {
				s.watch[code] = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
		if len(s.watch[code]) == 0 {
			delete(s.watch, code)
		}
	}
}

// codeAlphabet has no letters or digits that look alike (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NormalizeCode upper-cases a code as typed and drops spaces and dashes.
func NormalizeCode(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	return codeSeparators.Replace(code)
}

var codeSeparators = strings.NewReplacer(" ", "", "-", "")

// ValidCode reports whether code (normalized) has the form of a class code.
func ValidCode(code string) bool {
	if len(code) != CodeLength {
		return false
	}
	for i := 0; i < len(code); i++ {
		if !strings.ContainsRune(codeAlphabet, rune(code[i])) {
			return false
		}
	}
	return true
}

func randomCode() (string, error) {
	var b strings.Builder
	for i := 0; i < CodeLength; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return "", err
		}
		b.WriteByte(codeAlphabet[n.Int64()])
	}
	return b.String(), nil
}

func randomInt(n int64) (int64, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		return 0, err
	}
	return v.Int64(), nil
}

// HashToken returns the hash under which a student token is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func newToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// teacherOf checks that by may run class c: the teacher who opened it, or
// an admin.
func teacherOf(by *scs.Account, c *Class) error {
	if by == nil {
		return scs.Errorf(scs.EUNAUTHORIZED, "class %s: running a class needs the teacher's account", c.Code)
	}
	if by.Role == scs.RoleAdmin || (by.Role == scs.RoleTeacher && by.ID == c.Teacher) {
		return nil
	}
	return scs.Errorf(scs.EFORBIDDEN, "class %s: only the teacher who opened it may run it; account %d (%s) did not", c.Code, by.ID, by.Name)
}

// Defaults returns the settings a class under scheme ("" for rongcheng)
// has unless the teacher changes them: DefaultRounds rounds, random cards,
// the public list shown, and informing on when the scheme rewards it.
func (s *Service) Defaults(scheme string) (Settings, error) {
	if scheme == "" {
		scheme = "rongcheng"
	}
	g, err := s.rulesFor(scheme)
	if err != nil {
		return Settings{}, err
	}
	return Settings{Scheme: scheme, Rounds: DefaultRounds, Informing: g.inform != "", Cards: true, PublicList: true}, nil
}

// Schemes lists the built-in schemes a class can live under.
func Schemes() []string { return schemes.Names() }

// Open opens a class (a teacher or an admin) with the settings' defaults
// filled in, and returns it with its join code.
func (s *Service) Open(ctx context.Context, by *scs.Account, set Settings) (Class, error) {
	if by == nil {
		return Class{}, scs.Errorf(scs.EUNAUTHORIZED, "opening a class needs a teacher's account")
	}
	if by.Role != scs.RoleTeacher && by.Role != scs.RoleAdmin {
		return Class{}, scs.Errorf(scs.EFORBIDDEN, "opening a class needs a teacher account; account %d (%s) is a %s account", by.ID, by.Name, by.Role)
	}
	if set.Scheme == "" {
		set.Scheme = "rongcheng"
	}
	if set.Rounds == 0 {
		set.Rounds = DefaultRounds
	}
	if set.Rounds < 1 || set.Rounds > MaxRounds {
		return Class{}, scs.FieldErrorf(scs.EINVALID, "rounds", "%d is out of range (1 to %d)", set.Rounds, MaxRounds)
	}
	g, err := s.rulesFor(set.Scheme)
	if err != nil {
		return Class{}, err
	}
	if set.Informing && g.inform == "" {
		return Class{}, scs.FieldErrorf(scs.EINVALID, "informing", "scheme %s has no rule that rewards informing", set.Scheme)
	}
	seed, err := randomInt(1 << 62)
	if err != nil {
		return Class{}, err
	}
	c := Class{Teacher: by.ID, Status: StatusOpen, Seed: seed, Created: s.now().UTC().Truncate(time.Second), Settings: set}
	for try := 0; ; try++ {
		if c.Code, err = randomCode(); err != nil {
			return Class{}, err
		}
		err = s.st.CreateClass(ctx, c)
		if err == nil || scs.ErrorCode(err) != scs.ECONFLICT || try == 10 {
			break
		}
	}
	if err != nil {
		return Class{}, err
	}
	return c, nil
}

// Classes lists the classes the teacher opened, newest first.
func (s *Service) Classes(ctx context.Context, by *scs.Account) ([]Class, error) {
	if by == nil || (by.Role != scs.RoleTeacher && by.Role != scs.RoleAdmin) {
		return nil, scs.Errorf(scs.EFORBIDDEN, "listing classes needs a teacher account")
	}
	return s.st.ClassesOf(ctx, by.ID)
}

// Join adds a student to an open or running class under a random
// pseudonym and returns them with their token, which is shown only now.
func (s *Service) Join(ctx context.Context, code string) (Student, string, error) {
	code = NormalizeCode(code)
	if !ValidCode(code) {
		return Student{}, "", scs.FieldErrorf(scs.EINVALID, "code", "%q is not a class code (%d letters and digits)", code, CodeLength)
	}
	return s.join(ctx, code) // a new student: no write of theirs to order
}

func (s *Service) join(ctx context.Context, code string) (Student, string, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return Student{}, "", err
	}
	c := sn.class
	switch c.Status {
	case StatusEnded:
		return Student{}, "", scs.Errorf(scs.ECONFLICT, "class %s: the game is over; no one can join any more", code)
	case StatusClosed:
		return Student{}, "", scs.Errorf(scs.ENOTFOUND, "class %s: no such class", code)
	}
	if len(sn.students) >= MaxStudents {
		return Student{}, "", scs.Errorf(scs.ECONFLICT, "class %s is full (%d students)", code, MaxStudents)
	}
	token, err := newToken()
	if err != nil {
		return Student{}, "", err
	}
	st := Student{Class: code, TokenHash: HashToken(token), Consent: ConsentPending, Joined: max(c.Round, 1)}
	st.Money, st.Hours = middleMoney, middleHours
	if c.Cards {
		m, err := randomInt(int64(len(moneyCards)))
		if err != nil {
			return Student{}, "", err
		}
		h, err := randomInt(int64(len(hourCards)))
		if err != nil {
			return Student{}, "", err
		}
		st.Money, st.Hours = moneyCards[m], hourCards[h]
	}
	for try := 0; ; try++ {
		n, err := randomInt(9000)
		if err != nil {
			return Student{}, "", err
		}
		st.Pseudonym = fmt.Sprintf("Citizen %d", 1000+n)
		out, err := s.st.AddClassStudent(ctx, st)
		if err == nil {
			s.wrote(code, func(sn *snapshot) {
				if !slices.ContainsFunc(sn.students, func(x Student) bool { return x.ID == out.ID }) {
					sn.students = append(sn.students, out)
					slices.SortFunc(sn.students, func(a, b Student) int { return cmp.Compare(a.ID, b.ID) })
				}
			}, out.ID)
			return out, token, nil
		}
		if scs.ErrorCode(err) != scs.ECONFLICT || try == 20 {
			return Student{}, "", err
		}
	}
}

// Student returns the student of class code whose token this is, or
// scs.EUNAUTHORIZED: a token reaches nothing outside its class.
func (s *Service) Student(ctx context.Context, code, token string) (*Student, error) {
	code = NormalizeCode(code)
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return nil, scs.Errorf(scs.EUNAUTHORIZED, "class %s: this needs a student token of the class", code)
	}
	sn, err := s.load(ctx, code)
	if err != nil {
		return nil, err
	}
	h := HashToken(token)
	for i := range sn.students {
		if string(sn.students[i].TokenHash) == string(h) {
			st := sn.students[i]
			return &st, nil
		}
	}
	return nil, scs.Errorf(scs.EUNAUTHORIZED, "class %s: the token is not a student token of this class", code)
}

// Consent records the student's answer to the consent screen. A student
// who declines is not scored and watches; they may change their mind
// until the game ends.
func (s *Service) Consent(ctx context.Context, st *Student, yes bool) error {
	return s.write(st.Class, st.ID, func() error { return s.consent(ctx, st, yes) })
}

func (s *Service) consent(ctx context.Context, st *Student, yes bool) error {
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return err
	}
	if sn.class.Status == StatusEnded || sn.class.Status == StatusClosed {
		return scs.Errorf(scs.ECONFLICT, "class %s: the game is over", st.Class)
	}
	v := ConsentDeclined
	if yes {
		v = ConsentGiven
	}
	if err := s.st.SetStudentConsent(ctx, st.Class, st.ID, v); err != nil {
		return err
	}
	st.Consent = v
	s.wrote(sn.class.Code, func(sn *snapshot) {
		for i := range sn.students {
			if sn.students[i].ID == st.ID {
				sn.students[i].Consent = v
			}
		}
	}, st.ID)
	return nil
}

// Advance starts the next round, or ends the game after the last one (the
// class's teacher).
func (s *Service) Advance(ctx context.Context, by *scs.Account, code string) (Class, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return Class{}, err
	}
	c := sn.class
	if err := teacherOf(by, &c); err != nil {
		return Class{}, err
	}
	switch c.Status {
	case StatusEnded, StatusClosed:
		return Class{}, scs.Errorf(scs.ECONFLICT, "class %s: the game is already over", c.Code)
	}
	if c.Round >= c.Rounds {
		c.Status = StatusEnded
	} else {
		c.Round++
		c.Status = StatusPlaying
	}
	if err := s.st.SetClassRound(ctx, c.Code, c.Round, c.Status); err != nil {
		return Class{}, err
	}
	s.changed(c.Code)
	return c, nil
}

// Play records the student's choices for the current round: one option for
// each of the round's situations, all at once. A student plays each round
// once; one who declined consent cannot play.
func (s *Service) Play(ctx context.Context, st *Student, round int, options map[string]string) error {
	return s.write(st.Class, st.ID, func() error { return s.play(ctx, st, round, options) })
}

func (s *Service) play(ctx context.Context, st *Student, round int, options map[string]string) error {
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return err
	}
	c := sn.class
	if c.Status != StatusPlaying {
		return scs.Errorf(scs.ECONFLICT, "class %s: no round is running (the class is %s)", c.Code, c.Status)
	}
	if st.Consent != ConsentGiven {
		return scs.Errorf(scs.EFORBIDDEN, "%s has not consented to be scored, so does not play; they watch", st.Pseudonym)
	}
	if round != c.Round {
		return scs.FieldErrorf(scs.ECONFLICT, "round", "round %d is not the current round (%d)", round, c.Round)
	}
	for _, ch := range sn.choices {
		if ch.Student == st.ID && ch.Round == round {
			return scs.FieldErrorf(scs.ECONFLICT, "round", "%s has already played round %d", st.Pseudonym, round)
		}
	}
	sits := sn.rules.situations(c.Seed, round)
	cs, err := sn.rules.check(sits, st, options)
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].Student, cs[i].Round = st.ID, round
	}
	if err := s.st.AddClassChoices(ctx, c.Code, cs); err != nil {
		return err
	}
	s.wrote(c.Code, func(sn *snapshot) {
		for _, ch := range cs {
			if !slices.Contains(sn.choices, ch) {
				sn.choices = append(sn.choices, ch)
			}
		}
	}, st.ID)
	return nil
}

// ReportClassmate reports the classmate with pseudonym target for the act
// of rule in the current round (informing must be on). The engine turns
// the report into a record against the classmate and the scheme's reward
// for informing to the reporter.
func (s *Service) ReportClassmate(ctx context.Context, st *Student, target, rule string) (Report, error) {
	var out Report
	err := s.write(st.Class, st.ID, func() (err error) {
		out, err = s.reportClassmate(ctx, st, target, rule)
		return err
	})
	return out, err
}

func (s *Service) reportClassmate(ctx context.Context, st *Student, target, rule string) (Report, error) {
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return Report{}, err
	}
	c := sn.class
	if !c.Informing {
		return Report{}, scs.Errorf(scs.EFORBIDDEN, "class %s: informing is switched off", c.Code)
	}
	if c.Status != StatusPlaying {
		return Report{}, scs.Errorf(scs.ECONFLICT, "class %s: no round is running", c.Code)
	}
	if st.Consent != ConsentGiven {
		return Report{}, scs.Errorf(scs.EFORBIDDEN, "%s has not consented to be scored, so does not play", st.Pseudonym)
	}
	var tgt *Student
	for i := range sn.students {
		if sn.students[i].Pseudonym == strings.TrimSpace(target) {
			tgt = &sn.students[i]
		}
	}
	if tgt == nil {
		return Report{}, scs.FieldErrorf(scs.ENOTFOUND, "pseudonym", "no %q in class %s", target, c.Code)
	}
	if tgt.ID == st.ID {
		return Report{}, scs.FieldErrorf(scs.EINVALID, "pseudonym", "you cannot report yourself")
	}
	if tgt.Consent != ConsentGiven {
		return Report{}, scs.FieldErrorf(scs.EINVALID, "pseudonym", "%s is not scored (no consent), so cannot be reported", tgt.Pseudonym)
	}
	ok := false
	for _, sit := range sn.rules.situations(c.Seed, c.Round) {
		if sit.Rule == rule && sit.Visible {
			ok = true
		}
	}
	if !ok {
		return Report{}, scs.FieldErrorf(scs.EINVALID, "rule", "%q is not something visible in round %d", rule, c.Round)
	}
	n := 0
	for _, r := range sn.reports {
		if r.Round == c.Round && r.Reporter == st.ID {
			n++
			if r.Target == tgt.ID && r.Rule == rule {
				return Report{}, scs.Errorf(scs.ECONFLICT, "you have already reported %s for this in round %d", tgt.Pseudonym, c.Round)
			}
		}
	}
	if n >= MaxReports {
		return Report{}, scs.Errorf(scs.ECONFLICT, "at most %d reports a round", MaxReports)
	}
	r, err := s.st.AddClassReport(ctx, c.Code, Report{Round: c.Round, Reporter: st.ID, Target: tgt.ID, Rule: rule, Status: ReportStanding})
	if err != nil {
		return Report{}, err
	}
	s.wrote(c.Code, func(sn *snapshot) {
		if !slices.ContainsFunc(sn.reports, func(x Report) bool { return x.ID == r.ID }) {
			sn.reports = append(sn.reports, r)
			slices.SortFunc(sn.reports, func(a, b Report) int { return cmp.Compare(a.ID, b.ID) })
		}
	}, r.Reporter, r.Target)
	return r, nil
}

func checkReason(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if len(reason) > MaxReason || !utf8.ValidString(reason) {
		return "", scs.FieldErrorf(scs.EINVALID, field, "at most %d bytes of text", MaxReason)
	}
	return reason, nil
}

// Object files the student's objection to a report against them; the
// teacher decides it.
func (s *Service) Object(ctx context.Context, st *Student, id int64, reason string) (Report, error) {
	reason, err := checkReason("reason", reason)
	if err != nil {
		return Report{}, err
	}
	sn, err := s.load(ctx, st.Class)
	if err != nil {
		return Report{}, err
	}
	if sn.class.Status == StatusClosed {
		return Report{}, scs.Errorf(scs.ENOTFOUND, "class %s: no such class", st.Class)
	}
	for _, r := range sn.reports {
		if r.ID != id || r.Target != st.ID {
			continue
		}
		if r.Status != ReportStanding {
			return Report{}, scs.Errorf(scs.ECONFLICT, "report %d: already %s", id, r.Status)
		}
		r.Status, r.Objection = ReportObjected, reason
		if r.Objection == "" {
			r.Objection = "-"
		}
		if err := s.st.SetClassReport(ctx, st.Class, r); err != nil {
			return Report{}, err
		}
		s.changed(st.Class)
		return r, nil
	}
	return Report{}, scs.FieldErrorf(scs.ENOTFOUND, "report", "no report %d against %s", id, st.Pseudonym)
}

// Decide upholds (the report becomes void: neither the record nor the
// reward for informing counts) or rejects an objection (the class's
// teacher).
func (s *Service) Decide(ctx context.Context, by *scs.Account, code string, id int64, uphold bool, reason string) (Report, error) {
	reason, err := checkReason("reason", reason)
	if err != nil {
		return Report{}, err
	}
	sn, err := s.load(ctx, code)
	if err != nil {
		return Report{}, err
	}
	if err := teacherOf(by, &sn.class); err != nil {
		return Report{}, err
	}
	for _, r := range sn.reports {
		if r.ID != id {
			continue
		}
		if r.Status != ReportObjected {
			return Report{}, scs.Errorf(scs.ECONFLICT, "report %d: no open objection (the report is %s)", id, r.Status)
		}
		r.Status, r.Decision = ReportRejected, reason
		if uphold {
			r.Status = ReportUpheld
		}
		if err := s.st.SetClassReport(ctx, sn.class.Code, r); err != nil {
			return Report{}, err
		}
		s.changed(sn.class.Code)
		return r, nil
	}
	return Report{}, scs.FieldErrorf(scs.ENOTFOUND, "report", "class %s has no report %d", sn.class.Code, id)
}

// Close ends the class (the class's teacher): it computes the aggregate
// counts per round and deletes every student, choice and report. The
// class's code then answers only its summary.
func (s *Service) Close(ctx context.Context, by *scs.Account, code string) (string, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return "", err
	}
	if err := teacherOf(by, &sn.class); err != nil {
		return "", err
	}
	if sn.class.Status == StatusClosed {
		return sn.class.Summary, nil
	}
	csv := SummaryCSV(sn.play().Rounds)
	if err := s.st.CloseClass(ctx, sn.class.Code, csv, s.now().UTC()); err != nil {
		return "", err
	}
	s.changed(sn.class.Code)
	s.mu.Lock()
	for key := range s.writing {
		if strings.HasPrefix(key, sn.class.Code+"/") {
			delete(s.writing, key)
		}
	}
	s.mu.Unlock()
	return csv, nil
}

// Summary returns the aggregate CSV of a class (its teacher): after
// closing, the one thing kept; before, what closing would keep.
func (s *Service) Summary(ctx context.Context, by *scs.Account, code string) (string, error) {
	sn, err := s.load(ctx, code)
	if err != nil {
		return "", err
	}
	if err := teacherOf(by, &sn.class); err != nil {
		return "", err
	}
	if sn.class.Status == StatusClosed {
		return sn.class.Summary, nil
	}
	return SummaryCSV(sn.play().Rounds), nil
}
