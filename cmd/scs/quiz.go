package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"scs"
	"scs/jsonl"
	"scs/quiz"
)

const quizUsage = `scs quiz [--scheme NAME|FILE] [--answers FILE|-] [--format text|json] [--at TIME]

The self-test: asks, for every rule of the scheme a person could answer about
themselves, how often it happened in the last 12 months (times, yuan, hours,
yes/no), then shows the score and grade the scheme would give, what that
grade means, and what each answer gave with the rule's source and status.
It asks for consent first. Nothing of the answers is stored or logged.

Interactively, it reads one answer a line from standard input; Enter alone
answers 0 (or no), n/a says the question does not apply to you. It asks
first whether the scheme would score you at all. With --answers it reads a
JSON file instead:

  {"consent": true, "eligible": true, "answers": {"speeding-ticket": 2, "tax-evasion": "n/a", "drunk-driving": "no"}}

Rules not listed are answered 0 (or no). The result says how the answers
were placed in time and which calendar years' yearly caps applied. Like the
online test the essay describes, this test is for understanding, linked to
no government. See docs/quiz.md.`

func cmdQuiz(e *env, args []string) error {
	fs := newFlags(e, "quiz", quizUsage)
	schemeName := fs.String("scheme", "rongcheng", "built-in scheme `NAME` or scheme FILE")
	answersFile := fs.String("answers", "", "read the answers from this JSON `FILE` (- for standard input) instead of asking")
	format := newChoice("text", "text", "json")
	fs.Var(format, "format", "output `format`: text or json")
	atFlag := fs.String("at", "", "take the test as of this RFC 3339 `time` (default now)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("quiz: unexpected argument %q", pos[0])
	}
	now := time.Now()
	if *atFlag != "" {
		if now, err = jsonl.ParseTime(*atFlag); err != nil {
			return usagef("quiz: --at: %v", err)
		}
	}
	eng, err := loadEngine(*schemeName)
	if err != nil {
		return err
	}
	test := quiz.New(eng)
	var answers quiz.Answers
	var prof quiz.Profile
	if *answersFile != "" {
		var data []byte
		if *answersFile == "-" {
			data, err = io.ReadAll(io.LimitReader(e.stdin, quiz.MaxAnswersFile+1))
		} else {
			data, err = os.ReadFile(*answersFile)
		}
		if err != nil {
			return scs.Errorf(scs.EINVALID, "quiz: %v", err)
		}
		if answers, prof, err = test.ParseAnswersProfile(data); err != nil {
			return scs.Errorf(scs.EINVALID, "quiz: %s: %s", *answersFile, quizError(err))
		}
	} else {
		prompts := e.stdout
		if format.val == "json" {
			prompts = e.stderr
		}
		var ok bool
		answers, prof, ok, err = askQuiz(test, bufio.NewReader(e.stdin), prompts)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(prompts, "You did not consent, so no question was asked and nothing was scored.")
			return nil
		}
	}
	res, err := test.ScoreProfile(answers, prof, now)
	if err != nil {
		return scs.Errorf(scs.EINVALID, "quiz: %s", quizError(err))
	}
	if format.val == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	return writeQuizResult(e.stdout, eng.Scheme(), res)
}

func quizError(err error) string {
	var ae *quiz.AnswerError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	return scs.ErrorMessage(err)
}

// maxAnswerLine bounds one typed answer.
const maxAnswerLine = 4096

// readAnswer reads one line; io.EOF when the input ends before one.
func readAnswer(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	if len(line) > maxAnswerLine {
		line = line[:maxAnswerLine]
	}
	return strings.TrimRight(line, "\r\n"), err
}

