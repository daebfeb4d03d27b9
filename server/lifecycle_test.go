package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"scs"
	"scs/engine"
	"scs/schemes"
)

// blockingHistory is a GradeHistory whose count runs until its context
// ends, and says when it started and how it ended.
type blockingHistory struct {
	started chan struct{}
	ended   chan error
}

func (h *blockingHistory) GradesAt(ctx context.Context, ends []time.Time) ([][]int, error) {
	close(h.started)
	<-ctx.Done()
	h.ended <- ctx.Err()
	return nil, ctx.Err()
}

// TestCloseStopsBackgroundWork checks that the city page's history is
// counted on the server's background context, which Close cancels, and
// that Close waits for it; and that nothing starts after Close.
func TestCloseStopsBackgroundWork(t *testing.T) {
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	h := &blockingHistory{started: make(chan struct{}), ended: make(chan error, 1)}
	s, err := New(Deps{Registry: newPageFake(eng), Engine: eng, History: h, Now: func() time.Time { return pageNow }})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case <-h.started:
	case <-time.After(10 * time.Second):
		t.Fatal("the city page did not start counting its history")
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case err := <-h.ended:
		if err != context.Canceled {
			t.Errorf("the history's context ended with %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not cancel the history's count")
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return")
	}
	if s.bg.run(func(context.Context) { t.Error("work started after Close") }) {
		t.Error("run accepted work after Close")
	}
	var _ scs.GradeHistory = h
}
