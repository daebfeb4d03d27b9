package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func postWith(t *testing.T, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestRecordsByConduct: the records API takes a record's conduct (an id of
// the vocabulary) under the key conduct as well as rule, one record or a
// batch; an unknown conduct, or both keys, is a 400 naming the field
// conduct as sent.
func TestRecordsByConduct(t *testing.T) {
	base, admin, _, official := sesameStore(t)
	api := base + "/api/v1/records"
	code, body := postWith(t, api, official, `{"id":"k1","citizen":"c-1","conduct":"repaid-on-time","quantity":1,"at":"2026-12-01T10:00:00+08:00"}`)
	if code != 201 || !strings.Contains(body, `"rule":"repaid-on-time"`) || !strings.Contains(body, `"department":"credit-provider"`) {
		t.Fatalf("a record by conduct: %d %s", code, body)
	}
	code, body = postWith(t, api+"/batch", official, `{"records":[{"id":"k2","citizen":"c-1","conduct":"bank-arrears","quantity":1,"at":"2026-12-02T10:00:00+08:00"},
		{"id":"k3","citizen":"c-1","rule":"repaid-on-time","quantity":1,"at":"2026-12-02T11:00:00+08:00"}]}`)
	if code != 201 && code != 200 {
		t.Fatalf("a batch by conduct and rule: %d %s", code, body)
	}
	var f struct {
		Trail []struct {
			Event, Rule, Factor string
		}
	}
	if err := json.Unmarshal([]byte(getWith(t, base+"/api/v1/citizens/c-1?at=2026-12-03T00:00:00Z", admin)), &f); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range f.Trail {
		got[e.Event] = e.Rule + " " + e.Factor
	}
	if got["k1"] != "repaid-on-time credit-history" || got["k2"] != "bank-arrears credit-history" || got["k3"] != "repaid-on-time credit-history" {
		t.Fatalf("the file's records: %v", got)
	}
	// A department named as the conduct vocabulary names its reporter is
	// the scheme's own; an official still reports only their department's.
	code, body = postWith(t, api, official, `{"id":"k7","citizen":"c-1","conduct":"bank-arrears","quantity":1,"department":"financial-institutions","at":"2026-12-02T12:00:00+08:00"}`)
	if code != 201 || !strings.Contains(body, `"department":"credit-provider"`) {
		t.Errorf("a record sent with the vocabulary's reporter: %d %s", code, body)
	}
	code, body = postWith(t, api, official, `{"id":"k8","citizen":"c-1","conduct":"debt-judgment","department":"courts","at":"2026-12-02T12:00:00+08:00"}`)
	if code != 403 || !strings.Contains(body, `"field":"conduct"`) || !strings.Contains(body, "belongs to department courts") {
		t.Errorf("an official reporting another department's conduct: %d %s", code, body)
	}
	for _, c := range []struct{ url, body, field, words string }{
		{api, `{"id":"k4","citizen":"c-1","conduct":"no-such-conduct","at":"2026-12-01T10:00:00+08:00"}`, "conduct", `unknown conduct \"no-such-conduct\"`},
		{api, `{"id":"k4","citizen":"c-1","rule":"no-such-rule","at":"2026-12-01T10:00:00+08:00"}`, "rule", `unknown rule \"no-such-rule\"`},
		{api, `{"id":"k4","citizen":"c-1","conduct":"","at":"2026-12-01T10:00:00+08:00"}`, "conduct", "missing"},
		{api, `{"id":"k4","citizen":"c-1","conduct":"repaid-on-time","rule":"repaid-on-time","quantity":1,"at":"2026-12-01T10:00:00+08:00"}`, "conduct", "not both"},
		{api + "/batch", `{"records":[{"id":"k5","citizen":"c-1","conduct":"repaid-on-time","quantity":1,"at":"2026-12-01T10:00:00+08:00"},
			{"id":"k6","citizen":"c-1","conduct":"nope","at":"2026-12-01T10:00:00+08:00"}]}`, "records[1].conduct", `unknown conduct \"nope\"`},
	} {
		code, body := postWith(t, c.url, official, c.body)
		if code != 400 || !strings.Contains(body, `"field":"`+c.field+`"`) || !strings.Contains(body, c.words) {
			t.Errorf("%s: %d %s; want 400 naming %s with %q", c.body, code, body, c.field, c.words)
		}
	}
}
