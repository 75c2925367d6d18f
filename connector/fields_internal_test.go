package connector

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answerTypes are the connector's readings of Alma's answers.
var answerTypes = []any{Payment{}, Installment{}, AlmaError{}, FieldError{}}

// classificationCode is the code that chooses a row from an answer: every
// function of classify.go, and Payment.anyPaid.
var classificationCode = map[string][]string{"classify.go": nil, "result.go": {"anyPaid"}}

// TestClassifiedFieldsListsEveryFieldRead parses the classification code
// and checks that every field of Alma's answers it reads is in
// ClassifiedFields, and that every listed field is read: adding a branch on
// a new field without listing it (and so without the contract pinning it)
// fails here.
func TestClassifiedFieldsListsEveryFieldRead(t *testing.T) {
	owners := fieldOwners()
	read := map[string]bool{}
	for file, funcs := range classificationCode {
		for _, sel := range selectorsIn(t, file, funcs) {
			if _, ok := owners[sel]; ok {
				read[sel] = true
			}
		}
	}
	listed := map[string]bool{}
	for _, f := range ClassifiedFields() {
		typ, name, ok := strings.Cut(f.GoName, ".")
		require.True(t, ok, f.GoName)
		require.Contains(t, owners[name], typ, "%s is not a field of %s", name, typ)
		listed[name] = true
		assert.NotEmpty(t, f.Path, f.GoName)
	}
	assert.Equal(t, names(read), names(listed),
		"fields the classification reads (left) vs ClassifiedFields (right)")
}

// fieldOwners maps each field name of the answer types to the types
// declaring it.
func fieldOwners() map[string][]string {
	out := map[string][]string{}
	for _, v := range answerTypes {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			out[rt.Field(i).Name] = append(out[rt.Field(i).Name], rt.Name())
		}
	}
	return out
}

// selectorsIn returns the selector names (x.Name) in the named functions of
// file, all of them when funcs is nil.
func selectorsIn(t *testing.T, file string, funcs []string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	require.NoError(t, err)
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || (funcs != nil && !contains(funcs, fd.Name.Name)) {
			continue
		}
		ast.Inspect(fd, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				out = append(out, s.Sel.Name)
			}
			return true
		})
	}
	return out
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// names returns the keys of m, sorted.
func names(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
