// Package chart draws every chart scs shows, for the simulator's report
// and the web pages alike, as inline SVG that needs no script and no
// external resource: one palette, one grade palette (best grade green to
// worst red), and value axes with round ticks (1, 2, 2.5 or 5 times a
// power of ten apart, thousands separated, never in exponent form). Every
// text it writes is escaped; the result is safe to put in a page as is.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"scs/internal/numfmt"
	"strconv"
	"strings"
)

// Series is one line or bar group of a chart.
type Series struct {
	Name  string
	Color string // "" for the palette colour of the series' position
	Y     []float64
	Lo    []float64 // optional 95% interval
	Hi    []float64
}

// palette colours series by position.
var palette = []string{"#1b9e77", "#66a61e", "#7570b3", "#e6ab02", "#d95f02", "#e7298a", "#a6761d", "#666666", "#1f78b4", "#b2df8a"}

const (
	chartW, chartH = 640, 260
	padL, padR     = 56, 170
	padT, padB     = 16, 36
)

// grades are the grade colours, best first: readable under white text,
// and the style sheet's .grade badges use them too.
var grades = []string{"#1b5e20", "#2e7d32", "#33691e", "#7a5300", "#a33a00", "#8b0000"}

// GradeColor is the colour of grade i (0 the best) of n, the same in every
// chart: the grade palette spread over the scheme's grades.
func GradeColor(i, n int) string {
	if n <= 1 {
		return grades[0]
	}
	if n > len(grades) {
		return grades[min(i*len(grades)/n, len(grades)-1)]
	}
	return grades[min(i, n-1)*(len(grades)-1)/(n-1)]
}

func esc(s string) string { return html.EscapeString(s) }

// niceMax rounds v up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func tick(v float64) string { return numfmt.Figure(v) }

func frame(b *strings.Builder, title string, xs []string, ymin, ymax float64, ylabel string) (x func(i int) float64, y func(v float64) float64) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		chartW, chartH, chartW, chartH, esc(title))
	iw := float64(chartW - padL - padR)
	ih := float64(chartH - padT - padB)
	n := max(len(xs), 1)
	x = func(i int) float64 {
		if n == 1 {
			return float64(padL) + iw/2
		}
		return float64(padL) + iw*float64(i)/float64(n-1)
	}
	ticks := niceTicks(ymin, ymax)
	ymin, ymax = ticks[0], ticks[len(ticks)-1]
	y = func(v float64) float64 { return float64(padT) + ih*(1-(v-ymin)/(ymax-ymin)) }
	for _, v := range ticks {
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, padL, chartW-padR, y(v), y(v))
		fmt.Fprintf(b, `<text x="%d" y="%.1f" text-anchor="end">%s</text>`, padL-4, y(v)+4, esc(tickLabel(v, ticks)))
	}
	step := max(1, len(xs)/12)
	for i := 0; i < len(xs); i += step {
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(i), chartH-padB+14, esc(xs[i]))
	}
	if ylabel != "" {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, padL+int(iw)/2, chartH-4, esc(ylabel))
	}
	return x, y
}

func legend(b *strings.Builder, ss []Series) {
	for i, s := range ss {
		fmt.Fprintf(b, `<rect x="%d" y="%d" width="10" height="10" fill="%s"/><text x="%d" y="%d">%s</text>`,
			chartW-padR+10, padT+i*16, colour(ss, i), chartW-padR+24, padT+i*16+9, esc(s.Name))
	}
}

func colour(ss []Series, i int) string {
	if ss[i].Color != "" {
		return ss[i].Color
	}
	return palette[i%len(palette)]
}

