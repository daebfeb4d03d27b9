package sim

// Metrics are the counts a run accumulates. Every field is an integer count
// or sum, so merging the metrics of neighbourhoods in any order gives the
// same totals: results do not depend on the number of workers.
type Metrics struct {
	Years, Grades, Rules int
	Citizens             int64 // everyone simulated
	Scored               int64 // citizens who opted in
	// GradeCounts[y][g]: scored citizens in grade g at the start (y = 0)
	// and at the end of each year y (1..Years).
	GradeCounts [][]int64
	// Mobility[y][from*Grades+to]: scored citizens by grade at the start and
	// the end of year y.
	Mobility [][]int64
	// Records, Acts and ViaInformant [y][rule]: records made, acts done
	// (detected or not; misconduct and speech), records made through an
	// informant's report.
	Records, Acts, ViaInformant [][]int64
	// PositiveRecords and NegativeRecords [y]: records of positive and of
	// misconduct/speech behaviours (informant reports not counted).
	PositiveRecords, NegativeRecords []int64
	// MisconductActs and SpeechActs [y]: acts done, detected or not.
	MisconductActs, SpeechActs []int64
	// Informants[y] and InformantHoods[y]: informants at the end of year y
	// and citizens who live in a neighbourhood with at least one informant.
	Informants, InformantHoods []int64
	// Decile*[d]: scored citizens by wealth decile d (0 poorest): count,
	// sum of final scores and count per final grade (DecileGrade[d*Grades+g]).
	DecileCount, DecileScore []int64
	DecileGrade              []int64
	// Survival[g][m*2+0]: episodes in grade g (entered by falling into it)
	// that ended by climbing above g after m whole months; [m*2+1]: episodes
	// still open at the end after m months (censored).
	Survival [][]int64
	// ScoreHist[s-Floor]: scored citizens by final score (the last bin
	// holds every higher score).
	ScoreHist []int64
	Floor     int64
	// JobLosses: citizens who lost their job on falling into a grade
	// without job security. LowIncome0 and LowIncome: the start and end
	// incomes (yuan) summed over the citizens in such a grade at the end;
	// LowCount their number.
	JobLosses, LowIncome0, LowIncome, LowCount int64
	// StigmaPositive: positive records of scored citizens while in a
	// listed grade (a capability with the stigma response); ListedSeconds:
	// the time scored citizens spent in listed grades, in seconds.
	StigmaPositive, ListedSeconds int64
	// FellCount, FellIncome0, FellIncome: citizens who fell into a grade
	// without job security at some time in the run, and their start and end
	// incomes (yuan).
	FellCount, FellIncome0, FellIncome int64
	// ScoredMisconductActs and ScoredSpeechActs [y]: the acts of scored
	// citizens.
	ScoredMisconductActs, ScoredSpeechActs []int64
	// ScoredPositive: positive records of scored citizens; PretenceMicro:
	// the sum over them of the share of the act's rate that the score
	// added, in millionths.
	ScoredPositive, PretenceMicro int64
	// TrustMicro[y]: the sum of every citizen's trust in neighbours at the
	// end of year y, in millionths.
	TrustMicro []int64
}

func newMetrics(years, grades, rules int, floor int64) *Metrics {
	m := &Metrics{Years: years, Grades: grades, Rules: rules, Floor: floor}
	m.GradeCounts = grid(years+1, grades)
	m.Mobility = grid(years, grades*grades)
	m.Records = grid(years, rules)
	m.Acts = grid(years, rules)
	m.ViaInformant = grid(years, rules)
	m.PositiveRecords = make([]int64, years)
	m.NegativeRecords = make([]int64, years)
	m.MisconductActs = make([]int64, years)
	m.SpeechActs = make([]int64, years)
	m.ScoredMisconductActs = make([]int64, years)
	m.ScoredSpeechActs = make([]int64, years)
	m.TrustMicro = make([]int64, years)
	m.Informants = make([]int64, years)
	m.InformantHoods = make([]int64, years)
	m.DecileCount = make([]int64, 10)
	m.DecileScore = make([]int64, 10)
	m.DecileGrade = make([]int64, 10*grades)
	m.Survival = grid(grades, (years*12+2)*2)
	m.ScoreHist = make([]int64, scoreHistLen)
	return m
}

const scoreHistLen = 3000

func grid(n, k int) [][]int64 {
	flat := make([]int64, n*k)
	out := make([][]int64, n)
	for i := range out {
		out[i] = flat[i*k : (i+1)*k : (i+1)*k]
	}
	return out
}

func add(dst, src []int64) {
	for i, v := range src {
		dst[i] += v
	}
}

func addGrid(dst, src [][]int64) {
	for i := range src {
		add(dst[i], src[i])
	}
}

// Merge adds o's counts to m. Both must come from the same configuration.
func (m *Metrics) Merge(o *Metrics) {
	m.Citizens += o.Citizens
	m.Scored += o.Scored
	addGrid(m.GradeCounts, o.GradeCounts)
	addGrid(m.Mobility, o.Mobility)
	addGrid(m.Records, o.Records)
	addGrid(m.Acts, o.Acts)
	addGrid(m.ViaInformant, o.ViaInformant)
	add(m.PositiveRecords, o.PositiveRecords)
	add(m.NegativeRecords, o.NegativeRecords)
	add(m.MisconductActs, o.MisconductActs)
	add(m.SpeechActs, o.SpeechActs)
	add(m.Informants, o.Informants)
	add(m.InformantHoods, o.InformantHoods)
	add(m.DecileCount, o.DecileCount)
	add(m.DecileScore, o.DecileScore)
	add(m.DecileGrade, o.DecileGrade)
	addGrid(m.Survival, o.Survival)
	add(m.ScoreHist, o.ScoreHist)
	m.JobLosses += o.JobLosses
	m.LowIncome0 += o.LowIncome0
	m.LowIncome += o.LowIncome
	m.LowCount += o.LowCount
	m.StigmaPositive += o.StigmaPositive
	m.ListedSeconds += o.ListedSeconds
	m.FellCount += o.FellCount
	m.FellIncome0 += o.FellIncome0
	m.FellIncome += o.FellIncome
	add(m.ScoredMisconductActs, o.ScoredMisconductActs)
	add(m.ScoredSpeechActs, o.ScoredSpeechActs)
	m.ScoredPositive += o.ScoredPositive
	m.PretenceMicro += o.PretenceMicro
	add(m.TrustMicro, o.TrustMicro)
}

// shape lists the lengths of m's slices (and of the rows of its grids) in
// a fixed order: two Metrics merge only when their shapes are equal.
func (m *Metrics) shape() []int {
	s := []int{m.Years, m.Grades, m.Rules, int(m.Floor)}
	for _, g := range [][][]int64{m.GradeCounts, m.Mobility, m.Records, m.Acts, m.ViaInformant, m.Survival} {
		s = append(s, len(g))
		for _, r := range g {
			s = append(s, len(r))
		}
	}
	for _, v := range [][]int64{m.PositiveRecords, m.NegativeRecords, m.MisconductActs, m.SpeechActs, m.Informants, m.InformantHoods,
		m.DecileCount, m.DecileScore, m.DecileGrade, m.ScoreHist, m.ScoredMisconductActs, m.ScoredSpeechActs, m.TrustMicro} {
		s = append(s, len(v))
	}
	return s
}

// TotalRecords returns the number of records of the whole run.
func (m *Metrics) TotalRecords() int64 {
	var n int64
	for _, row := range m.Records {
		for _, v := range row {
			n += v
		}
	}
	return n
}
