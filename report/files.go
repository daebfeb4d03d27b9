package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/parquet-go/parquet-go"

	"scs"
	"scs/sim"
)

// WriteCSV writes t as CSV: a header of key and value columns, then the rows.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, t.Keys...), t.Values...)); err != nil {
		return err
	}
	rec := make([]string, 0, len(t.Keys)+len(t.Values))
	for _, r := range t.Rows {
		rec = append(rec[:0], r.Keys...)
		for _, v := range r.Vals {
			rec = append(rec, formatValue(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTables writes every table as DIR/NAME.csv.
func WriteTables(dir string, ts []*Table) error {
	for _, t := range ts {
		if err := writeFile(filepath.Join(dir, t.Name+".csv"), func(w io.Writer) error { return WriteCSV(w, t) }); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes path through a temporary file renamed into place, so a
// failed run never leaves a half-written file under the final name.
func writeFile(path string, fill func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return scs.Errorf(scs.EINVALID, "out: %v", err)
	}
	defer os.Remove(f.Name())
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := fill(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteFile writes path atomically with fill.
func WriteFile(path string, fill func(io.Writer) error) error { return writeFile(path, fill) }

// citizenRowGroup is the most rows of a row group of citizens.parquet: the
// writer holds one row group in memory, so memory stays flat however many
// citizens a run has.
const citizenRowGroup = 256 * 1024

// CitizenWriter streams per-citizen rows into a Parquet file.
type CitizenWriter struct {
	f    *os.File
	path string
	w    *parquet.GenericWriter[sim.CitizenRow]
}

// NewCitizenWriter creates path (through a temporary file that Close renames
// into place).
func NewCitizenWriter(path string) (*CitizenWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return nil, scs.Errorf(scs.EINVALID, "out: %v", err)
	}
	return &CitizenWriter{f: f, path: path, w: parquet.NewGenericWriter[sim.CitizenRow](f, parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(citizenRowGroup))}, nil
}

// Write appends rows.
func (c *CitizenWriter) Write(rows []sim.CitizenRow) error {
	_, err := c.w.Write(rows)
	return err
}

// Close finishes the file and moves it into place.
func (c *CitizenWriter) Close() error {
	if err := c.w.Close(); err != nil {
		c.Abort()
		return err
	}
	c.f.Chmod(0o644)
	if err := c.f.Close(); err != nil {
		os.Remove(c.f.Name())
		return err
	}
	return os.Rename(c.f.Name(), c.path)
}

// Abort discards the file.
func (c *CitizenWriter) Abort() {
	c.f.Close()
	os.Remove(c.f.Name())
}

// Summary is summary.json.
type Summary struct {
	Scheme          string            `json:"scheme"`
	Citizens        int               `json:"citizens"`
	Years           int               `json:"years"`
	Seed            uint64            `json:"seed"`
	Start           string            `json:"start"`
	End             string            `json:"end"`
	CitizenYears    float64           `json:"citizen_years"`
	Records         int64             `json:"records"`
	Scored          int64             `json:"scored"`
	GradesFinal     map[string]int64  `json:"grades_final"`
	Neighbourhoods  int               `json:"neighbourhoods"`
	Settings        map[string]string `json:"settings"`
	Workers         int               `json:"workers"`
	ElapsedSeconds  float64           `json:"elapsed_seconds"`
	CitizenYearsSec float64           `json:"citizen_years_per_second"`
	Claims          []sim.ClaimRow    `json:"claims,omitempty"`
	Mapping         []sim.Mapping     `json:"rule_behaviours"`
	Sweep           string            `json:"sweep,omitempty"`
	Replications    int               `json:"replications"`
	Runs            []RunSummary      `json:"runs,omitempty"`
}

// RunSummary is one run of a sweep or of replications.
type RunSummary struct {
	Sweep       string           `json:"sweep,omitempty"`
	Replication int              `json:"replication"`
	Seed        uint64           `json:"seed"`
	Records     int64            `json:"records"`
	GradesFinal map[string]int64 `json:"grades_final"`
}

// GradesFinal returns the scored citizens per grade at the end and the
// count of unscored ones under "unscored".
func GradesFinal(r *sim.Result) map[string]int64 {
	out := map[string]int64{}
	m := r.Metrics
	for g, n := range m.GradeCounts[r.Years] {
		out[r.Scheme.Grades[g].Name] = n
	}
	out["unscored"] = m.Citizens - m.Scored
	return out
}

// NewSummary summarises run r.
func NewSummary(r *sim.Result, workers int, claims []sim.ClaimRow) *Summary {
	s := &Summary{Scheme: r.Scheme.Name, Citizens: r.Citizens, Years: r.Years, Seed: r.Seed,
		Start: r.Scheme.In(r.Start).Format(time.RFC3339), End: r.Scheme.In(r.End).Format(time.RFC3339),
		CitizenYears: r.CitizenYears(), Records: r.Metrics.TotalRecords(), Scored: r.Metrics.Scored,
		GradesFinal: GradesFinal(r), Neighbourhoods: r.Hoods, Settings: r.Settings.Strings(), Workers: workers,
		ElapsedSeconds: r.Elapsed.Seconds(), Claims: claims, Mapping: r.Mapping, Replications: 1}
	if r.Elapsed > 0 {
		s.CitizenYearsSec = r.CitizenYears() / r.Elapsed.Seconds()
	}
	return s
}

// WriteJSON writes v as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
