package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
)

// Redacted replaces every secret in redacted output.
const Redacted = secret.Redacted

// secretJSONKeys are JSON object keys whose values are secrets: request
// tokens, get_user's token lists (all versions), the token page's /view
// answer, web form fields.
var secretJSONKeys = map[string]bool{
	"auth_token":  true,
	"auth_tokens": true,
	"api_key":     true,
	"api_keys":    true,
	"password":    true,
	"csrf_token":  true,
}

// secretFormKeys are query-string and form fields that carry secrets
// (protocol §5: login form, CSRF, ?auth_token= web access).
var secretFormKeys = map[string]bool{
	"auth_token": true,
	"api_key":    true,
	"csrf_token": true,
	"password":   true,
}

// secretHeaders have values that are secrets.
var secretHeaders = map[string]bool{
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"Set-Cookie":          true,
	"X-Csrf-Token":        true,
	"X-Rc-Auth-Token":     true,
}

// RedactJSON returns body with the value of every secret key replaced by
// "[REDACTED]", anywhere in the document: auth_token, api_key, password,
// csrf_token, and the elements of auth_tokens/api_keys lists (objects in
// such lists, as in 4.7–4.9, keep their non-secret fields). Key order is
// kept; the output is compact, or 4-space indented when the input was
// indented. Text that is not valid JSON is redacted by pattern instead.
func RedactJSON(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var out bytes.Buffer
	if err := redactJSONValue(dec, &out, false); err != nil {
		return redactJSONText(body)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return redactJSONText(body)
	}
	if bytes.ContainsRune(body, '\n') {
		var indented bytes.Buffer
		if json.Indent(&indented, out.Bytes(), "", "    ") == nil {
			return indented.Bytes()
		}
	}
	return out.Bytes()
}

// redactJSONValue copies one value from dec to out. secret means the value
// belongs to a secret key: scalars are replaced, lists are searched
// element by element, objects are replaced field by field.
func redactJSONValue(dec *json.Decoder, out *bytes.Buffer, secret bool) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			out.WriteByte('{')
			for i := 0; dec.More(); i++ {
				keyTok, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := keyTok.(string)
				if i > 0 {
					out.WriteByte(',')
				}
				writeJSONString(out, key)
				out.WriteByte(':')
				if err := redactJSONValue(dec, out, secret || secretJSONKeys[strings.ToLower(key)]); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte('}')
		case '[':
			out.WriteByte('[')
			for i := 0; dec.More(); i++ {
				if i > 0 {
					out.WriteByte(',')
				}
				if err := redactListElement(dec, out, secret); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return err
			}
			out.WriteByte(']')
		}
	case string:
		if secret {
			writeJSONString(out, Redacted)
		} else {
			writeJSONString(out, v)
		}
	case json.Number:
		if secret {
			writeJSONString(out, Redacted)
		} else {
			out.WriteString(v.String())
		}
	case bool:
		if v {
			out.WriteString("true")
		} else {
			out.WriteString("false")
		}
	case nil:
		out.WriteString("null")
	}
	return nil
}

// redactListElement handles an element of a list: in a secret list,
// objects are records (4.7–4.9 auth_tokens) whose own secret keys decide.
func redactListElement(dec *json.Decoder, out *bytes.Buffer, secret bool) error {
	if secret && dec.More() {
		// Peek by decoding into RawMessage, then redact that.
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		inner := json.NewDecoder(bytes.NewReader(raw))
		inner.UseNumber()
		return redactJSONValue(inner, out, len(raw) == 0 || raw[0] != '{')
	}
	return redactJSONValue(dec, out, secret)
}

func writeJSONString(out *bytes.Buffer, s string) {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	out.Truncate(out.Len() - 1) // Encode appends a newline
}

var (
	// "key": "value" or "key": 123 for secret keys, in text that failed to
	// parse (e.g. a cut-off body).
	secretJSONPair = lazyRegexp(`(?i)("(?:auth_token|api_key|password|csrf_token)"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)`)
	// "auth_tokens": [ … ] up to the closing bracket or the end.
	secretJSONList = lazyRegexp(`(?i)("(?:auth_tokens|api_keys)"\s*:\s*)\[[^\]]*\]?`)
)

func redactJSONText(body []byte) []byte {
	body = secretJSONList().ReplaceAll(body, []byte(`${1}["`+Redacted+`"]`))
	return secretJSONPair().ReplaceAll(body, []byte(`${1}"`+Redacted+`"`))
}

