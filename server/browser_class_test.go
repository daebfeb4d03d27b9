package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fillRound answers every situation of the play form in the page: the
// post about the council as post says, and otherwise the quiet option
// (no, 0, paying the bill) when the card allows it, else the first one
// it allows.
const fillRound = `(function(post) {
  var n = 0;
  document.querySelectorAll("fieldset.situation").forEach(function (fs) {
    var radios = Array.prototype.slice.call(fs.querySelectorAll("input[type=radio]")).filter(function (r) { return !r.disabled; });
    var want = fs.id === "s-online-criticism-of-government" ? (post ? "yes" : "no") : null;
    var pick = radios.find(function (r) { return r.value === want; }) ||
      radios.find(function (r) { return r.value === "no" || r.value === "0" || r.value === "pay"; }) || radios[0];
    pick.checked = true;
    n++;
  });
  return n;
})`

// TestBrowserClassroom plays a whole lesson in Chromium: a teacher opens a
// class, 30 students join from their own browser profiles, consent and
// play every round with informing on; one reports another, who objects,
// and the teacher upholds the objection from the board, which shows it
// live. The board's and the debrief's counts are checked, and after
// closing nothing per student remains in the database.
func TestBrowserClassroom(t *testing.T) {
	browser := newBrowser(t)
	s, db, tok := classServer(t)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close) // after the browser contexts, which hold the board's event stream
	const nStudents, rounds = 30, 5

	teacher := newPerson(t, browser, ts.URL)
	teacher.SignIn(tok["teacher"])
	teacher.Open("/class/new?lang=en")
	teacher.Shot("class-new")
	teacher.Do(chromedp.SetValue(chromedp.CSS("#rounds"), strconv.Itoa(rounds)))
	teacher.Submit(`form[action="/class/new"] button`)
	code := teacher.Text(".joinline .code")
	if len(code) != 6 {
		t.Fatalf("join code %q", code)
	}

	// The students join in parallel, each in their own browser context.
	students := make([]*person, nStudents)
	names := make([]string, nStudents)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	sem := make(chan struct{}, 6)
	for i := range students {
		students[i] = newPerson(t, browser, ts.URL)
	}
	for i, p := range students {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(p.Context(), 60*time.Second)
			defer cancel()
			if i == 0 {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
					fail("student %d: viewport: %v", i, err)
					return
				}
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/join?lang=en&code="+strings.ToLower(code))); err != nil {
				fail("student %d: join page: %v", i, err)
				return
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/join"] button`))); err != nil {
				fail("student %d: join: %v", i, err)
				return
			}
			if i == 0 {
				p.ViewShot("class-consent")
			}
			if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`button[name="consent"][value="yes"]`))); err != nil {
				fail("student %d: consent: %v", i, err)
				return
			}
			name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".me .pseudonym")))
			if err != nil {
				fail("student %d: pseudonym: %v", i, err)
				return
			}
			names[i] = strings.TrimSpace(name)
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("joining: %v", failures)
	}
	teacher.Open("/class/" + code + "/board")
	if n := teacher.Text("#n-scored"); n != strconv.Itoa(nStudents) {
		t.Fatalf("board: %s playing, want %d", n, nStudents)
	}

	// Who posts about the council in which round: fewer each round.
	posts := func(i, round int) bool { return i%(round+1) == 0 }
	wantCriticism := make([]int, rounds+1)
	var reportID string
	for round := 1; round <= rounds; round++ {
		teacher.Open("/class/" + code + "/board")
		teacher.Submit(`form.controls button`)
		for i, p := range students {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(p.Context(), 60*time.Second)
				defer cancel()
				if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/class/"+code+"/me")); err != nil {
					fail("student %d round %d: %v", i, round, err)
					return
				}
				n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fillRound+"("+strconv.FormatBool(posts(i, round))+")"))
				if err != nil || n < 3 || n > 5 {
					fail("student %d round %d: %d situations, %v", i, round, n, err)
					return
				}
				if i == 0 && round == 1 {
					p.ViewShot("class-phone-play")
				}
				if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.play button[type=submit]`))); err != nil {
					fail("student %d round %d: submit: %v", i, round, err)
				}
			}()
			if posts(i, round) {
				wantCriticism[round]++
			}
		}
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("round %d: %v", round, failures)
		}
		if round == 1 {
			// Student 1 reports student 0's post; student 0 objects.
			r := students[1]
			r.Open("/class/" + code + "/me")
			r.Do(
				chromedp.SetValue(chromedp.CSS("#pseudonym"), names[0]),
				chromedp.SetValue(chromedp.CSS("#rule"), "online-criticism-of-government"),
			)
			r.Submit(`form[action$="/me/report"] button`)
			// And student 2 reports student 3, which stands.
			r2 := students[2]
			r2.Open("/class/" + code + "/me")
			r2.Do(chromedp.SetValue(chromedp.CSS("#pseudonym"), names[3]), chromedp.SetValue(chromedp.CSS("#rule"), "online-criticism-of-government"))
			r2.Submit(`form[action$="/me/report"] button`)

			teacher.Open("/class/" + code + "/board")
			v := students[0]
			v.Open("/class/" + code + "/me")
			if !strings.Contains(v.Text("main"), "a classmate reported you") {
				t.Fatalf("the reported student does not see the report")
			}
			v.Do(chromedp.SetValue(chromedp.CSS(`.report input[name="reason"]`), "I only said what everyone thinks"))
			v.Submit(`.report button`)
			v.ViewShot("class-phone")
			// The board shows the objection without a reload (server-sent events).
			teacher.Do(chromedp.WaitVisible(chromedp.CSS(".objection form")))
			reportID = strings.TrimPrefix(teacher.Attr(".objection", "id"), "objection-")
			teacher.Do(chromedp.SetValue(chromedp.CSS(".objection input[name=reason]"), "criticism is allowed in this class"))
			teacher.Submit(`.objection button[value="uphold"]`)
			if d := teacher.Text(".objection .decided"); !strings.Contains(d, "upheld") {
				t.Errorf("decided objection: %q", d)
			}
		}
		if round == 2 {
			teacher.Open("/class/" + code + "/board")
			teacher.Shot("class-board")
		}
	}
	if reportID == "" {
		t.Fatal("no objection was decided")
	}
	teacher.Open("/class/" + code + "/board")
	teacher.Submit(`form.controls button`) // end the game
	if h := teacher.Text(".round-line"); h != "The game is over" {
		t.Errorf("after the last round: %q", h)
	}
	total := 0
	for r := 1; r <= rounds; r++ {
		row := teacher.Text(fmt.Sprintf("#rounds tbody tr:nth-child(%d)", r))
		f := strings.Fields(row)
		if len(f) < 3 || f[1] != strconv.Itoa(nStudents) || f[2] != strconv.Itoa(wantCriticism[r]) {
			t.Errorf("round %d on the board: %q, want %d played and %d posts", r, row, nStudents, wantCriticism[r])
		}
	}
	for _, g := range []string{"AAA", "AA", "A", "B", "C", "D"} {
		total += int(atoi(teacher.Text(`#grades td[data-grade="` + g + `"]`)))
	}
	if total != nStudents {
		t.Errorf("the grades on the board add up to %d, want %d", total, nStudents)
	}
	if rep := teacher.Text("#reports"); !strings.Contains(rep, names[0]) || !strings.Contains(rep, names[3]) {
		t.Errorf("reports table lacks the reported students: %s", rep)
	}

	teacher.Open("/class/" + code + "/debrief")
	lead := teacher.Text(".debrief .lead")
	if want := fmt.Sprintf("%d students, %d played, 0 watched, %d rounds", nStudents, nStudents, rounds); !strings.Contains(lead, want) {
		t.Errorf("debrief lead %q, want %q", lead, want)
	}
	if c := teacher.Text("#claim-chilled-speech"); !strings.Contains(c, fmt.Sprintf("Round 1: %d of %d", wantCriticism[1], nStudents)) {
		t.Errorf("debrief on speech: %q", c)
	}
	if c := teacher.Text("#claim-informants"); !strings.Contains(c, "2 of 30 players reported a classmate (2 reports); objected to: 1, upheld: 1") {
		t.Errorf("debrief on informing: %q", c)
	}
	teacher.Shot("class-debrief")

	teacher.Open("/class/" + code + "/board")
	teacher.Do(chromedp.Click(chromedp.CSS(`input[name=confirm]`)))
	teacher.Submit(`button.danger`)
	if h := teacher.Text("main h1"); !strings.Contains(h, "is closed") {
		t.Errorf("after closing: %q", h)
	}
	if n, c, r, err := db.ClassRows(context.Background(), code); err != nil || n+c+r != 0 {
		t.Errorf("after closing: %d students, %d choices, %d reports remain (%v)", n, c, r, err)
	}
	students[5].Open("/class/" + code + "/me")
	if !strings.Contains(students[5].Title(), "wrong") {
		t.Errorf("a student's page after closing: title %q", students[5].Title())
	}
}
