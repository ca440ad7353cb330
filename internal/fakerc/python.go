package fakerc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RhodeCode 4.27 runs on Python 2.7; its error texts embed Python's
// formatting of values. These helpers reproduce the parts that show up in
// JSON-RPC errors.

// pyLoads parses like json.loads (numbers kept exact). On failure it
// returns the ValueError text, worded like Python 2.7's json module. The
// position information follows Python's rules; the wording of errors
// inside a value is close to Python's, not guaranteed identical, so
// clients should only rely on the "JSON parse error ERR:" prefix.
func pyLoads(body []byte) (any, string) {
	start := skipJSONSpace(body, 0)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, pyDecodeError(body, start, err)
	}
	end := skipJSONSpace(body, int(dec.InputOffset()))
	if end != len(body) {
		return nil, pyErrmsg("Extra data", body, end, len(body))
	}
	return v, ""
}

const noJSONObject = "No JSON object could be decoded"

func pyDecodeError(body []byte, start int, err error) string {
	if start >= len(body) {
		return noJSONObject
	}
	topLiteral := strings.IndexByte("tfnNI", body[start]) >= 0
	var se *json.SyntaxError
	if errors.As(err, &se) {
		pos := int(se.Offset) - 1
		if pos < start {
			pos = start
		}
		if pos == start || topLiteral && strings.Contains(se.Error(), "in literal") {
			return noJSONObject
		}
		msg := se.Error()
		switch {
		case strings.Contains(msg, "looking for beginning of object key string"):
			return pyErrmsg("Expecting property name enclosed in double quotes", body, pos, -1)
		case strings.Contains(msg, "after object key:value pair"), strings.Contains(msg, "after array element"):
			return pyErrmsg("Expecting , delimiter", body, pos, -1)
		case strings.Contains(msg, "after object key"):
			return pyErrmsg("Expecting : delimiter", body, pos, -1)
		case strings.Contains(msg, "in string escape code"):
			return pyErrmsg("Invalid \\escape", body, pos, -1)
		case strings.Contains(msg, "in string literal"):
			return pyErrmsg("Invalid control character at", body, pos, -1)
		}
		return pyErrmsg("Expecting object", body, pos, -1)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && !topLiteral {
		return pyErrmsg("Expecting object", body, len(body), -1)
	}
	return noJSONObject
}

// pyErrmsg is json.decoder.errmsg of Python 2.7.
func pyErrmsg(msg string, doc []byte, pos, end int) string {
	line, col := pyLinecol(doc, pos)
	if end < 0 {
		return fmt.Sprintf("%s: line %d column %d (char %d)", msg, line, col, pos)
	}
	eline, ecol := pyLinecol(doc, end)
	return fmt.Sprintf("%s: line %d column %d - line %d column %d (char %d - %d)", msg, line, col, eline, ecol, pos, end)
}

func pyLinecol(doc []byte, pos int) (int, int) {
	line := bytes.Count(doc[:pos], []byte("\n")) + 1
	if line == 1 {
		return 1, pos + 1
	}
	return line, pos - bytes.LastIndexByte(doc[:pos], '\n')
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// pyBytesRepr is repr() of a Python 2 str (the raw request body).
func pyBytesRepr(b []byte) string {
	quote := byte('\'')
	if bytes.IndexByte(b, '\'') >= 0 && bytes.IndexByte(b, '"') < 0 {
		quote = '"'
	}
	var out strings.Builder
	out.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
		case c == '\t':
			out.WriteString(`\t`)
		case c == '\n':
			out.WriteString(`\n`)
		case c == '\r':
			out.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&out, `\x%02x`, c)
		default:
			out.WriteByte(c)
		}
	}
	out.WriteByte(quote)
	return out.String()
}

// pyUnicodeRepr is repr() of a Python 2 unicode string (what json.loads
// returns for JSON strings).
func pyUnicodeRepr(s string) string {
	quote := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		quote = '"'
	}
	var out strings.Builder
	out.WriteString("u")
	out.WriteByte(quote)
	for _, r := range s {
		switch {
		case r == rune(quote) || r == '\\':
			out.WriteByte('\\')
			out.WriteRune(r)
		case r == '\t':
			out.WriteString(`\t`)
		case r == '\n':
			out.WriteString(`\n`)
		case r == '\r':
			out.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r < 0x100:
			fmt.Fprintf(&out, `\x%02x`, r)
		case r >= 0x100 && r < 0x10000:
			fmt.Fprintf(&out, `\u%04x`, r)
		case r >= 0x10000:
			fmt.Fprintf(&out, `\U%08x`, r)
		default:
			out.WriteRune(r)
		}
	}
	out.WriteByte(quote)
	return out.String()
}

// pyStr is "%s" % value for a value from json.loads.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return pyNumber(x)
	case bool:
		if x {
			return "True"
		}
		return "False"
	case nil:
		return "None"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys) // Python 2 dict order is arbitrary anyway
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyUnicodeRepr(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// pyRepr is repr() of a value from json.loads.
func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		return pyUnicodeRepr(s)
	}
	return pyStr(v)
}

// pyNumber formats a JSON number the way Python prints the int or float
// json.loads makes of it (str() of a float is "%.12g", always with a dot
// or exponent).
func pyNumber(n json.Number) string {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		if i, ok := new(big.Int).SetString(s, 10); ok {
			return i.String()
		}
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	out := strconv.FormatFloat(f, 'g', 12, 64)
	if !strings.ContainsAny(out, ".eIN") {
		out += ".0"
	}
	return out
}

// pyTruthy is Python truthiness of a value from json.loads.
func pyTruthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case json.Number:
		f, ok := new(big.Float).SetString(string(x))
		return !ok || f.Sign() != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

var (
	errPyValue = errors.New("ValueError")
	errPyType  = errors.New("TypeError")
)

// pyInt is Python 2's int(value) for a value from json.loads.
func pyInt(v any) (*big.Int, error) {
	switch x := v.(type) {
	case json.Number:
		if i, ok := new(big.Int).SetString(string(x), 10); ok {
			return i, nil
		}
		f, ok := new(big.Float).SetString(string(x))
		if !ok {
			return nil, errPyValue
		}
		i, _ := f.Int(nil) // truncates toward zero like int(float)
		return i, nil
	case bool:
		if x {
			return big.NewInt(1), nil
		}
		return big.NewInt(0), nil
	case string:
		s := strings.TrimSpace(x)
		if !utf8.ValidString(s) || s == "" || strings.ContainsAny(s, "_ ") {
			return nil, errPyValue
		}
		body := strings.TrimLeft(s, "+-")
		if len(s)-len(body) > 1 || body == "" {
			return nil, errPyValue
		}
		i, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, errPyValue
		}
		return i, nil
	}
	return nil, errPyType
}

// pyDatetime renders a naive datetime like rhodecode.lib.ext_json:
// isoformat() cut to milliseconds when there is a fraction; nil for the
// zero time.
func pyDatetime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.Local()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05")
	}
	return t.Format("2006-01-02T15:04:05.000")
}
