package schemes

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// shapeProblems walks a scheme file's YAML tree beside the Go type it is read
// into (fileScheme) and returns every field the format does not know and
// every value of the wrong kind, each at its line and column and in the
// format's words ("a whole number", not Go's type names). Parse reports them
// all at once before it decodes, so that one run of `scs scheme validate`
// names every such problem, not only the first.
func shapeProblems(root ast.Node) []Problem {
	var out []Problem
	shapeWalk(root, reflect.TypeOf(fileScheme{}), "$", &out)
	return out
}

func shapeWalk(n ast.Node, t reflect.Type, path string, out *[]Problem) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	n = shapeUnwrap(n)
	if n == nil || n.Type() == ast.NullType {
		return
	}
	bad := func(want string) {
		*out = append(*out, shapeProblem(n, path, fmt.Sprintf("want %s, found %s", want, shapeFound(n))))
	}
	switch t.Kind() {
	case reflect.Struct:
		pairs, ok := shapePairs(n)
		if !ok {
			bad("a mapping of fields")
			return
		}
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			fields[name] = t.Field(i).Type
			names = append(names, name)
		}
		for _, p := range pairs {
			key := p.Key.String()
			ft, known := fields[key]
			if !known {
				slices.Sort(names)
				*out = append(*out, shapeProblem(p.Key, path+"."+key, fmt.Sprintf("unknown field %q (the fields here are %s)", key, strings.Join(names, ", "))))
				continue
			}
			shapeWalk(p.Value, ft, path+"."+key, out)
		}
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			bad("a list")
			return
		}
		for i, v := range seq.Values {
			shapeWalk(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.String:
		switch n.Type() {
		case ast.StringType, ast.LiteralType, ast.IntegerType, ast.FloatType, ast.BoolType:
		default:
			bad("text")
		}
	case reflect.Bool:
		if n.Type() != ast.BoolType {
			bad("true or false")
		}
	case reflect.Int, reflect.Int64:
		if n.Type() != ast.IntegerType {
			bad("a whole number")
		}
	case reflect.Float64:
		if n.Type() != ast.IntegerType && n.Type() != ast.FloatType {
			bad("a number")
		}
	}
}

// shapeUnwrap looks through tags and anchors to the value they carry.
// Aliases are left to the decoder.
func shapeUnwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.TagNode:
			n = v.Value
		case *ast.AnchorNode:
			n = v.Value
		default:
			return n
		}
	}
}

func shapePairs(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

func shapeFound(n ast.Node) string {
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.IntegerType:
		return "the whole number " + n.String()
	case ast.FloatType:
		return "the number " + n.String()
	case ast.BoolType:
		return n.String()
	case ast.StringType, ast.LiteralType:
		s := n.String()
		if sn, ok := n.(*ast.StringNode); ok {
			s = sn.Value
		}
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return "text " + strconv.Quote(s)
	}
	return "a " + strings.ToLower(n.Type().String())
}

func shapeProblem(n ast.Node, path, msg string) Problem {
	p := Problem{Path: path, Message: msg, Line: 1, Column: 1}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		p.Line, p.Column = tk.Position.Line, tk.Position.Column
	}
	return p
}
