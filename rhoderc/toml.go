package rhoderc

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

const (
	tomlDefaultKey   = "default"
	tomlInstancesKey = "instances"
)

// tomlDoc holds the decoded file as plain maps, so that keys this package
// does not know survive a rewrite, plus the instance order, which maps
// lose.
type tomlDoc struct {
	data  map[string]any
	order []string
}

// TOMLLibrary is a full TOML implementation (internal/tomlcodec). rhoderc
// reads the plain TOML it writes itself without one (quicktoml.go), so
// that the git-credential-rhodecode binary links none; a file the quick
// reader leaves alone, and every TOML write, need the library a program
// installs with UseTOMLLibrary. Without it they fail with
// ErrNeedsTOMLLibrary.
type TOMLLibrary interface {
	// Decode decodes data into plain values (tables as map[string]any)
	// and lists every key path in file order. For a syntax error it gives
	// the line (0 if unknown) and a message that quotes nothing from data.
	Decode(data []byte) (v map[string]any, keys [][]string, line int, err error)
	// Encode encodes v with sorted keys and no indentation.
	Encode(v map[string]any) ([]byte, error)
}

// tomlLibrary is set once, by the program's main before it does anything
// else, and only read afterwards.
var tomlLibrary TOMLLibrary

// UseTOMLLibrary installs the full TOML implementation; the rhodecode
// command calls it first thing.
func UseTOMLLibrary(l TOMLLibrary) { tomlLibrary = l }

// ErrNeedsTOMLLibrary: the file has TOML beyond what the quick reader
// takes (or is to be written), and this program links no TOML library.
var ErrNeedsTOMLLibrary = errors.New("TOML that only the rhodecode command reads and writes (this program links no TOML library)")

func parseTOML(path string, data []byte) (*tomlDoc, error) {
	if d, ok := quickTOML(data); ok {
		return d, nil
	}
	return parseTOMLFull(path, data)
}

// parseTOMLFull decodes data with the TOML library.
func parseTOMLFull(path string, data []byte) (*tomlDoc, error) {
	if tomlLibrary == nil {
		return nil, fmt.Errorf("%s: %w", path, ErrNeedsTOMLLibrary)
	}
	v, keys, line, err := tomlLibrary.Decode(data)
	if err != nil {
		return nil, &ParseError{Path: path, Line: line, Msg: err.Error()}
	}
	d := &tomlDoc{data: v}
	if v, ok := d.data[tomlDefaultKey]; ok {
		if _, ok := v.(string); !ok {
			return nil, &ParseError{Path: path, Msg: fmt.Sprintf("%q must be a string", tomlDefaultKey)}
		}
	}
	if v, ok := d.data[tomlInstancesKey]; ok {
		insts, ok := v.(map[string]any)
		if !ok {
			return nil, &ParseError{Path: path, Msg: fmt.Sprintf("%q must be a table", tomlInstancesKey)}
		}
		for name, t := range insts {
			if _, ok := t.(map[string]any); !ok {
				return nil, &ParseError{Path: path, Msg: fmt.Sprintf("%s.%s must be a table", tomlInstancesKey, name)}
			}
		}
	}
	seen := map[string]bool{}
	for _, k := range keys {
		if len(k) >= 2 && k[0] == tomlInstancesKey && !seen[k[1]] {
			seen[k[1]] = true
			d.order = append(d.order, k[1])
		}
	}
	return d, nil
}

func (d *tomlDoc) instances() map[string]any {
	m, _ := d.data[tomlInstancesKey].(map[string]any)
	return m
}

func (d *tomlDoc) table(name string) map[string]any {
	t, _ := d.instances()[name].(map[string]any)
	return t
}

func (d *tomlDoc) names() []string { return slices.Clone(d.order) }

func (d *tomlDoc) has(name string) bool { return d.table(name) != nil }

// get returns a value as a string. The tool writes strings only, but a
// hand-written token_id = 12 or vcs_token_rejected = true reads as meant.
func (d *tomlDoc) get(name, key string) (string, bool) {
	switch v := d.table(name)[key].(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func (d *tomlDoc) ensure(name string) error {
	if d.has(name) {
		return nil
	}
	insts := d.instances()
	if insts == nil {
		insts = map[string]any{}
		d.data[tomlInstancesKey] = insts
	}
	insts[name] = map[string]any{}
	d.order = append(d.order, name)
	return nil
}

func (d *tomlDoc) set(name, key, value string) error {
	_ = d.ensure(name)
	d.table(name)[key] = value
	return nil
}

func (d *tomlDoc) del(name, key string) {
	if t := d.table(name); t != nil {
		delete(t, key)
	}
}

func (d *tomlDoc) remove(name string, _ bool) {
	insts := d.instances()
	if insts == nil {
		return
	}
	delete(insts, name)
	d.order = slices.DeleteFunc(d.order, func(n string) bool { return n == name })
	if len(insts) == 0 {
		delete(d.data, tomlInstancesKey)
	}
}

func (d *tomlDoc) defaultName() string {
	s, _ := d.data[tomlDefaultKey].(string)
	return s
}

func (d *tomlDoc) setDefault(name string) error {
	if name == "" {
		delete(d.data, tomlDefaultKey)
	} else {
		d.data[tomlDefaultKey] = name
	}
	return nil
}

// render encodes everything but the instances with the encoder (sorted
// keys, so deterministic), then each instance table in file order. The
// encoder cannot be asked for file order, hence one call per instance.
func (d *tomlDoc) render() ([]byte, error) {
	if tomlLibrary == nil {
		return nil, ErrNeedsTOMLLibrary
	}
	rest := maps.Clone(d.data)
	delete(rest, tomlInstancesKey)
	top, err := tomlLibrary.Encode(rest)
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(top)
	for _, name := range d.order {
		one := map[string]any{tomlInstancesKey: map[string]any{name: d.table(name)}}
		b, err := tomlLibrary.Encode(one)
		if err != nil {
			return nil, err
		}
		// Drop the empty "[instances]" header the encoder emits for the
		// intermediate table; repeating it would be invalid TOML.
		s := strings.TrimPrefix(string(b), "["+tomlInstancesKey+"]\n")
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(s)
	}
	// Guard against encoder changes: never write what we cannot read back.
	if _, _, _, err := tomlLibrary.Decode(out.Bytes()); err != nil {
		return nil, fmt.Errorf("rendering TOML: %w", err)
	}
	return out.Bytes(), nil
}
