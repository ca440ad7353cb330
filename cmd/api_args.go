package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rhodecode-cli/rhodecode/internal/iostreams"
	"github.com/spf13/cobra"
)

// maxAPIInput bounds what --input, @file and @- read: more than a
// RhodeCode server takes in one request.
const maxAPIInput = 32 << 20

// apiArgs are the method arguments of rhodecode api: --input, then the
// key:value words, then -f and -F in the order given.
type apiArgs struct {
	input  string
	list   []apiField
	fields fieldFlag // -f
	typed  fieldFlag // -F
}

// apiField is one key=value from the command line.
type apiField struct {
	key, value string
	typed      bool
}

// fieldFlag is -f or -F: each use appends to the shared list, so that
// the later of two settings of a key wins whichever flag set it.
type fieldFlag struct {
	args  *apiArgs
	typed bool
}

func (f *fieldFlag) String() string { return "" }
func (f *fieldFlag) Type() string   { return "key=value" }

func (f *fieldFlag) Set(v string) error {
	key, value, ok := strings.Cut(v, "=")
	if !ok || key == "" {
		return fmt.Errorf("%q is not key=value", v)
	}
	f.args.list = append(f.args.list, apiField{key: key, value: value, typed: f.typed})
	return nil
}

// apiArgsCheck wants the method, then only key:value words.
func apiArgsCheck(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usageErrorf("which API method? e.g. rhodecode api get_user (the names complete with Tab)")
	}
	for _, a := range args[1:] {
		if k, _, ok := strings.Cut(a, ":"); !ok || k == "" {
			return usageErrorf("unexpected argument %q: arguments after the method are key:value words or -f key=value", a)
		}
	}
	return nil
}

// positional adds rhodecode-api's key:value words, as strings, before
// the flags' fields.
func (a *apiArgs) positional(words []string) {
	var pos []apiField
	for _, w := range words {
		k, v, _ := strings.Cut(w, ":")
		pos = append(pos, apiField{key: k, value: v})
	}
	a.list = append(pos, a.list...)
}

// build reads --input and the fields into the args object sent.
func (a *apiArgs) build(ios *iostreams.IOStreams) (json.RawMessage, error) {
	stdinUses := 0
	if a.input == "-" {
		stdinUses++
	}
	for _, f := range a.list {
		if f.typed && f.value == "@-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return nil, usageErrorf("standard input can be read once: use it for --input - or one -F key=@-")
	}
	obj := map[string]any{}
	if a.input != "" {
		b, err := readArgSource(ios, a.input, "--input")
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || dec.More() {
			return nil, usageErrorf("--input %s: not a JSON object of arguments", a.input)
		}
		if obj == nil {
			obj = map[string]any{} // null
		}
	}
	for _, f := range a.list {
		v, err := f.parse(ios)
		if err != nil {
			return nil, err
		}
		if key, isList := strings.CutSuffix(f.key, "[]"); isList && key != "" {
			list, _ := obj[key].([]any)
			obj[key] = append(list, v)
			continue
		}
		obj[f.key] = v
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding the arguments: %w", err)
	}
	return b, nil
}

// parse is the value of one field: -f and key:value are strings; -F
// reads literals, JSON, files and stdin.
func (f apiField) parse(ios *iostreams.IOStreams) (any, error) {
	v := f.value
	if !f.typed {
		return v, nil
	}
	switch {
	case v == "true":
		return true, nil
	case v == "false":
		return false, nil
	case v == "null":
		return nil, nil
	case strings.HasPrefix(v, "@"):
		b, err := readArgSource(ios, v[1:], "-F "+f.key)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case strings.HasPrefix(v, "[") || strings.HasPrefix(v, "{"):
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var out any
		if err := dec.Decode(&out); err != nil || dec.More() {
			return nil, usageErrorf("-F %s: %.40q is not valid JSON; use -f for a string", f.key, v)
		}
		return out, nil
	case isJSONNumber(v):
		return json.Number(v), nil
	}
	return v, nil
}

// isJSONNumber is true for what JSON spells as a number: 3, -1, 2.5, 1e3
// (not 0x10, 1_000, +1 or 007, which stay strings).
func isJSONNumber(s string) bool {
	if s == "" || !(s[0] == '-' || s[0] >= '0' && s[0] <= '9') {
		return false
	}
	var n json.Number
	return json.Unmarshal([]byte(s), &n) == nil
}

// readArgSource reads a file, or standard input for "-".
func readArgSource(ios *iostreams.IOStreams, name, flag string) ([]byte, error) {
	if name == "-" {
		b, err := ios.ReadAllIn(maxAPIInput)
		if err != nil {
			return nil, usageErrorf("%s: %v", flag, err)
		}
		return b, nil
	}
	if name == "" {
		return nil, usageErrorf("%s: @ needs a file name (@- for standard input)", flag)
	}
	fh, err := os.Open(name)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, usageErrorf("%s: cannot read %s: %v", flag, name, err)
	}
	defer fh.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(fh, maxAPIInput+1)); err != nil {
		return nil, usageErrorf("%s: reading %s: %v", flag, name, err)
	}
	if buf.Len() > maxAPIInput {
		return nil, usageErrorf("%s: %s is larger than %d MiB", flag, name, maxAPIInput>>20)
	}
	return buf.Bytes(), nil
}
