package client

// The HTML helpers both page parsers share (the token page, tokenpage.go,
// and the login form, login.go). They work on the tokenizer rather than a
// parsed tree: a token page with thousands of rows would otherwise cost
// several allocations per node.

import (
	"bytes"
	"encoding/json"
	"strings"

	"golang.org/x/net/html/atom"
)

// FlashMessage is one flash message of a page.
type FlashMessage struct {
	Level   string // "success", "error", "warning" or "notice"
	Message string
}

// attrs are the attributes the page parsers look at.
type attrs struct {
	class, name, value, onclick, datetime, typ string
	hasValue                                   bool
}

// Which attributes readSomeAttrs copies.
const (
	attrClass = 1 << iota
	attrName
	attrValue
	attrOnclick
	attrDatetime
	attrType
	attrAll = 1<<iota - 1
)

// readAttrs reads the current tag's attributes that the parsers use;
// the others are skipped without a copy.
func readAttrs(z tokenSource) attrs { return readSomeAttrs(z, attrAll) }

// readSomeAttrs reads the attributes in want; hasValue is set either way.
// Common values come from a table instead of a copy: a 1,000-token page
// has tens of thousands of them.
func readSomeAttrs(z tokenSource, want int) attrs {
	var a attrs
	str := func(bit int, v []byte) string {
		if want&bit == 0 {
			return ""
		}
		if s, ok := commonAttrValues[string(v)]; ok {
			return s
		}
		return string(v)
	}
	for more := true; more; {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "class":
			a.class = str(attrClass, v)
		case "name":
			a.name = str(attrName, v)
		case "value":
			a.value, a.hasValue = str(attrValue, v), true
		case "onclick":
			a.onclick = str(attrOnclick, v)
		case "datetime":
			a.datetime = str(attrDatetime, v)
		case "type":
			a.typ = str(attrType, v)
		}
	}
	return a
}

// commonAttrValues are the class, name and type values of a token page's
// rows (the map lookup with string(v) does not copy).
var commonAttrValues = map[string]string{}

func init() {
	for _, s := range []string{"", "expired", "td-authtoken", "td-wrap", "td-tags", "td", "td-exp", "td-action",
		"cursor-pointer", "hidden", "submit", "csrf_token", "del_auth_token", "role", "text", "password"} {
		commonAttrValues[s] = s
	}
}

// tagAtom names the current tag from the raw token: TagName copies the
// name, and a page has tens of thousands of tags.
func tagAtom(z tokenSource) atom.Atom {
	raw := z.Raw()
	i := 1 // after '<'
	if i < len(raw) && raw[i] == '/' {
		i++
	}
	var buf [16]byte
	n := 0
	for ; i < len(raw); i++ {
		c := raw[i]
		if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' || c == '\f' {
			break
		}
		if n == len(buf) {
			return 0 // longer than any tag of interest
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return atom.Lookup(buf[:n])
}

// hasClass reports whether the space-separated class list has want.
func hasClass(classes, want string) bool {
	for len(classes) > 0 {
		i := strings.IndexAny(classes, " \t\n\r\f")
		if i < 0 {
			return classes == want
		}
		if classes[:i] == want {
			return true
		}
		classes = classes[i+1:]
	}
	return false
}

// jsStringAfter returns the quoted string after `name =` or `name:` in a
// script, e.g. `var CSRF_TOKEN = "abc";` or `rhodecode_version: '4.27.0'`.
func jsStringAfter(t []byte, name string) (string, bool) {
	for off := 0; ; {
		i := bytes.Index(t[off:], []byte(name))
		if i < 0 {
			return "", false
		}
		rest := bytes.TrimLeft(t[off+i+len(name):], " \t")
		off += i + len(name)
		if len(rest) == 0 || (rest[0] != '=' && rest[0] != ':') {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			continue
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return "", false
		}
		return string(rest[1 : 1+end]), true
	}
}

// parseFlash decodes ` = [{"message": {"message": …, "level": …}}];`
// (helpers.Flash.json_alerts).
func parseFlash(t []byte) []FlashMessage {
	t = bytes.TrimLeft(t, " \t\r\n")
	if len(t) == 0 || t[0] != '=' {
		return nil
	}
	var payloads []struct {
		Message struct {
			Message string `json:"message"`
			Level   string `json:"level"`
		} `json:"message"`
	}
	if err := json.NewDecoder(bytes.NewReader(t[1:])).Decode(&payloads); err != nil {
		return nil
	}
	out := make([]FlashMessage, 0, len(payloads))
	for _, m := range payloads {
		out = append(out, FlashMessage{Level: m.Message.Level, Message: m.Message.Message})
	}
	return out
}

// collapseSpace trims and folds runs of white space, as a browser shows
// the text.
func collapseSpace(b []byte) string {
	var sb strings.Builder
	for f := range bytes.FieldsSeq(b) {
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		} else {
			sb.Grow(len(b))
		}
		sb.Write(f)
	}
	return sb.String()
}