// LineChart renders series over the x labels as an inline SVG line chart,
// with shaded 95% intervals where a series has them.
func LineChart(title string, xs []string, ss []Series, xlabel string) template.HTML {
	var b strings.Builder
	ymax := 0.0
	for _, s := range ss {
		for i, v := range s.Y {
			if !math.IsNaN(v) {
				ymax = math.Max(ymax, v)
			}
			if s.Hi != nil && !math.IsNaN(s.Hi[i]) {
				ymax = math.Max(ymax, s.Hi[i])
			}
		}
	}
	ymin := 0.0
	lo := math.Inf(1)
	for _, s := range ss {
		for _, v := range s.Y {
			if !math.IsNaN(v) {
				lo = math.Min(lo, v)
			}
		}
	}
	if lo > 0 && lo > 0.6*ymax {
		// A narrow band far from zero (scores): zoom in on it.
		step := niceMax((ymax - lo) / 2)
		ymin = math.Floor(lo/step)*step - step
		ymax = math.Ceil(ymax/step)*step + step
	} else {
		ymax = niceMax(ymax)
	}
	x, y := frame(&b, title, xs, ymin, ymax, xlabel)
	for k, s := range ss {
		col := colour(ss, k)
		if s.Lo != nil {
			var pts []string
			for i := range s.Y {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(clampF(nz(s.Hi[i]), ymin, ymax))))
			}
			for i := len(s.Y) - 1; i >= 0; i-- {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(clampF(nz(s.Lo[i]), ymin, ymax))))
			}
			fmt.Fprintf(&b, `<polygon points="%s" fill="%s" fill-opacity="0.2"/>`, strings.Join(pts, " "), col)
		}
		var pts []string
		for i, v := range s.Y {
			if !math.IsNaN(v) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
			}
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"><title>%s</title></polyline>`, strings.Join(pts, " "), col, esc(s.Name))
	}
	legend(&b, ss)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func clampF(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func nz(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// StackedBars renders one bar per x label, stacked by series (shares that
// sum to at most 1 per bar, or counts).
func StackedBars(title string, xs []string, ss []Series, xlabel string) template.HTML {
	var b strings.Builder
	ymax := 0.0
	for i := range xs {
		t := 0.0
		for _, s := range ss {
			t += nz(s.Y[i])
		}
		ymax = math.Max(ymax, t)
	}
	ymax = niceMax(ymax)
	_, y := frame(&b, title, nil, 0, ymax, xlabel)
	iw := float64(chartW - padL - padR)
	bw := iw / float64(max(len(xs), 1))
	for i, xl := range xs {
		acc := 0.0
		x0 := float64(padL) + bw*float64(i)
		for k, s := range ss {
			v := nz(s.Y[i])
			if v > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
					x0+1, y(acc+v), math.Max(bw-2, 1), y(acc)-y(acc+v), colour(ss, k), esc(xl), esc(s.Name), esc(tick(v)))
			}
			acc += v
		}
		if len(xs) <= 16 || i%(len(xs)/12+1) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x0+bw/2, chartH-padB+14, esc(xl))
		}
	}
	legend(&b, ss)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// HBars renders one horizontal bar per label (values at least 0), with
