package scenarios

import (
	"io/fs"
	"testing"
)

// FuzzParse checks that no input panics the parser: every input either
// parses or is rejected with Problems.
func FuzzParse(f *testing.F) {
	files, _ := fs.Glob(embedded, "*.yaml")
	for _, name := range files {
		data, err := fs.ReadFile(embedded, name)
		if err == nil {
			f.Add(data)
		}
	}
	for _, seed := range []string{
		"", "id: a", "id: [", "- 1", "id: a\non: {get: [{times: -1}]}",
		"id: a\non:\n  get:\n    - delay: {min: 1s}\n", "a: &x [*x]", "id: a\n---\n",
		"id: a\ndrive: [\"advance:\"]\n", "id: a\non:\n  ipn:\n    - duplicate: -3\n",
		"id: a\nexpect: {trail: [\"\"]}\n", "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data)
		if err == nil && sc == nil {
			t.Fatal("nil scenario without an error")
		}
		if err != nil {
			if _, ok := err.(Problems); !ok {
				t.Fatalf("error is %T, want Problems: %v", err, err)
			}
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
		}
	})
}
