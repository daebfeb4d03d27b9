package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"scs/engine"
	"scs/quiz"
	"scs/schemes"
)

// runQuizCLI runs the scs binary's run() in-process with stdin.
func runQuizCLI(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), append([]string{"scs"}, args...), func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

const quizAt = "2026-12-20T12:00:00+08:00"

// The answers of quiz.TestKnownAnswersGood: 1000 + 20 + 30 (donation, capped)
// + 20 (blood, capped) + 56 (100 volunteer hours) - 20 (2 tickets) = 1106, AAA.
var goodAnswers = map[string]string{
	"returned-lost-money": "1", "charitable-donation": "5000", "blood-donation": "3",
	"volunteer-service": "100", "speeding-ticket": "2",
}

func TestQuizAnswersFile(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "answers.json")
	os.WriteFile(f, []byte(`{"consent": true, "answers": {"returned-lost-money": 1, "charitable-donation": 5000, "blood-donation": 3, "volunteer-service": "100", "speeding-ticket": 2, "drunk-driving": "no"}}`), 0o600)
	out, _, err := runQuizCLI(t, "", "quiz", "--answers", f, "--at", quizAt, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var r quiz.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if r.Score != 1106 || r.Grade != "AAA" || len(r.Answers) != len(schemes.MustLoad("rongcheng").Rules) {
		t.Errorf("json result: score %d grade %s, %d answers; want 1106 AAA and one per rule", r.Score, r.Grade, len(r.Answers))
	}
	out, _, err = runQuizCLI(t, "", "quiz", "--answers", f, "--at", quizAt)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"score  1106", "grade  AAA (1050+)", "yes  priority-healthcare", "charitable-donation  5000 yuan  +30", "yearly cap of 30", "Nothing of your answers was stored"} {
		if !strings.Contains(out, want) {
			t.Errorf("text result lacks %q:\n%s", want, out)
		}
	}
	// Standing input as the answers file.
	out, _, err = runQuizCLI(t, `{"consent":true,"answers":{"drunk-driving":true}}`, "quiz", "--answers", "-", "--at", quizAt, "--format", "json")
	if err != nil || !strings.Contains(out, `"grade": "C"`) {
		t.Errorf("answers from stdin: %v\n%s", err, out)
	}
}

func TestQuizAnswersFileErrors(t *testing.T) {
	dir := t.TempDir()
	for body, want := range map[string]string{
		`{"consent": true, "answers": {"speeding-ticket": 1.5}}`: `speeding-ticket: "1.5": answer a whole number of times`,
		`{"consent": true, "answers": {"speeding": 1}}`:          `speeding: no question about rule "speeding"`,
		`{"consent": false}`: "consent: false",
	} {
		f := filepath.Join(dir, "a.json")
		os.WriteFile(f, []byte(body), 0o600)
		out, _, err := runQuizCLI(t, "", "quiz", "--answers", f)
		if err == nil || !strings.Contains(err.Error(), want) || out != "" {
			t.Errorf("%s: err %v, out %q; want an error containing %q and no output", body, err, out, want)
		}
	}
	if _, _, err := runQuizCLI(t, "", "quiz", "--answers", filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing answers file is not an error")
	}
	if _, _, err := runQuizCLI(t, "", "quiz", "--format", "xml"); err == nil || exitStatus(err) != 2 {
		t.Errorf("bad --format: %v, want a usage error", err)
	}
}

func exitStatus(err error) int {
	if _, ok := err.(*usageError); ok {
		return 2
	}
	return 1
}

// typed builds the lines a person types: consent, then one answer per
// question in the scheme's order, with extra (bad) lines before some.
func typed(t *testing.T, consent string, answers map[string]string, before map[string][]string) string {
	t.Helper()
	eng, err := engine.New(schemes.MustLoad("rongcheng"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(consent)
	for _, q := range quiz.New(eng).Questions() {
		for _, bad := range before[q.Rule] {
			b.WriteString(bad + "\n")
		}
		b.WriteString(answers[q.Rule] + "\n")
	}
	return b.String()
}

func TestQuizInteractive(t *testing.T) {
	in := typed(t, "perhaps\nyes\nyes\n", goodAnswers, map[string][]string{
		"speeding-ticket":          {"-1", "two"},
		"drunk-driving":            {"maybe"},
		"excessive-unhealthy-food": {"13"},
	})
	out, _, err := runQuizCLI(t, in, "quiz", "--at", quizAt)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"nothing of them is stored or logged",
		`Please answer yes or no (you wrote "perhaps")`,
		"(1/27) Returned money someone had lost: how many times in the last 12 months?",
		`"-1" is not an answer here: answer cannot be negative. Try again.`,
		`"two" is not an answer here: answer a whole number of times, 0 to 1000. Try again.`,
		`"maybe" is not an answer here: answer yes or no. Try again.`,
		`"13" is not an answer here: at most 12 flagged months in 12 months. Try again.`,
		"score  1106", "grade  AAA",
		"First: the scheme scores people aged 18 or over",
		"additions first", "Yearly caps applied for",
		"not linked to the Chinese government",
	} {
		if !strings.Contains(out, want) && !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// JSON output: the prompts go to stderr, stdout is the result alone.
	out, errOut, err := runQuizCLI(t, typed(t, "y\n\n", goodAnswers, nil), "quiz", "--at", quizAt, "--format", "json")
	var r quiz.Result
	if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.Grade != "AAA" || !strings.Contains(errOut, "(27/27)") {
		t.Errorf("json interactive: %v, grade %q\nstdout %s\nstderr %s", err, r.Grade, out, errOut)
	}
}

func TestQuizInteractiveNoConsentAndShortInput(t *testing.T) {
	out, _, err := runQuizCLI(t, "no\n", "quiz")
	if err != nil || !strings.Contains(out, "You did not consent") || strings.Contains(out, "(1/27)") || strings.Contains(out, "grade  ") {
		t.Errorf("no consent: %v\n%s", err, out)
	}
	_, _, err = runQuizCLI(t, "yes\nyes\n1\n0\n", "quiz")
	if err == nil || !strings.Contains(err.Error(), "before question 3 (informant-report)") {
		t.Errorf("short input: %v", err)
	}
	if _, _, err := runQuizCLI(t, "", "quiz"); err == nil || !strings.Contains(err.Error(), "consent") {
		t.Errorf("empty input: %v", err)
	}
}

// TestQuizNotApplicable: n/a answers a question as not applying, typed or
// in the answers file, with eligibility answered no.
func TestQuizNotApplicable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a.json")
	os.WriteFile(file, []byte(`{"consent": true, "eligible": false, "answers": {"tax-evasion": "does not apply", "returned-lost-money": 1}}`), 0o644)
	out, _, err := runQuizCLI(t, "", "quiz", "--at", quizAt, "--answers", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"score  1020", "1 questions did not apply", "You said the scheme would not score you"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	in := typed(t, "yes\nno\n", map[string]string{"tax-evasion": "n/a", "returned-lost-money": "1"}, nil)
	out, _, err = runQuizCLI(t, in, "quiz", "--at", quizAt)
	if err != nil || !strings.Contains(out, "score  1020") || !strings.Contains(out, "1 questions did not apply") {
		t.Errorf("typed n/a: %v\n%s", err, out)
	}
}
