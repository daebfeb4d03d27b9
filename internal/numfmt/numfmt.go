// Package numfmt writes numbers as people read them: thousands separated by
// commas ("20,000"), at most a given number of decimals. Every table, page,
// report and message of scs that shows a count uses it, so that all of them
// read alike.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Int renders n with thousands separators, such as "-1,234,567".
func Int(n int64) string { return group(strconv.FormatInt(n, 10)) }

// Round renders f rounded to at most decimals places, with thousands
// separators and no trailing zeros, such as "25,800" or "624.5". Negative
// zero is written "0"; infinities and NaN as strconv writes them.
func Round(f float64, decimals int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	p := math.Pow(10, float64(decimals))
	f = math.Round(f*p) / p
	if f == 0 {
		f = 0 // no "-0"
	}
	return group(strconv.FormatFloat(f, 'f', -1, 64))
}

// group puts commas into the integer part of a decimal number's text.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Figure renders a measured figure for people to read: thousands
// separators, about three significant digits, "-" for a figure that could
// not be measured (NaN or infinite).
func Figure(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "-"
	case a >= 100:
		return Whole(math.Round(v))
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1 || v == 0:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

// Whole renders a whole number held in a float with thousands separators
// (beyond 1e15, in three significant digits).
func Whole(v float64) string {
	if math.Abs(v) < 1e15 {
		return Int(int64(v))
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
