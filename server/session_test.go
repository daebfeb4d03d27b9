package server

import (
	"strconv"
	"testing"
	"time"
)

// TestSessionsBounded: sign-ins beyond the bounds end the oldest sessions,
// of the account first, then of anyone.
func TestSessionsBounded(t *testing.T) {
	w := &web{sessions: map[string]*session{}}
	now := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		w.addSession("a"+strconv.Itoa(i), &session{account: 1, expires: now.Add(time.Hour)}, now)
	}
	if len(w.sessions) != MaxSessionsPerAccount {
		t.Fatalf("%d sessions of one account, want %d", len(w.sessions), MaxSessionsPerAccount)
	}
	for i := 20 - MaxSessionsPerAccount; i < 20; i++ {
		if w.sessions["a"+strconv.Itoa(i)] == nil {
			t.Errorf("session a%d, one of the newest, was ended", i)
		}
	}
	for i := range MaxSessions + 50 {
		w.addSession("b"+strconv.Itoa(i), &session{account: int64(100 + i), expires: now.Add(time.Hour)}, now)
	}
	if len(w.sessions) != MaxSessions {
		t.Fatalf("%d sessions, want %d", len(w.sessions), MaxSessions)
	}
	if w.sessions["b"+strconv.Itoa(MaxSessions+49)] == nil || w.sessions["a19"] != nil {
		t.Error("the newest session is gone or the oldest kept")
	}
	// Expired sessions go first.
	later := now.Add(2 * time.Hour)
	w.addSession("c", &session{account: 1, expires: later.Add(time.Hour)}, later)
	if len(w.sessions) != 1 {
		t.Errorf("%d sessions after all others expired", len(w.sessions))
	}
}
