package schemes_test

import (
	"errors"
	"fmt"

	"scs/schemes"
)

// Load a built-in scheme by name (or a scheme file by path) and read its
// grades.
func ExampleLoad() {
	s, err := schemes.Load("rongcheng")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, s.Start)
	for _, g := range s.Grades[:2] {
		fmt.Println(g.Name, g.Min)
	}
	// Output:
	// rongcheng 1000
	// AAA 1050
	// AA 1030
}

// Parse checks a scheme file strictly; every problem names its line and
// field.
func ExampleParse() {
	_, err := schemes.Parse("mine.yaml", []byte("name: mine\nstart: 1000\nfloor: 0\nceiling: 100\n"))
	var pe *schemes.ParseError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems[:1] {
			fmt.Printf("%s:%d: %s: %s\n", pe.File, p.Line, p.Path, p.Message)
		}
	}
	// Output:
	// mine.yaml:1: $.title: missing
}
