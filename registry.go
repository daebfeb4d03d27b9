package scs

import (
	"context"
	"time"
)

// Roles an account can have.
const (
	RoleCitizen  = "citizen"  // bound to one citizen: their own file, objections, consent
	RoleOfficial = "official" // bound to a department: reports that department's records, reads files and lists
	RoleReviewer = "reviewer" // decides objections
	RoleAdmin    = "admin"    // accounts, citizens, everything
	RoleTeacher  = "teacher"  // opens classes (classroom mode) and runs only their own
)

// Account is who makes a request. Tokens are random and stored only as
// hashes; the plain token is shown once, when the account is created.
type Account struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Citizen    string     `json:"citizen,omitempty"`    // RoleCitizen only
	Department string     `json:"department,omitempty"` // RoleOfficial only
	Created    time.Time  `json:"created"`
	Revoked    *time.Time `json:"revoked,omitempty"`
}

// Citizen is a person in the registry: synthetic (made by the simulator or
// registered through the API), never taken from any feed.
type Citizen struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Neighbourhood string    `json:"neighbourhood"`
	BirthYear     int       `json:"birth_year"`
	Consent       bool      `json:"consent"` // opted in to scoring
	Registered    time.Time `json:"registered"`
	// ResidentSince is when the citizen became resident, for the scheme's
	// eligibility; nil when not on record (taken as resident long enough).
	ResidentSince *time.Time `json:"resident_since,omitempty"`
}

// Ledger entry kinds. The ledger is append-only: a reversal or a consent
// change is a new entry, never an update.
const (
	EntryRecord   = "record"   // a reported record of conduct
	EntryReversal = "reversal" // an upheld objection reverses a record
	EntryConsent  = "consent"  // a citizen opts in or out of scoring
	EntryCitizen  = "citizen"  // a citizen is registered
	// Entries of the decisions kept in other tables, so that editing those
	// tables is named by verify.
	EntryObjection  = "objection"          // a citizen objects to a record
	EntryDecision   = "objection-decision" // a reviewer upholds or rejects an objection
	EntryAccount    = "account"            // an account is created, with its role
	EntryRevocation = "revocation"         // an account is revoked
	EntryScheme     = "scheme"             // the registry moves to a scheme that scores differently (scs migrate-scheme)
	EntryRescore    = "rescore"            // a citizen's standing before and after such a move
)

// Record is a reported record of conduct as stored: the event, who reported
// it and when, and its place in the hash chain.
type Record struct {
	Seq        int64     `json:"seq"`
	Event      Event     `json:"-"`
	RecordedAt time.Time `json:"recorded_at"`
	Account    int64     `json:"account"`
	Reversed   bool      `json:"reversed"`
	Hash       string    `json:"hash"`
}

// FileEntry is one line of a citizen's file: the trail entry with the rule's
// words and provenance, the record's evidence and whether it was reversed.
type FileEntry struct {
	TrailEntry
	Description string `json:"description"`
	Department  string `json:"department"`
	Evidence    string `json:"evidence,omitempty"`
	Provenance
	Reversed bool `json:"reversed"`
}

// Objection states.
const (
	ObjectionOpen     = "open"
	ObjectionUpheld   = "upheld"   // the record is reversed
	ObjectionRejected = "rejected" // the record stands
)

// ObjectionDeadline is how long a reviewer has to decide an objection.
const ObjectionDeadline = 20 * 24 * time.Hour

// Objection is a citizen's challenge to one of their records.
type Objection struct {
	ID       int64      `json:"id"`
	Citizen  string     `json:"citizen"`
	Record   string     `json:"record"` // the record's client id
	Reason   string     `json:"reason"`
	Status   string     `json:"status"`
	Filed    time.Time  `json:"filed"`
	Due      time.Time  `json:"due"`
	Overdue  bool       `json:"overdue"` // open past Due, as of the time asked
	Decided  *time.Time `json:"decided,omitempty"`
	Reviewer int64      `json:"reviewer,omitempty"`
	// Verdict is the reviewer's decision in the words of the request that
	// made it, "uphold" or "reject"; empty while open.
	Verdict string `json:"decision,omitempty"`
	// Decision is the reviewer's reason for it.
	Decision string `json:"decision_reason,omitempty"`
	// Entry is the record objected to, as the citizen's file shows it:
	// rule, points, time, evidence, department and the score after it
	// (ScoreBefore before it). For an upheld objection the record no longer
	// counts: Reversed is set and its points and score are not kept.
	Entry       *FileEntry `json:"entry,omitempty"`
	ScoreBefore *int64     `json:"score_before,omitempty"`
}

