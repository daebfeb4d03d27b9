package server

import (
	"net/http"

	"scs/quiz"
)

type quizPage struct {
	Consented bool
	Questions []quizField
	Errors    int
	Result    *quiz.Result
	Given     []quiz.Answer // the answers above 0, for the result
	Zero      int
	Months    int
	// Eligibility says who the scheme scores ("" for everyone); Eligible
	// is the answer to that first question: "yes", "no" or "".
	Eligibility string
	Eligible    string
	NA          int // questions that do not apply
	Caveat      string
}

type quizField struct {
	quiz.Question
	N     int
	Value string
	Error string
	NA    bool // "does not apply to me"
}

// pageQuiz is the self-test: consent first (a GET form), then a form of
// one question per rule. It stores and logs nothing of the answers.
func (s *Server) pageQuiz(w http.ResponseWriter, r *http.Request) error {
	p := quizPage{Months: quiz.WindowMonths, Eligibility: s.web.quiz.Eligibility(), Caveat: quiz.Caveat}
	if r.URL.Query().Get("consent") == "yes" {
		p.Consented = true
		for i, q := range s.web.quiz.Questions() {
			p.Questions = append(p.Questions, quizField{Question: q, N: i + 1})
		}
	}
	return s.render(w, r, http.StatusOK, "quiz", "Self-test", "quiz", p)
}

// pageQuizPost scores the answers and shows the result; a bad answer
// shows the form again with the message at its field.
func (s *Server) pageQuizPost(w http.ResponseWriter, r *http.Request) error {
	p := quizPage{Months: quiz.WindowMonths, Eligibility: s.web.quiz.Eligibility(), Caveat: quiz.Caveat}
	if r.PostForm.Get("consent") != "yes" {
		return s.render(w, r, http.StatusBadRequest, "quiz", "Self-test", "quiz", p)
	}
	p.Consented = true
	answers := make(quiz.Answers)
	prof := quiz.Profile{NotApplicable: map[string]bool{}}
	switch p.Eligible = r.PostForm.Get("eligible"); p.Eligible {
	case "yes", "no":
		e := p.Eligible == "yes"
		prof.Eligible = &e
	default:
		p.Eligible = ""
	}
	for i, q := range s.web.quiz.Questions() {
		f := quizField{Question: q, N: i + 1, Value: r.PostForm.Get("a-" + q.Rule), NA: r.PostForm.Get("na-"+q.Rule) != ""}
		if f.NA {
			prof.NotApplicable[q.Rule] = true
			p.Questions = append(p.Questions, f)
			continue
		}
		v, err := s.web.quiz.Parse(q.Rule, f.Value)
		if err != nil {
			if ae, ok := err.(*quiz.AnswerError); ok {
				f.Error = ae.Message
			} else {
				f.Error = err.Error()
			}
			p.Errors++
		} else if v != 0 {
			answers[q.Rule] = v
		}
		p.Questions = append(p.Questions, f)
	}
	if p.Errors > 0 {
		return s.render(w, r, http.StatusBadRequest, "quiz", "Self-test: please check your answers", "quiz", p)
	}
	res, err := s.web.quiz.ScoreProfile(answers, prof, s.now())
	if err != nil {
		return err
	}
	p.Result = res
	for _, a := range res.Answers {
		switch {
		case a.NotApplicable:
			p.NA++
		case a.Value != 0:
			p.Given = append(p.Given, a)
		default:
			p.Zero++
		}
	}
	return s.render(w, r, http.StatusOK, "quiz", "Self-test: your result", "quiz", p)
}
