package engine

import (
	"fmt"
	"testing"

	"scs/schemes"
)

func TestRuleTable(t *testing.T) {
	for _, name := range schemes.Names() {
		e, err := New(schemes.MustLoad(name))
		if err != nil {
			t.Fatal(err)
		}
		if e.lookup.slots == nil {
			t.Errorf("%s: no collision-free rule table found", name)
		}
		for i, r := range e.rules {
			// A copy of the id, so that equal strings at other addresses are found too.
			id := string([]byte(r.id))
			if got := e.lookup.find(e.rules, id); got != i {
				t.Errorf("%s: find(%q) = %d, want %d", name, id, got, i)
			}
		}
		for _, id := range []string{"", "x", "tax-evasion ", "Tax-evasion", "tax-evasiom"} {
			if got := e.lookup.find(e.rules, id); got != -1 {
				t.Errorf("%s: find(%q) = %d, want -1", name, id, got)
			}
		}
	}
	// Without a table, find defers to the engine's map.
	var none ruleTable
	if none.find(nil, "x") != -2 {
		t.Errorf("empty table should defer")
	}
	// Many rules still get a table.
	rules := make([]rule, 300)
	for i := range rules {
		rules[i].id = fmt.Sprintf("rule-%03d", i)
	}
	tab := newRuleTable(rules)
	for i := range rules {
		if tab.slots != nil && tab.find(rules, rules[i].id) != i {
			t.Fatalf("large table: %s not found", rules[i].id)
		}
	}
}