// VerdictOf returns the words of a decided objection's status in the
// decision request's terms: "uphold" for upheld, "reject" for rejected.
func VerdictOf(status string) string {
	switch status {
	case ObjectionUpheld:
		return "uphold"
	case ObjectionRejected:
		return "reject"
	}
	return ""
}

// File is everything the registry holds about one citizen, as of a time.
// Scored is false when the citizen is not scored as of AsOf (no consent
// where the scheme needs it, or not eligible; NotScored says why): records
// are kept, but there is no score, grade, privilege or sanction.
type File struct {
	Citizen      Citizen     `json:"citizen"`
	Scored       bool        `json:"scored"`
	NotScored    string      `json:"not_scored,omitempty"`
	Standing     *Standing   `json:"standing"`
	Capabilities []Decision  `json:"capabilities"`
	Trail        []FileEntry `json:"trail"`
	Objections   []Objection `json:"objections"`
	Visits       Visits      `json:"visits"`
	GradeSince   *time.Time  `json:"grade_since,omitempty"`
	AsOf         time.Time   `json:"as_of"`
	// TrailTotal is how many entries the whole trail has as of AsOf;
	// Trail is one page of it, TrailBefore entries after the start of
	// the page's order. TrailNext and TrailPrev are the cursors of the
	// next and the previous page ("" when there is none).
	TrailTotal  int    `json:"trail_total"`
	TrailBefore int    `json:"trail_before"`
	TrailNext   string `json:"trail_next,omitempty"`
	TrailPrev   string `json:"trail_prev,omitempty"`
	// Recomputation and Recomputations are set under a factor-model
	// scheme for a scored citizen: the recomputation the standing comes
	// from, with every factor's value, sub-score and points, and the
	// recomputations at which the factors changed within this page's
	// span of the trail (after its oldest record, up to the record after
	// the page or AsOf), so that the pages together hold each one once.
	Recomputation  *Recomputation  `json:"recomputation,omitempty"`
	Recomputations []Recomputation `json:"recomputations,omitempty"`
}

// TrailPage asks for one page of a file's trail: at most Limit entries
// (0 for the registry's default) after Cursor, a TrailNext or TrailPrev of
// an earlier page of the same file ("" for the first page). The trail is
// oldest first, or newest first when Newest is set. All asks for the whole
// trail in one page (for callers that replay it), and ignores the rest.
type TrailPage struct {
	Cursor string
	Limit  int
	Newest bool
	All    bool
}

// ListEntry is a citizen on the public list or the watch list.
type ListEntry struct {
	Citizen       string      `json:"citizen"`
	Name          string      `json:"name"`
	Neighbourhood string      `json:"neighbourhood"`
	Grade         string      `json:"grade"`
	Score         int64       `json:"score"`
	GradeSince    time.Time   `json:"grade_since"`
	LockedUntil   *time.Time  `json:"locked_until,omitempty"`
	Records       []FileEntry `json:"records,omitempty"` // the records that put them there (public list)
}

// Page asks for one page of a list: at most Limit entries after Cursor.
type Page struct {
	Cursor string
	Limit  int
}

// Visit is one official visit due on a day.
type Visit struct {
	Citizen       string `json:"citizen"`
	Name          string `json:"name"`
	Neighbourhood string `json:"neighbourhood"`
	Grade         string `json:"grade"`
	Count         int    `json:"count"` // visits due that day
}

// Stats are the registry's totals as of a time.
type Stats struct {
	Citizens          int            `json:"citizens"`
	Scored            int            `json:"scored"`
	PerGrade          map[string]int `json:"per_grade"`
	Records           int64          `json:"records"`
	RecordsPerRule    map[string]int `json:"records_per_rule"`
	ObjectionsOpen    int            `json:"objections_open"`
	ObjectionsOverdue int            `json:"objections_overdue"`
	AsOf              time.Time      `json:"as_of"`
}

// VerifyProblem is one mismatch found by Verify.
type VerifyProblem struct {
	Seq     int64  `json:"seq,omitempty"`
	Citizen string `json:"citizen,omitempty"`
	Message string `json:"message"`
}

