package rhoderc

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
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

func parseTOML(path string, data []byte) (*tomlDoc, error) {
	if d, ok := quickTOML(data); ok {
		return d, nil
	}
	return parseTOMLFull(path, data)
}

// parseTOMLFull decodes data with the TOML library.
func parseTOMLFull(path string, data []byte) (*tomlDoc, error) {
	d := &tomlDoc{data: map[string]any{}}
	md, err := toml.Decode(string(data), &d.data)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The lexer counts a newline that ends a bad line as the start
			// of the next one; the byte offset names the line people see.
			line := pe.Position.Line
			if st := pe.Position.Start; st > 0 && st <= len(data) {
				line = bytes.Count(data[:st], []byte("\n")) + 1
			}
			return nil, &ParseError{Path: path, Line: line, Msg: hideQuoted(pe.Message)}
		}
		return nil, &ParseError{Path: path, Msg: err.Error()}
	}
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
	for _, k := range md.Keys() {
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
	var out bytes.Buffer
	rest := maps.Clone(d.data)
	delete(rest, tomlInstancesKey)
	if err := encodeTOML(&out, rest); err != nil {
		return nil, err
	}
	for _, name := range d.order {
		var b bytes.Buffer
		one := map[string]any{tomlInstancesKey: map[string]any{name: d.table(name)}}
		if err := encodeTOML(&b, one); err != nil {
			return nil, err
		}
		// Drop the empty "[instances]" header the encoder emits for the
		// intermediate table; repeating it would be invalid TOML.
		s := strings.TrimPrefix(b.String(), "["+tomlInstancesKey+"]\n")
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(s)
	}
	// Guard against encoder changes: never write what we cannot read back.
	var check map[string]any
	if _, err := toml.Decode(out.String(), &check); err != nil {
		return nil, fmt.Errorf("rendering TOML: %w", err)
	}
	return out.Bytes(), nil
}

func encodeTOML(w *bytes.Buffer, v map[string]any) error {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("rendering TOML: %w", err)
	}
	w.WriteString(strings.TrimLeft(b.String(), "\n"))
	return nil
}

// hideQuoted replaces the "…"-quoted parts of a parser message: they are
// text from the file, and a broken line may hold a token. The line number
// says where to look.
func hideQuoted(msg string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '"')
		if i < 0 {
			break
		}
		j := strings.IndexByte(msg[i+1:], '"')
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		b.WriteString(`"…"`)
		msg = msg[i+1+j+1:]
	}
	b.WriteString(msg)
	return b.String()
}