// askQuiz asks for consent, then every question, re-asking a question until
// its answer is valid. It reports false when the person does not consent.
func askQuiz(test *quiz.Test, in *bufio.Reader, out io.Writer) (quiz.Answers, quiz.Profile, bool, error) {
	prof := quiz.Profile{NotApplicable: map[string]bool{}}
	s := test.Scheme()
	qs := test.Questions()
	fmt.Fprintf(out, "scs self-test: %s\n\n", s.Title)
	fmt.Fprintf(out, "This test asks %d questions about the last %d months, one for each rule of the\n", len(qs), quiz.WindowMonths)
	fmt.Fprintf(out, "scheme a person could answer about themselves, and shows the grade the scheme\n")
	fmt.Fprintf(out, "would sort you into. Your answers are used only to compute the result shown here:\n")
	fmt.Fprintf(out, "nothing of them is stored or logged.\n\n")
	for _, l := range wrapText(quiz.Caveat, showWidth) {
		fmt.Fprintln(out, l)
	}
	fmt.Fprintln(out)
	for {
		fmt.Fprint(out, "Do you consent to take the test? [yes/no]: ")
		line, err := readAnswer(in)
		if err != nil {
			return nil, prof, false, scs.Errorf(scs.EINVALID, "quiz: the input ended before the consent question was answered")
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			if el := test.Eligibility(); el != "" {
				e, err := askEligible(el, in, out)
				if err != nil {
					return nil, prof, false, err
				}
				prof.Eligible = e
			}
			fmt.Fprintln(out, "\nEnter alone answers 0 (or no); n/a says the question does not apply to you.")
			answers := make(quiz.Answers)
			for i := range qs {
				q := &qs[i]
				v, na, err := askOne(test, q, i+1, len(qs), in, out)
				if err != nil {
					return nil, prof, false, err
				}
				if na {
					prof.NotApplicable[q.Rule] = true
				} else if v != 0 {
					answers[q.Rule] = v
				}
			}
			return answers, prof, true, nil
		case "n", "no":
			return nil, prof, false, nil
		}
		fmt.Fprintf(out, "Please answer yes or no (you wrote %q).\n", truncateLine(line))
	}
}

// askEligible asks whether the scheme would score the person; Enter alone
// leaves it unanswered (nil).
func askEligible(who string, in *bufio.Reader, out io.Writer) (*bool, error) {
	fmt.Fprintf(out, "\nFirst: the scheme scores %s. Is that you? [yes/no]: ", who)
	for {
		line, err := readAnswer(in)
		if err != nil {
			return nil, scs.Errorf(scs.EINVALID, "quiz: the input ended before the eligibility question was answered")
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "":
			return nil, nil
		case "y", "yes":
			t := true
			return &t, nil
		case "n", "no":
			f := false
			return &f, nil
		}
		fmt.Fprintf(out, "Please answer yes or no (you wrote %q): ", truncateLine(line))
	}
}

func askOne(test *quiz.Test, q *quiz.Question, n, total int, in *bufio.Reader, out io.Writer) (float64, bool, error) {
	fmt.Fprintf(out, "\n(%d/%d) %s\n      %s\n", n, total, q.Text, q.Help)
	hint := "[" + q.Unit + "]"
	if q.Kind == quiz.KindYesNo {
		hint = "[yes/no]"
	}
	for {
		fmt.Fprintf(out, "      %s: ", hint)
		line, err := readAnswer(in)
		if err != nil {
			return 0, false, scs.Errorf(scs.EINVALID, "quiz: the input ended before question %d (%s) was answered", n, q.Rule)
		}
		if quiz.NotApplicable(line) {
			return 0, true, nil
		}
		v, err := test.Parse(q.Rule, line)
		if err == nil {
			return v, false, nil
		}
		var ae *quiz.AnswerError
		if errors.As(err, &ae) {
			fmt.Fprintf(out, "      %q is not an answer here: %s. Try again.\n", truncateLine(line), ae.Message)
			continue
		}
		return 0, false, err
	}
}