// RedactForm returns an application/x-www-form-urlencoded body (or a raw
// query string) with the values of auth_token, api_key, csrf_token and
// password replaced by "[REDACTED]". Field order and all other bytes are
// kept.
func RedactForm(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	pairs := bytes.Split(body, []byte("&"))
	for i, p := range pairs {
		k, _, hasValue := bytes.Cut(p, []byte("="))
		key, err := url.QueryUnescape(string(k))
		if err != nil {
			key = string(k)
		}
		if hasValue && secretFormKeys[strings.ToLower(key)] {
			pairs[i] = append(append([]byte{}, k...), "="+Redacted...)
		}
	}
	return bytes.Join(pairs, []byte("&"))
}

// StripUserinfo hides a user name and password in a URL, even one that
// does not parse, so that messages about a bad URL cannot echo a password:
// "https://bob:pw@host/x" becomes "https://[REDACTED]@host/x".
func StripUserinfo(raw string) string { return secret.StripUserinfo(raw) }

// RedactURL returns rawURL with secret query parameters (see RedactForm),
// the password of any userinfo and the token segment of artifact download
// URLs (/_file_store/token-download/<token>/…) replaced by "[REDACTED]".
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		// Not a URL we can take apart: still hide what looks like a query.
		base, query, found := strings.Cut(rawURL, "?")
		if !found {
			return rawURL
		}
		return base + "?" + string(RedactForm([]byte(query)))
	}
	const placeholder = "REDACTEDPASSWORD"
	hasPassword := false
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), placeholder)
			hasPassword = true
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = string(RedactForm([]byte(u.RawQuery)))
	}
	const artifact = "/_file_store/token-download/"
	if i := strings.Index(u.Path, artifact); i >= 0 {
		rest := u.Path[i+len(artifact):]
		_, tail, _ := strings.Cut(rest, "/")
		u.Path = u.Path[:i+len(artifact)] + Redacted
		if tail != "" {
			u.Path += "/" + tail
		}
		u.RawPath = ""
	}
	s := u.String()
	s = strings.ReplaceAll(s, "%5BREDACTED%5D", Redacted)
	if hasPassword {
		s = strings.Replace(s, placeholder, Redacted, 1)
	}
	return s
}

// RedactHeader returns a copy of h with secret header values replaced:
// Authorization keeps its scheme ("Basic [REDACTED]"), cookies keep their
// names and attributes, URL-valued headers (Location, Referer) are passed
// through RedactURL.
func RedactHeader(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		ck := http.CanonicalHeaderKey(k)
		nv := make([]string, len(vs))
		for i, v := range vs {
			switch {
			case ck == "Authorization" || ck == "Proxy-Authorization":
				if scheme, _, ok := strings.Cut(v, " "); ok {
					nv[i] = scheme + " " + Redacted
				} else {
					nv[i] = Redacted
				}
			case ck == "Cookie":
				nv[i] = redactCookies(v, "; ")
			case ck == "Set-Cookie":
				name, attrs, _ := strings.Cut(v, ";")
				nv[i] = redactCookies(name, "; ")
				if attrs != "" {
					nv[i] += ";" + attrs
				}
			case secretHeaders[ck]:
				nv[i] = Redacted
			case ck == "Location" || ck == "Referer" || ck == "Content-Location":
				nv[i] = RedactURL(v)
			default:
				nv[i] = v
			}
		}
		out[k] = nv
	}
	return out
}

func redactCookies(v, sep string) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		name, _, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok {
			parts[i] = name + "=" + Redacted
		} else {
			parts[i] = strings.TrimSpace(p)
		}
	}
	return strings.Join(parts, sep)
}

var (
	// var CSRF_TOKEN = "…"; in every full RhodeCode page (protocol §5.2).
	csrfScript = lazyRegexp(`(CSRF_TOKEN\s*=\s*["'])[^"']*(["'])`)
	// <input …> tags, to find secret form fields.
	inputTag   = lazyRegexp(`(?is)<input\b[^>]*>`)
	secretName = lazyRegexp(`(?i)\bname\s*=\s*["']?(?:csrf_token|auth_token|api_key|password|del_auth_token)["'\s/>]`)
	valueAttr  = lazyRegexp(`(?i)(\bvalue\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)`)
	// <code>…</code>: the token list of RhodeCode 4.8–4.18 shows full
	// secrets there (protocol §5.6).
	codeElement = lazyRegexp(`(?is)(<code\b[^>]*>)(\s*)([^<]*?)(\s*</code>)`)
)

