package store

import (
	"testing"

	"scs"
)

func FuzzDecodeCitizen(f *testing.F) {
	f.Add([]byte(`{"id":"c-17","name":"Li Wei","neighbourhood":"Yatou","birth_year":1980,"consent":true,"registered":"2021-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"id":"c","name":"n","neighbourhood":"h","birth_year":1900}`))
	f.Add([]byte(`{"id":"c","name":"n","neighbourhood":"h","birth_year":"1900"}`))
	f.Add([]byte(`{"id":"c","extra":1}`))
	f.Add([]byte(`{} {}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, line []byte) {
		c, err := DecodeCitizen(line)
		if err != nil {
			return
		}
		back, err := DecodeCitizen(AppendCitizen(nil, &c))
		if err != nil {
			t.Fatalf("re-decoding %+v: %v", c, err)
		}
		if back != c && !(back.Registered.Equal(c.Registered) && back.ID == c.ID && back.Name == c.Name) {
			t.Fatalf("round trip %+v -> %+v", c, back)
		}
	})
}

func TestDecodeCitizenErrors(t *testing.T) {
	for line, field := range map[string]string{
		`{"name":"n","neighbourhood":"h","birth_year":1980}`:                                   "id",
		`{"id":"c","name":"n","neighbourhood":"h","birth_year":1800}`:                          "birth_year",
		`{"id":"c","name":"n","neighbourhood":"h","birth_year":1980,"age":3}`:                  "age",
		`{"id":"c","name":"n","neighbourhood":"h","birth_year":1980,"registered":"yesterday"}`: "registered",
		`{"id":"c","name":"n","neighbourhood":"h","birth_year":true}`:                          "birth_year",
	} {
		_, err := DecodeCitizen([]byte(line))
		if err == nil || scs.ErrorCode(err) != scs.EINVALID {
			t.Fatalf("%s: %v", line, err)
		}
		le := err.(interface{ Error() string })
		if got := le.Error(); !contains([]string{field}, fieldName(got)) {
			t.Errorf("%s: error %q does not name %s", line, got, field)
		}
	}
}

// fieldName returns the field of "line N: field: message".
func fieldName(msg string) string {
	for i := 0; i+2 < len(msg); i++ {
		if msg[i] == ':' && msg[i+1] == ' ' {
			rest := msg[i+2:]
			for j := 0; j < len(rest); j++ {
				if rest[j] == ':' {
					return rest[:j]
				}
			}
		}
	}
	return ""
}
