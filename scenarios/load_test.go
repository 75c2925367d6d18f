package scenarios

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultLoads(t *testing.T) {
	c, err := Default()
	require.NoError(t, err)
	require.Positive(t, c.Len())
	for _, sc := range c.List() {
		assert.NotEmpty(t, sc.Description, "%s:%d: every shipped scenario says what it tests", sc.File, sc.Line)
		assert.Equal(t, "scenarios/"+sc.ID+".yaml", sc.File, "a shipped file is named after its id")
		_, err := sc.Actions()
		assert.NoError(t, err)
	}
}

func TestLoadFSDuplicateIDs(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/a.yaml":   {Data: []byte("id: same\n")},
		"dir/b.yml":    {Data: []byte("# b\nid: same\n")},
		"dir/c.yaml":   {Data: []byte("id: other\n")},
		"dir/notes.md": {Data: []byte("not a scenario")},
	}
	_, err := LoadFS(fsys, "dir")
	require.Error(t, err)
	assert.Equal(t, `dir/b.yml:2: duplicate scenario id "same" (first in dir/a.yaml:1)`, err.Error())
	assert.Len(t, Validate(fsys, "dir"), 1)
}

func TestValidateCollectsEveryFile(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml": {Data: []byte("id: a\nflow: nope\n")},
		"b.yaml": {Data: []byte("id: b\non:\n  get:\n    - status: 9000\n")},
		"c.yaml": {Data: []byte("id: c\n")},
	}
	ps := Validate(fsys, ".")
	require.Len(t, ps, 2)
	assert.Equal(t, Problem{File: "a.yaml", Line: 2, Msg: `unknown flow "nope" (known: capture, authorize, pending)`}, ps[0])
	assert.Equal(t, "b.yaml:4: status 9000 is not an HTTP status (100–599)", ps[1].Error())
	assert.Nil(t, Validate(fstest.MapFS{"c.yaml": fsys["c.yaml"]}, "."))
}

func TestLoadDirNamesFilesWithTheDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.yaml"), []byte("id: x\nbogus: 1\n"), 0o600))
	_, err := LoadDir(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "x.yaml")+`:2: unknown key "bogus"`)

	_, err = LoadDir(filepath.Join(dir, "missing"))
	require.Error(t, err)
	assert.Equal(t, "read scenario directory "+filepath.Join(dir, "missing")+": no such file or directory", err.Error(),
		"the message names the path given, not the folder inside it (.)")
}

func TestWithOverrides(t *testing.T) {
	base, err := NewCatalog([]*Scenario{
		{ID: "keep", Description: "base"},
		{ID: "replace", Description: "base"},
	})
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.yaml"), []byte("id: replace\ndescription: disk\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "n.yaml"), []byte("id: added\ndescription: disk\n"), 0o600))

	got, err := WithOverrides(base, dir)
	require.NoError(t, err)
	require.Equal(t, 3, got.Len())
	for id, want := range map[string]string{"keep": "base", "replace": "disk", "added": "disk"} {
		sc, ok := got.Get(id)
		require.True(t, ok, id)
		assert.Equal(t, want, sc.Description, id)
	}
	sc, _ := base.Get("replace")
	assert.Equal(t, "base", sc.Description, "the base catalog is unchanged")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("id: [\n"), 0o600))
	_, err = WithOverrides(base, dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.yaml:")
}

func TestParseAction(t *testing.T) {
	tests := []struct {
		in      string
		want    Action
		wantErr string
	}{
		{in: "verify", want: Action{Kind: ActVerify}},
		{in: "capture", want: Action{Kind: ActCapture}},
		{in: "refund:999999", want: Action{Kind: ActRefund, Cents: 999999}},
		{in: "advance:720h", want: Action{Kind: ActAdvance, By: 720 * 3600e9}},
		{in: "await_ipn", want: Action{Kind: ActAwaitIPN}},
		{in: "arm:create_server_error", want: Action{Kind: ActArm, ID: "create_server_error"}},
		{in: "arm", wantErr: "needs a scenario id"},
		{in: "arm:Bad:Id", wantErr: "needs a scenario id"},
		{in: "advance", wantErr: "positive duration"},
		{in: "refund:-1", wantErr: "positive amount"},
		{in: "verify:2", wantErr: "takes no argument"},
		{in: "jump", wantErr: "unknown drive action"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAction(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
		})
	}
}

func TestDefaultDrivePerFlow(t *testing.T) {
	for flow, want := range map[Flow]int{"": 3, FlowCapture: 3, FlowAuthorize: 5, FlowPending: 6} {
		acts, err := (&Scenario{ID: "x", Flow: flow}).Actions()
		require.NoError(t, err)
		assert.Len(t, acts, want, "flow %q", flow)
	}
}

func TestScenarioValidateInCode(t *testing.T) {
	sc := &Scenario{ID: "x", File: "code", Line: 7, On: map[Op][]Step{OpGet: {{Status: 42}}}}
	err := sc.Validate()
	require.Error(t, err)
	assert.Equal(t, "code:7: status 42 is not an HTTP status (100–599)", err.Error())
	assert.NoError(t, (&Scenario{ID: "fine"}).Validate())
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"a", "verify_timeout", "ipn-late", "x1", "0a"} {
		assert.True(t, ValidID(id), id)
	}
	for _, id := range []string{"", "Verify", "a:b", "_a", "-a", "a b", "é", string(make([]byte, 65))} {
		assert.False(t, ValidID(id), "%q", id)
	}
	long := "a"
	for len(long) < 64 {
		long += "b"
	}
	assert.True(t, ValidID(long))
	assert.False(t, ValidID(long+"c"))
}