// RedactHTML returns an HTML page with the CSRF token, the values of
// secret form fields (csrf_token, auth_token, api_key, password) and the
// full token secrets of pre-4.19 token lists (a single word of 8 or more
// characters in a <code> element) replaced. Masked token prefixes
// ("abcd****") are not secrets and stay.
func RedactHTML(page []byte) []byte {
	page = csrfScript().ReplaceAll(page, []byte("${1}"+Redacted+"${2}"))
	page = codeElement().ReplaceAllFunc(page, func(el []byte) []byte {
		m := codeElement().FindSubmatch(el)
		inner := m[3]
		if len(inner) < 8 || bytes.HasSuffix(inner, []byte("****")) || bytes.ContainsAny(inner, " \t\r\n") {
			return el
		}
		return bytes.Join([][]byte{m[1], m[2], []byte(Redacted), m[4]}, nil)
	})
	return inputTag().ReplaceAllFunc(page, func(tag []byte) []byte {
		if !secretName().Match(tag) {
			return tag
		}
		return valueAttr().ReplaceAll(tag, []byte(`${1}"`+Redacted+`"`))
	})
}

// RedactBody redacts a request or response body by its Content-Type:
// JSON, form data or HTML; other bodies that parse as JSON are treated as
// JSON. Everything else is returned unchanged.
func RedactBody(contentType string, body []byte) []byte {
	ct := strings.ToLower(contentType)
	trimmed := bytes.TrimSpace(body)
	switch {
	case strings.Contains(ct, "json"):
		return RedactJSON(body)
	case strings.Contains(ct, "x-www-form-urlencoded"):
		return RedactForm(body)
	case strings.Contains(ct, "html"):
		return RedactHTML(body)
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed):
		return RedactJSON(body)
	case len(trimmed) > 0 && trimmed[0] == '<':
		return RedactHTML(body)
	}
	return body
}

// lazyRegexp compiles on first use: the redaction patterns matter only for
// --debug, and compiling them at start-up would slow every run, the git
// credential helper's above all.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// minSecretLen is the shortest secret scrubbed by value: shorter strings
// would scrub ordinary text. Real tokens are 40 characters.
const minSecretLen = 8

// knownSecrets are the secrets a connection has seen: the API token, a
// password, session cookies, CSRF tokens, revealed tokens. Both what the
// connection writes (the debug trace) and what it returns (error
// messages) are scrubbed of them, in the spellings an echo would use too:
// as sent in a form (URL-encoded) and inside a JSON string.
type knownSecrets struct {
	mu    sync.Mutex
	forms []secret.Value // longest first, so no form is left half scrubbed
}

func (k *knownSecrets) add(s string) {
	if len(s) < minSecretLen {
		return
	}
	forms := []string{s, url.QueryEscape(s), inJSONString(s, true), inJSONString(s, false)}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, f := range forms {
		if !slices.ContainsFunc(k.forms, func(v secret.Value) bool { return v.Reveal() == f }) {
			k.forms = append(k.forms, secret.New(f))
		}
	}
	slices.SortStableFunc(k.forms, func(a, b secret.Value) int { return len(b.Reveal()) - len(a.Reveal()) })
}

// inJSONString is s as it appears between the quotes of a JSON string,
// with <, > and & escaped (as Go does) or not (as most encoders do).
func inJSONString(s string, escapeHTML bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	q := strings.TrimSuffix(b.String(), "\n")
	return q[1 : len(q)-1]
}

// scrub replaces every known secret in s. Text is printed through the
// sanitiser, which drops control and invisible characters: a secret that
// only appears once they are gone ("91fd\x1bbdc…", found by
// FuzzDecodeReply) is scrubbed from the sanitised text, which is returned
// instead.
func (k *knownSecrets) scrub(s string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	s = k.replace(s)
	if t := termtext.Sanitize(s); t != s {
		if r := k.replace(t); r != t {
			return r
		}
	}
	return s
}

func (k *knownSecrets) replace(s string) string {
	for _, f := range k.forms {
		s = strings.ReplaceAll(s, f.Reveal(), Redacted)
	}
	return s
}
