package client

import (
	"net/http"
	"reflect"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"request envelope",
			`{"id":1,"auth_token":"abc","method":"get_user","args":{}}`,
			`{"id":1,"auth_token":"[REDACTED]","method":"get_user","args":{}}`},
		{"api_key and auth_token",
			`{"api_key": "k", "auth_token": "t", "id": 2}`,
			`{"api_key":"[REDACTED]","auth_token":"[REDACTED]","id":2}`},
		{"get_user 4.10+ and 4.0-4.6 fields",
			`{"result":{"auth_tokens":["a","b"],"api_keys":["c"],"api_key":"d","username":"x"}}`,
			`{"result":{"auth_tokens":["[REDACTED]","[REDACTED]"],"api_keys":["[REDACTED]"],"api_key":"[REDACTED]","username":"x"}}`},
		{"get_user 4.7-4.9 objects keep role",
			`{"auth_tokens":[{"auth_token":"s","role":"token_role_api","expired":false}]}`,
			`{"auth_tokens":[{"auth_token":"[REDACTED]","role":"token_role_api","expired":false}]}`},
		{"object under a secret key",
			`{"auth_token":{"x":"y","n":[1,"z"]}}`,
			`{"auth_token":{"x":"[REDACTED]","n":["[REDACTED]","[REDACTED]"]}}`},
		{"numbers, null and case",
			`{"API_KEY":12345,"auth_token":null,"password":"p"}`,
			`{"API_KEY":"[REDACTED]","auth_token":null,"password":"[REDACTED]"}`},
		{"view endpoint answer", `{"auth_token": "0123456789abcdef0123456789abcdef01234567"}`, `{"auth_token":"[REDACTED]"}`},
		{"no HTML escaping", `{"a":"<b>&"}`, `{"a":"<b>&"}`},
		{"indented stays indented",
			"{\n    \"auth_token\": \"x\"\n}",
			"{\n    \"auth_token\": \"[REDACTED]\"\n}"},
		{"broken JSON falls back to patterns",
			`{"auth_token": "abc", "id": 1, "auth_tokens": ["a", "b"`,
			`{"auth_token": "[REDACTED]", "id": 1, "auth_tokens": ["[REDACTED]"]`},
		{"not JSON at all", `hello`, `hello`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(RedactJSON([]byte(tc.in))); got != tc.want {
				t.Errorf("RedactJSON(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestRedactForm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"username=bob&password=hunter2&remember=True", "username=bob&password=[REDACTED]&remember=True"},
		{"csrf_token=abc&description=x&lifetime=-1&role=token_role_api", "csrf_token=[REDACTED]&description=x&lifetime=-1&role=token_role_api"},
		{"auth_token=a&api_key=b&del_auth_token=7", "auth_token=[REDACTED]&api_key=[REDACTED]&del_auth_token=7"},
		{"Pass%77ord=x&flag", "Pass%77ord=[REDACTED]&flag"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := string(RedactForm([]byte(tc.in))); got != tc.want {
			t.Errorf("RedactForm(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://x/_admin/ops/status?auth_token=abc&x=1", "https://x/_admin/ops/status?auth_token=[REDACTED]&x=1"},
		{"https://x/repo/feed-rss?api_key=zzz", "https://x/repo/feed-rss?api_key=[REDACTED]"},
		{"https://bob:hunter2@x/path", "https://bob:[REDACTED]@x/path"},
		{"https://x/rc/_file_store/token-download/abcdef/file-uid", "https://x/rc/_file_store/token-download/[REDACTED]/file-uid"},
		{"https://x/_admin/login?came_from=%2Frepo", "https://x/_admin/login?came_from=%2Frepo"},
		{"/_admin/login?came_from=%2F&csrf_token=q", "/_admin/login?came_from=%2F&csrf_token=[REDACTED]"},
	}
	for _, tc := range tests {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	in := http.Header{
		"Authorization":    {"Basic Ym9iOnNlY3JldA=="},
		"Cookie":           {"rhodecode=abc; other=def"},
		"Set-Cookie":       {"rhodecode=abc; Path=/; HttpOnly"},
		"X-Csrf-Token":     {"c"},
		"X-Rc-Auth-Token":  {"t"},
		"Location":         {"https://x/?auth_token=t"},
		"Content-Type":     {"application/json"},
		"X-Something-Else": {"kept"},
	}
	want := http.Header{
		"Authorization":    {"Basic [REDACTED]"},
		"Cookie":           {"rhodecode=[REDACTED]; other=[REDACTED]"},
		"Set-Cookie":       {"rhodecode=[REDACTED]; Path=/; HttpOnly"},
		"X-Csrf-Token":     {"[REDACTED]"},
		"X-Rc-Auth-Token":  {"[REDACTED]"},
		"Location":         {"https://x/?auth_token=[REDACTED]"},
		"Content-Type":     {"application/json"},
		"X-Something-Else": {"kept"},
	}
	got := RedactHeader(in)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RedactHeader =\n%v\nwant\n%v", got, want)
	}
	if in.Get("Cookie") != "rhodecode=abc; other=def" {
		t.Errorf("RedactHeader changed its input")
	}
}

func TestRedactHTML(t *testing.T) {
	in := `<script>var CSRF_TOKEN = "0123abcd";</script>
<form><input type="hidden" name="csrf_token" value="0123abcd">
<input value='hunter2' name="password" type="password">
<input type="text" name="description" value="my laptop"></form>
<code class="cursor-pointer" onclick="showAuthToken(3)">abcd****</code>`
	want := `<script>var CSRF_TOKEN = "[REDACTED]";</script>
<form><input type="hidden" name="csrf_token" value="[REDACTED]">
<input value="[REDACTED]" name="password" type="password">
<input type="text" name="description" value="my laptop"></form>
<code class="cursor-pointer" onclick="showAuthToken(3)">abcd****</code>`
	if got := string(RedactHTML([]byte(in))); got != want {
		t.Errorf("RedactHTML =\n%s\nwant\n%s", got, want)
	}
}

func TestRedactBody(t *testing.T) {
	tests := []struct{ ctype, in, want string }{
		{"application/json; charset=utf-8", `{"auth_token":"x"}`, `{"auth_token":"[REDACTED]"}`},
		{"application/x-www-form-urlencoded", "password=x", "password=[REDACTED]"},
		{"text/html", `var CSRF_TOKEN = "x";`, `var CSRF_TOKEN = "[REDACTED]";`},
		{"text/plain", `{"api_key":"x"}`, `{"api_key":"[REDACTED]"}`},
		{"", "plain words", "plain words"},
	}
	for _, tc := range tests {
		if got := string(RedactBody(tc.ctype, []byte(tc.in))); got != tc.want {
			t.Errorf("RedactBody(%q, %q) = %q, want %q", tc.ctype, tc.in, got, tc.want)
		}
	}
}