func truncateLine(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func writeQuizResult(w io.Writer, s *scs.Scheme, r *quiz.Result) error {
	bw := bufio.NewWriter(w)
	day := func(t time.Time) string { return t.In(s.Location).Format("2006-01-02") }
	fmt.Fprintf(bw, "\nYour result under the %s, for %s to %s:\n\n", s.Title, day(r.From), day(r.AsOf))
	fmt.Fprintf(bw, "  score  %d (everyone starts at %d)\n", r.Score, r.Start)
	fmt.Fprintf(bw, "  grade  %s (%s)", r.Grade, r.Band)
	if r.GradeDescription != "" {
		fmt.Fprintf(bw, ": %s", r.GradeDescription)
	}
	fmt.Fprintln(bw)
	if r.LockedUntil != nil {
		fmt.Fprintf(bw, "  lock   locked in %s until %s", r.Grade, day(*r.LockedUntil))
		if r.ScoreBand != r.Grade {
			fmt.Fprintf(bw, " (the score alone would be %s)", r.ScoreBand)
		}
		fmt.Fprintln(bw)
	} else {
		fmt.Fprintf(bw, "  lock   none now (falling into %s locks a person in it for: %s)\n", r.Grade, r.LockIn)
	}
	fmt.Fprintf(bw, "  visits officials' visits: %s\n", r.Visits)
	if r.Worst != nil {
		fmt.Fprintf(bw, "  worst  if the officials chose the harshest points in every range rule: score %d, grade %s", r.Worst.Score, r.Worst.Grade)
		if r.Worst.LockedUntil != nil {
			fmt.Fprintf(bw, ", locked until %s", day(*r.Worst.LockedUntil))
		}
		fmt.Fprintln(bw)
	}
	fmt.Fprintf(bw, "\nWhat grade %s means:\n", r.Grade)
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	for _, c := range r.Capabilities {
		yn := "no"
		if c.Allowed {
			yn = "yes"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", yn, c.Name, c.Description)
	}
	tw.Flush()
	fmt.Fprintln(bw, "\nWhat each answer gave:")
	tw = tabwriter.NewWriter(bw, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  RULE\tANSWER\tPOINTS\tSTATUS\tSOURCE")
	zero, na := 0, 0
	var notes []string
	for _, a := range r.Answers {
		if a.NotApplicable {
			na++
			continue
		}
		if a.Value == 0 {
			zero++
			continue
		}
		pts := fmt.Sprintf("%+d", a.Points)
		if a.WorstPoints != nil {
			pts += fmt.Sprintf(" (worst %+d)", *a.WorstPoints)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", a.Rule, a.Display, pts, a.Status, a.Source)
		for _, n := range a.Notes {
			notes = append(notes, a.Rule+": "+n)
		}
	}
	tw.Flush()
	if zero > 0 {
		fmt.Fprintf(bw, "  (%d questions answered 0 or no gave no points.)\n", zero)
	}
	if na > 0 {
		fmt.Fprintf(bw, "  (%d questions did not apply to you and gave no points.)\n", na)
	}
	if len(notes) > 0 {
		fmt.Fprintln(bw, "\nWhy some answers gave less than the rule asks, or what they set off:")
		for _, n := range notes {
			fmt.Fprintf(bw, "  - %s\n", n)
		}
	}
	if r.Eligible != nil && !*r.Eligible {
		fmt.Fprintf(bw, "\nYou said the scheme would not score you (it scores %s): this is the result as if it did.\n", r.Eligibility)
	}
	if s.ConsentRequired {
		fmt.Fprintln(bw, "\nThe scheme scores only people who opt in; this is the result as if you had.")
	}
	years := make([]string, len(r.CalendarYears))
	for i, y := range r.CalendarYears {
		years[i] = fmt.Sprint(y)
	}
	fmt.Fprintln(bw, "\nHow your answers were placed in time:")
	for _, l := range wrapText(r.Placement+" Yearly caps applied for "+strings.Join(years, " and ")+" ("+s.TimeZone+").", showWidth-2) {
		fmt.Fprintln(bw, "  "+l)
	}
	fmt.Fprintln(bw)
	for _, l := range wrapText(r.Caveat, showWidth) {
		fmt.Fprintln(bw, l)
	}
	fmt.Fprintln(bw, "Nothing of your answers was stored or logged.")
	return bw.Flush()
}
