package scs

// Conduct is one kind of conduct in the vocabulary that every scheme maps to
// its rules or factors: an event names a conduct, and each scheme decides
// what, if anything, it is worth. Quantity is what an event of this conduct
// counts ("yuan", "months"), or "" when it counts nothing. Reporter is the
// kind of body that reports it, named as Rongcheng names its departments
// ("courts", "financial-institutions"); a scheme whose departments have
// other names maps them to reporters (Scheme.Departments), so that an event
// naming the reporter as its department is valid under every scheme.
type Conduct struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Quantity    string `json:"quantity,omitempty"`
	Reporter    string `json:"reporter"`
}

// Vocabulary is the one list of conduct kinds (docs/conduct.md). A conduct
// id equals the Rongcheng rule id wherever a Rongcheng rule exists; the
// others name conduct that only another scheme scores. The simulator's
// behaviour table is keyed by these ids.
var Vocabulary = []Conduct{
	// Rongcheng: the essay's examples.
	{"returned-lost-money", "returned money someone had lost", "", "public-security"},
	{"online-criticism-of-government", "spoke badly of the government online", "", "cyberspace-administration"},
	{"informant-report", "helped the authorities collect information about people in the neighbourhood", "", "neighbourhood-committee"},
	{"speeding-ticket", "got a speeding ticket", "", "traffic-police"},
	{"tax-evasion", "evaded tax", "", "tax-bureau"},
	{"charitable-donation", "donated money to charity", "yuan", "civil-affairs"},
	{"blood-donation", "donated blood", "", "health-commission"},
	{"bought-diapers", "bought diapers", "purchases", "commerce-bureau"},
	{"excessive-unhealthy-food", "bought too much unhealthy food", "flagged months", "commerce-bureau"},
	{"volunteer-service", "did volunteer service", "hours", "civil-affairs"},
	{"heroic-act", "did a heroic or good-Samaritan act", "", "civil-affairs"},
	{"drunk-driving", "drove drunk", "", "traffic-police"},
	// Rongcheng: the official appraisal standards, commercial rows.
	{"contract-nonperformance", "failed to perform a lending, credit, guarantee, leasing or insurance contract", "", "financial-institutions"},
	{"contract-breach-judgment", "was sued and found in breach of contract", "", "courts"},
	{"bank-arrears", "was in arrears on a bank loan or credit-card payment", "overdue months", "financial-institutions"},
	{"private-lending-breach", "breached a private lending agreement", "", "courts"},
	{"illegal-fundraising", "was investigated for illegal fund-raising or lending", "", "financial-regulation"},
	{"guarantee-breach", "breached a social guarantee", "", "courts"},
	{"debt-judgment", "was sued for an unpaid debt and held liable", "", "courts"},
	{"pyramid-or-fraud", "took part in pyramid selling or commercial fraud", "", "market-regulation"},
	{"counterfeit-goods", "produced counterfeit goods", "", "market-regulation"},
	{"other-commercial", "other untrustworthy commercial conduct, judged case by case", "", "credit-office"},
	// Rongcheng: the official appraisal standards, social management rows.
	{"late-utility-fees", "paid public-utility fees late", "", "utilities"},
	{"utility-arrears-judgment", "was found by a court or arbitration body to owe utility fees", "", "courts"},
	{"heating-tampering", "tampered with district heating", "", "utilities"},
	{"utility-theft", "stole tap water, gas, electricity or heat", "", "utilities"},
	{"utility-damage", "damaged water, gas, heating, power or telecom equipment, with harmful effect", "", "utilities"},
	// Conduct that only Sesame Credit scores.
	{"repaid-on-time", "repaid a loan or credit bill on time", "months", "financial-institutions"},
	{"court-listed-defaulter", "was listed by a court as a defaulter", "", "courts"},
	{"assets-verified", "had income or assets verified", "yuan", "financial-institutions"},
	{"steady-payments", "paid bills and used online payments steadily", "months", "payment-platform"},
	{"savings-kept", "kept savings in the platform's fund", "yuan", "payment-platform"},
	{"details-completed", "completed a personal detail of the profile (job, education)", "items", "payment-platform"},
	{"high-score-friends", "interacted with friends of high scores", "friends", "payment-platform"},
}

var conductIndex = func() map[string]int {
	m := make(map[string]int, len(Vocabulary))
	for i, c := range Vocabulary {
		m[c.ID] = i
	}
	return m
}()

// LookupConduct returns the conduct of the vocabulary with the given id.
func LookupConduct(id string) (*Conduct, bool) {
	i, ok := conductIndex[id]
	if !ok {
		return nil, false
	}
	return &Vocabulary[i], true
}

var reporters = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range Vocabulary {
		m[c.Reporter] = true
	}
	return m
}()

// IsReporter reports whether name is a reporter of the vocabulary: the
// kind of body that reports some conduct.
func IsReporter(name string) bool { return reporters[name] }

// Reporter returns the reporter of the vocabulary that the scheme's
// department is: the one Departments maps it to, or else the department's
// own name.
func (s *Scheme) Reporter(department string) string {
	if r, ok := s.Departments[department]; ok {
		return r
	}
	return department
}

// DepartmentFor returns the scheme's department that a record of rule r
// sent with department sent is reported by: r's department when sent is
// empty, is r's department, or is the reporter of the vocabulary that r's
// department is (so one event file, naming departments as the vocabulary
// names reporters, is valid under every scheme). ok is false when sent
// names another body: a department may report only its own rules. It is
// the one place where a record's department is checked.
func (s *Scheme) DepartmentFor(r *Rule, sent string) (department string, ok bool) {
	if sent == "" || sent == r.Department || sent == s.Reporter(r.Department) {
		return r.Department, true
	}
	return "", false
}