// Registry is the registry service: the append-only ledger and the
// projections kept with it. Implementations (package store) are safe for
// concurrent use. Every write takes the acting account, checks what the
// account's role allows (scs.EFORBIDDEN otherwise) and records who made it.
// Errors carry scs codes and name the field at fault.
type Registry interface {
	// Scheme returns the scheme the registry scores with.
	Scheme() *Scheme

	// ReportRecords appends records, all or nothing. A record whose client
	// id exists with the same content returns the stored one; with other
	// content it is scs.ECONFLICT. A record dated before the citizen's
	// latest record is allowed: their state is recomputed from history.
	ReportRecords(ctx context.Context, by *Account, evs []Event) ([]Record, error)
	// RegisterCitizen adds a citizen (admin).
	RegisterCitizen(ctx context.Context, by *Account, c Citizen) (Citizen, error)
	// SetConsent opts a citizen in or out of scoring (the citizen or admin).
	SetConsent(ctx context.Context, by *Account, citizen string, consent bool) (Citizen, error)
	// SearchCitizens finds citizens whose id or name starts with q, in id
	// order, one page (officials, admin; reviewers among citizens with an
	// open objection).
	SearchCitizens(ctx context.Context, by *Account, q string, p Page) ([]Citizen, string, error)
	// File returns a citizen's file as of at with one page of its trail
	// (the citizen, officials, admin).
	File(ctx context.Context, by *Account, citizen string, at time.Time, p TrailPage) (*File, error)
	// Decide answers "may this citizen get capability?" as of at.
	Decide(ctx context.Context, by *Account, citizen, capability string, at time.Time) (Decision, error)
	// PreviewRecord says what reporting ev would do to its citizen as of at
	// (the later of at and the record's time), storing nothing: the
	// citizen's standing records replayed with and without it (those who
	// may read the file). An error about the record names its field.
	PreviewRecord(ctx context.Context, by *Account, ev Event, at time.Time) (RecordPreview, error)

	// Object files an objection to one of the citizen's records.
	Object(ctx context.Context, by *Account, citizen, record, reason string) (Objection, error)
	// DecideObjection upholds (reversing the record) or rejects an objection (reviewer).
	DecideObjection(ctx context.Context, by *Account, id int64, uphold bool, reason string) (Objection, error)
	// Objections lists one page of the objections with the given status
	// ("" for all, "decided" for upheld and rejected), oldest due first,
	// and the cursor of the next page ("" on the last).
	Objections(ctx context.Context, by *Account, status string, p Page, at time.Time) ([]Objection, string, error)

	// PublicList lists citizens in the public-list grades (anyone may read it).
	PublicList(ctx context.Context, p Page, at time.Time) ([]ListEntry, string, error)
	// WatchList lists citizens in the watch-list grades (officials, admin).
	WatchList(ctx context.Context, by *Account, p Page, at time.Time) ([]ListEntry, string, error)
	// Visits lists the visits due on day in a neighbourhood ("" for all).
	Visits(ctx context.Context, by *Account, day time.Time, neighbourhood string) ([]Visit, error)
	// Stats returns the totals as of at.
	Stats(ctx context.Context, at time.Time) (Stats, error)

	// CreateAccount makes an account and returns it with its token, shown only now.
	CreateAccount(ctx context.Context, by *Account, a Account) (Account, string, error)
	// Authenticate returns the live account that token belongs to, or scs.EUNAUTHORIZED.
	Authenticate(ctx context.Context, token string) (*Account, error)
	// Accounts lists every account (admin).
	Accounts(ctx context.Context, by *Account) ([]Account, error)
	// RevokeAccount revokes an account (admin).
	RevokeAccount(ctx context.Context, by *Account, id int64) error
}

// Checkpoint is a signed head of the ledger's hash chain, in the manner of
// Certificate Transparency's signed tree heads: the last entry's sequence
// number and hash at a time, signed with an Ed25519 key kept outside the
// database. Anyone who keeps a copy can later check that the ledger still
// extends it (scs verify --head SEQ:HASH): an older copy of the database
// restored, or the newest entries deleted, no longer does.
type Checkpoint struct {
	Scheme    string    `json:"scheme"`
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"` // lower-case hex
	Time      time.Time `json:"time"`
	Head      string    `json:"head"`       // SEQ:HASH
	Body      string    `json:"body"`       // the signed text
	Signature string    `json:"signature"`  // base64 Ed25519 signature of Body
	PublicKey string    `json:"public_key"` // base64 Ed25519 public key
}

// RecordPreview is what a record would do before it is reported: the
// points it asks and would apply, why, and the citizen's score and grade
// before and after.
type RecordPreview struct {
	Name     string // the citizen's
	Scored   bool   // whether the citizen's records are scored
	Asked    int64
	Applied  int64
	Reason   string
	Before   int64
	After    int64
	GradeWas string
	Grade    string
}

// GradeHistory counts citizens per grade at past instants, for the city
// page's chart of year-ends.
type GradeHistory interface {
	// GradesAt returns, for each of ends (in increasing order), how many
	// scored citizens registered by then were in each of the scheme's
	// grades, replaying the standing records through the engine.
	GradesAt(ctx context.Context, ends []time.Time) ([][]int, error)
}
