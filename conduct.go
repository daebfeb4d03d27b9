package scs

// Conduct is one kind of conduct in the vocabulary that every scheme maps to
// its rules or factors: an event names a conduct, and each scheme decides
// what, if anything, it is worth. Quantity is what an event of this conduct
// counts ("yuan", "months"), or "" when it counts nothing.
type Conduct struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Quantity    string `json:"quantity,omitempty"`
}

// Vocabulary is the one list of conduct kinds (docs/conduct.md). A conduct
// id equals the Rongcheng rule id wherever a Rongcheng rule exists; the
// others name conduct that only another scheme scores. The simulator's
// behaviour table is keyed by these ids.
var Vocabulary = []Conduct{
	// Rongcheng: the essay's examples.
	{"returned-lost-money", "returned money someone had lost", ""},
	{"online-criticism-of-government", "spoke badly of the government online", ""},
	{"informant-report", "helped the authorities collect information about people in the neighbourhood", ""},
	{"speeding-ticket", "got a speeding ticket", ""},
	{"tax-evasion", "evaded tax", ""},
	{"charitable-donation", "donated money to charity", "yuan"},
	{"blood-donation", "donated blood", ""},
	{"bought-diapers", "bought diapers", "purchases"},
	{"excessive-unhealthy-food", "bought too much unhealthy food", "flagged months"},
	{"volunteer-service", "did volunteer service", "hours"},
	{"heroic-act", "did a heroic or good-Samaritan act", ""},
	{"drunk-driving", "drove drunk", ""},
	// Rongcheng: the official appraisal standards, commercial rows.
	{"contract-nonperformance", "failed to perform a lending, credit, guarantee, leasing or insurance contract", ""},
	{"contract-breach-judgment", "was sued and found in breach of contract", ""},
	{"bank-arrears", "was in arrears on a bank loan or credit-card payment", "overdue months"},
	{"private-lending-breach", "breached a private lending agreement", ""},
	{"illegal-fundraising", "was investigated for illegal fund-raising or lending", ""},
	{"guarantee-breach", "breached a social guarantee", ""},
	{"debt-judgment", "was sued for an unpaid debt and held liable", ""},
	{"pyramid-or-fraud", "took part in pyramid selling or commercial fraud", ""},
	{"counterfeit-goods", "produced counterfeit goods", ""},
	{"other-commercial", "other untrustworthy commercial conduct, judged case by case", ""},
	// Rongcheng: the official appraisal standards, social management rows.
	{"late-utility-fees", "paid public-utility fees late", ""},
	{"utility-arrears-judgment", "was found by a court or arbitration body to owe utility fees", ""},
	{"heating-tampering", "tampered with district heating", ""},
	{"utility-theft", "stole tap water, gas, electricity or heat", ""},
	{"utility-damage", "damaged water, gas, heating, power or telecom equipment, with harmful effect", ""},
	// Conduct that only Sesame Credit scores.
	{"repaid-on-time", "repaid a loan or credit bill on time", "months"},
	{"court-listed-defaulter", "was listed by a court as a defaulter", ""},
	{"assets-verified", "had income or assets verified", "yuan"},
	{"steady-payments", "paid bills and used online payments steadily", "months"},
	{"savings-kept", "kept savings in the platform's fund", "yuan"},
	{"details-completed", "completed a personal detail of the profile (job, education)", "items"},
	{"high-score-friends", "interacted with friends of high scores", "friends"},
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
