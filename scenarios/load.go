package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// embedded holds the default scenario files.
//
//go:embed *.yaml
var embedded embed.FS

// Default returns the embedded scenario catalogue.
func Default() (*Catalog, error) {
	c, err := load(embedded, ".", "scenarios")
	if err != nil {
		return nil, fmt.Errorf("embedded scenarios: %w", err)
	}
	return c, nil
}

// LoadDir reads every *.yaml and *.yml file of a directory on disk.
func LoadDir(dir string) (*Catalog, error) {
	return load(os.DirFS(dir), ".", dir)
}

// LoadFS reads every *.yaml and *.yml file of dir in fsys (not recursive).
// The error lists every problem of every file (Problems), file:line first.
func LoadFS(fsys fs.FS, dir string) (*Catalog, error) {
	return load(fsys, dir, "")
}

// load reads dir of fsys; messages name files as prefix/name.
func load(fsys fs.FS, dir, prefix string) (*Catalog, error) {
	list, err := parseAll(fsys, dir, prefix)
	if err != nil {
		return nil, err
	}
	return NewCatalog(list)
}

// Validate checks every scenario file of dir in fsys and returns all
// problems, including duplicate ids; nil when every file is good.
func Validate(fsys fs.FS, dir string) Problems {
	_, err := LoadFS(fsys, dir)
	if err == nil {
		return nil
	}
	var ps Problems
	if errors.As(err, &ps) {
		return ps
	}
	return Problems{{File: dir, Line: 0, Msg: err.Error()}}
}

// WithOverrides returns base plus the files of dir on disk: a file whose id
// is in base replaces it, others are added. base is not changed.
func WithOverrides(base *Catalog, dir string) (*Catalog, error) {
	extra, err := LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios from %s: %w", dir, err)
	}
	merged := make([]*Scenario, 0, base.Len()+extra.Len())
	for _, sc := range base.List() {
		if _, replaced := extra.Get(sc.ID); !replaced {
			merged = append(merged, sc)
		}
	}
	merged = append(merged, extra.List()...)
	return NewCatalog(merged)
}

// parseAll parses each scenario file of dir, collecting every problem,
// duplicate ids included.
func parseAll(fsys fs.FS, dir, prefix string) ([]*Scenario, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read scenario directory %s: %w", filepath.Join(prefix, dir), unwrapPath(err))
	}
	var (
		list []*Scenario
		ps   Problems
	)
	for _, e := range entries {
		if e.IsDir() || !isScenarioFile(e.Name()) {
			continue
		}
		sc, err := parseFile(fsys, path.Join(dir, e.Name()), filepath.Join(prefix, path.Join(dir, e.Name())))
		if err != nil {
			var fileProblems Problems
			if !errors.As(err, &fileProblems) {
				return nil, err
			}
			ps = append(ps, fileProblems...)
			continue
		}
		list = append(list, sc)
	}
	ps = append(ps, duplicates(list)...)
	if len(ps) > 0 {
		return nil, ps.sorted()
	}
	return list, nil
}

// unwrapPath drops a *fs.PathError's own path, which names the folder
// inside fsys ("."), keeping what went wrong.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isScenarioFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

// parseFile parses file name of fsys, shown as display in messages.
func parseFile(fsys fs.FS, name, display string) (*Scenario, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read scenario %s: %w", display, err)
	}
	return Parse(display, data)
}

// duplicates reports every scenario whose id an earlier file already uses.
func duplicates(list []*Scenario) Problems {
	sort.SliceStable(list, func(i, j int) bool { return list[i].File < list[j].File })
	first := make(map[string]*Scenario, len(list))
	var ps Problems
	for _, sc := range list {
		if prev, ok := first[sc.ID]; ok {
			ps = append(ps, Problem{File: sc.File, Line: sc.Line, Msg: fmt.Sprintf("duplicate scenario id %q (first in %s:%d)", sc.ID, prev.File, prev.Line)})
			continue
		}
		first[sc.ID] = sc
	}
	return ps
}
