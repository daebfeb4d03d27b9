package classroom

import (
	"context"
	"slices"
	"sync"
	"time"

	"scs"
)

// memStore is an in-memory Store for the package's tests; package store's
// tests run the same calls against SQLite and PostgreSQL.
type memStore struct {
	mu       sync.Mutex
	classes  map[string]Class
	students map[string][]Student
	choices  map[string][]Choice
	reports  map[string][]Report
}

func newMemStore() *memStore {
	return &memStore{classes: map[string]Class{}, students: map[string][]Student{}, choices: map[string][]Choice{}, reports: map[string][]Report{}}
}

func (m *memStore) CreateClass(_ context.Context, c Class) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.classes[c.Code]; ok {
		return scs.Errorf(scs.ECONFLICT, "class %s exists", c.Code)
	}
	m.classes[c.Code] = c
	return nil
}

func (m *memStore) Class(_ context.Context, code string) (Class, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.classes[code]
	if !ok {
		return c, scs.Errorf(scs.ENOTFOUND, "no class %q", code)
	}
	return c, nil
}

func (m *memStore) ClassesOf(_ context.Context, teacher int64) ([]Class, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Class
	for _, c := range m.classes {
		if c.Teacher == teacher {
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) SetClassRound(_ context.Context, code string, round int, status string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.classes[code]
	c.Round, c.Status = round, status
	m.classes[code] = c
	return nil
}

func (m *memStore) AddClassStudent(_ context.Context, s Student) (Student, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, o := range m.students[s.Class] {
		if o.Pseudonym == s.Pseudonym {
			return s, scs.Errorf(scs.ECONFLICT, "taken")
		}
	}
	s.ID = int64(len(m.students[s.Class]) + 1)
	m.students[s.Class] = append(m.students[s.Class], s)
	return s, nil
}

func (m *memStore) ClassStudents(_ context.Context, code string) ([]Student, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.students[code]), nil
}

func (m *memStore) SetStudentConsent(_ context.Context, code string, id int64, consent int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.students[code] {
		if m.students[code][i].ID == id {
			m.students[code][i].Consent = consent
		}
	}
	return nil
}

func (m *memStore) AddClassChoices(_ context.Context, code string, cs []Choice) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.choices[code] = append(m.choices[code], cs...)
	return nil
}

func (m *memStore) ClassChoices(_ context.Context, code string) ([]Choice, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.choices[code]), nil
}

func (m *memStore) AddClassReport(_ context.Context, code string, r Report) (Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.ID = int64(len(m.reports[code]) + 1)
	m.reports[code] = append(m.reports[code], r)
	return r, nil
}

func (m *memStore) SetClassReport(_ context.Context, code string, r Report) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.reports[code] {
		if m.reports[code][i].ID == r.ID {
			m.reports[code][i] = r
		}
	}
	return nil
}

func (m *memStore) ClassReports(_ context.Context, code string) ([]Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.reports[code]), nil
}

func (m *memStore) CloseClass(_ context.Context, code, summary string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.students, code)
	delete(m.choices, code)
	delete(m.reports, code)
	c := m.classes[code]
	c.Status, c.Summary, c.Closed = StatusClosed, summary, &at
	m.classes[code] = c
	return nil
}
