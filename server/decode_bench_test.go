package server

import (
	"strconv"
	"testing"
	"time"

	"scs"
	"scs/jsonl"
)

func batchOf(n int) []byte {
	buf := []byte(`{"records":[`)
	t0 := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range n {
		if i > 0 {
			buf = append(buf, ',')
		}
		ev := scs.Event{ID: "r-" + strconv.Itoa(i), Citizen: "c-" + strconv.Itoa(i%977), Rule: "returned-lost-money",
			At: t0.Add(time.Duration(i) * time.Second), Department: "public-security", Evidence: "wallet handed in"}
		buf = jsonl.Append(buf, &ev)
		buf = buf[:len(buf)-1]
	}
	return append(buf, "]}"...)
}

// BenchmarkDecodeBatch decodes a batch of 5,000 records, beside decoding the
// same records as JSON lines with jsonl (the baseline).
func BenchmarkDecodeBatch(b *testing.B) {
	body := batchOf(5000)
	var lines [][]byte
	evs, _ := DecodeBatch(body, 0)
	for i := range evs {
		lines = append(lines, jsonl.Append(nil, &evs[i]))
	}
	t0 := time.Now()
	for range b.N {
		for _, l := range lines {
			if _, err := jsonl.Decode(l); err != nil {
				b.Fatal(err)
			}
		}
	}
	base := time.Since(t0)
	b.ResetTimer()
	t0 = time.Now()
	for range b.N {
		if _, err := DecodeBatch(body, 0); err != nil {
			b.Fatal(err)
		}
	}
	fig := time.Since(t0)
	b.ReportMetric(float64(5000*b.N)/fig.Seconds(), "records/s")
	b.ReportMetric(float64(5000*b.N)/base.Seconds(), "baseline-records/s")
	b.ReportMetric(float64(base)/float64(fig), "ratio")
}