// round ticks on the value axis.
func HBars(title string, labels []string, vals []float64, xlabel string) template.HTML {
	var b strings.Builder
	const rowH, left, right, top = 18, 170, 30, 8
	h := top + rowH*max(len(labels), 1) + 40
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" font-family="sans-serif" font-size="11">`,
		chartW, h, chartW, h, esc(title))
	vmax := 0.0
	for _, v := range vals {
		if !math.IsNaN(v) {
			vmax = math.Max(vmax, v)
		}
	}
	ticks := niceTicks(0, vmax)
	hi := ticks[len(ticks)-1]
	iw := float64(chartW - left - right)
	x := func(v float64) float64 { return float64(left) + iw*v/hi }
	bottom := top + rowH*max(len(labels), 1)
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="#ddd"/>`, x(t), x(t), top, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x(t), bottom+14, esc(tickLabel(t, ticks)))
	}
	for i, l := range labels {
		y := top + rowH*i
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, left-6, y+rowH-5, esc(l))
		if v := vals[i]; !math.IsNaN(v) && v > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
				left, y+2, x(v)-float64(left), rowH-4, palette[2], esc(l), esc(tickLabel(v, nil)))
		}
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, left+int(iw)/2, h-6, esc(xlabel))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceTicks returns round tick values (1, 2, 2.5 or 5 times a power of
// ten apart) covering lo to hi, about five of them.
func niceTicks(lo, hi float64) []float64 {
	if math.IsNaN(lo) || math.IsInf(lo, 0) {
		lo = 0
	}
	if math.IsNaN(hi) || math.IsInf(hi, 0) || hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * p
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= raw*(1-1e-9) {
			step = m * p
			break
		}
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return []float64{lo, hi}
	}
	first := math.Floor(lo/step + 1e-9)
	n := int(math.Ceil(hi/step-1e-9) - first)
	if n < 1 || n > 20 {
		// A range too narrow for its magnitude to split: its ends.
		return []float64{lo, hi}
	}
	out := make([]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, (first+float64(i))*step)
	}
	return out
}

// tickLabel renders a tick value with as many decimals as the step between
// ticks needs (none for whole steps), thousands separated, never in
// exponent form.
func tickLabel(v float64, ticks []float64) string {
	dec := 0
	step := 0.0
	if len(ticks) > 1 {
		step = ticks[1] - ticks[0]
	} else if v != 0 {
		step = math.Abs(v) / 100
	}
	if step > 0 && step < 1 {
		dec = int(math.Ceil(-math.Log10(step) - 1e-9))
		if r := step * math.Pow(10, float64(dec)); math.Abs(r-math.Round(r)) > 1e-6 {
			dec++
		}
	}
	if dec == 0 {
		if math.Abs(v) >= 1e15 {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return numfmt.Int(int64(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', min(dec, 10), 64)
}

// Count is one bar of GradeBars.
type Count struct {
	Name  string
	Count int
	Share float64 // of the total, 0 to 1
}

// GradeBars draws one horizontal bar per grade (best first), with its
// count and share; id names the chart's title element.
func GradeBars(id, title string, cs []Count) template.HTML {
	const w, barH, gap, left = 640, 28, 8, 48
	h := len(cs)*(barH+gap) + gap
	maxN := 1
	for _, c := range cs {
		maxN = max(maxN, c.Count)
	}
	var b strings.Builder
	var desc []string
	for _, c := range cs {
		desc = append(desc, c.Name+" "+numfmt.Int(int64(c.Count)))
	}
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="%s" xmlns="http://www.w3.org/2000/svg"><title id="%s">%s: %s</title>`, w, h, esc(id), esc(id), esc(title), esc(strings.Join(desc, ", ")))
	for i, c := range cs {
		y := gap + i*(barH+gap)
		bw := int(float64(w-left-150) * float64(c.Count) / float64(maxN))
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="16" font-weight="700" fill="#1b1b1b">%s</text>`, y+barH-8, esc(c.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"></rect>`, left, y, max(bw, 1), barH, GradeColor(i, len(cs)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="15" fill="#1b1b1b">%s (%.1f%%)</text>`, left+max(bw, 1)+6, y+barH-8, numfmt.Int(int64(c.Count)), 100*c.Share)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// ShareRow is one bar of ShareBars: counts per grade, best first.
type ShareRow struct {
	Label  string
	Counts []int
	Total  int
}

// ShareBars draws each row as a 100% stacked horizontal bar of the grades
// named in names (best first); a row with no total says empty instead.
// id names the chart's title element.
func ShareBars(id, title string, names []string, rows []ShareRow, empty string) template.HTML {
	const w, barH, gap, left = 640, 26, 10, 96
	h := len(rows)*(barH+gap) + gap
	var b strings.Builder
	var desc []string
	for _, r := range rows {
		var parts []string
		for i, g := range names {
			parts = append(parts, g+" "+numfmt.Int(int64(r.Counts[i])))
		}
		desc = append(desc, r.Label+": "+strings.Join(parts, ", "))
	}
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %d" role="img" aria-labelledby="%s" xmlns="http://www.w3.org/2000/svg"><title id="%s">%s. %s</title>`, w, h, esc(id), esc(id), esc(title), esc(strings.Join(desc, "; ")))
	for k, r := range rows {
		y := gap + k*(barH+gap)
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="14" fill="#1b1b1b">%s</text>`, y+barH-8, esc(r.Label))
		if r.Total == 0 {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="14" fill="#4a4a4a">%s</text>`, left, y+barH-8, esc(empty))
			continue
		}
		x := float64(left)
		for i, n := range r.Counts {
			bw := float64(w-left) * float64(n) / float64(r.Total)
			if bw > 0 {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`, x, y, bw, barH, GradeColor(i, len(names)), esc(names[i]), numfmt.Int(int64(n)))
			}
			x += bw
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
