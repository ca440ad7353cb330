package rhoderc

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// quickTOML decodes the plain TOML this package writes (and most hand
// edits) without the TOML library: `key = "string"`, integers, booleans,
// comment lines, a top-level section and [instances.NAME] tables. It
// builds exactly the tomlDoc that parseTOML would; anything else (escapes,
// arrays, other tables, dotted keys, trailing comments, duplicates) gives
// ok false and the file goes to the full parser, which also reports the
// errors. git runs the credential helper for every fetch and push: this
// path costs about a tenth of toml.Decode and its reflection.
func quickTOML(data []byte) (d *tomlDoc, ok bool) {
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte(utf8BOM)) {
		return nil, false
	}
	d = &tomlDoc{data: map[string]any{}}
	cur := d.data // the table keys go into
	insts := map[string]any(nil)
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = bytes.TrimSuffix(data[:i], []byte("\r")), data[i+1:] // CRLF only
		} else {
			line, data = data, nil
		}
		line = bytes.Trim(line, " \t")
		switch {
		case len(line) == 0 || line[0] == '#':
			if bytes.ContainsAny(line, "\r\x7f") || hasControl(line) {
				return nil, false
			}
			continue
		case line[0] == '[':
			name, ok := instanceHeader(line)
			if !ok {
				return nil, false
			}
			if insts == nil {
				insts = map[string]any{}
				d.data[tomlInstancesKey] = insts
			}
			if _, dup := insts[name]; dup {
				return nil, false
			}
			t := map[string]any{}
			insts[name] = t
			d.order = append(d.order, name)
			cur = t
			continue
		}
		key, val, ok := keyValue(line)
		if !ok {
			return nil, false
		}
		if _, dup := cur[key]; dup {
			return nil, false
		}
		if len(d.order) == 0 && (key == tomlInstancesKey || key == tomlDefaultKey && !isString(val)) {
			return nil, false // the full parser says what is wrong
		}
		cur[key] = val
	}
	return d, true
}

func isString(v any) bool { _, ok := v.(string); return ok }

// instanceHeader reads [instances.NAME], NAME bare or a plain "quoted" key.
func instanceHeader(line []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(line, []byte("[instances."))
	if !ok {
		return "", false
	}
	rest, ok = bytes.CutSuffix(rest, []byte("]"))
	if !ok {
		return "", false
	}
	if isBare(rest) {
		return string(rest), true
	}
	return plainString(rest)
}

// keyValue reads `bare_key = value`.
func keyValue(line []byte) (string, any, bool) {
	i := bytes.IndexByte(line, '=')
	if i < 0 {
		return "", nil, false
	}
	key, val := bytes.TrimRight(line[:i], " \t"), bytes.TrimLeft(line[i+1:], " \t")
	if !isBare(key) {
		return "", nil, false
	}
	switch {
	case len(val) > 0 && val[0] == '"':
		s, ok := plainString(val)
		return string(key), s, ok
	case string(val) == "true":
		return string(key), true, true
	case string(val) == "false":
		return string(key), false, true
	}
	n, ok := plainInt(val)
	return string(key), n, ok
}

// isBare is a TOML bare key: A-Za-z0-9_- only.
func isBare(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// plainString reads a "basic string" that is all of b and has no escape
// or control character.
func plainString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	s := b[1 : len(b)-1]
	if bytes.ContainsAny(s, "\"\\\x7f") || hasControl(s) {
		return "", false
	}
	return string(s), true
}

// hasControl reports a control character other than tab.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' {
			return true
		}
	}
	return false
}

// plainInt reads a decimal integer without sign +, underscores or leading
// zeros.
func plainInt(b []byte) (int64, bool) {
	digits := bytes.TrimPrefix(b, []byte("-"))
	if len(digits) == 0 || len(digits) > 1 && digits[0] == '0' {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}
