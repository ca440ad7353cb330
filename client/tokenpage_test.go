package client

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"text/template"
	"time"
)

var update = flag.Bool("update", false, "rewrite the generated fixtures in testdata/")

// The fixtures reproduce what CE renders (see the comments in the
// testdata/*.tmpl files for the upstream templates they follow). The
// static testdata/*.html files are generated from them by
// TestFixturesUpToDate -update, so they can be read and served as files.

// fxToken is one token row of a fixture, as the server has it.
type fxToken struct {
	ID          int
	Secret      string
	Description string
	Role        string // constant
	Scope       string
	Expires     time.Time // zero: never (expires == -1)
	Expired     bool      // the server's verdict at render time
}

// fxPage is the template data of a token page.
type fxPage struct {
	Username string
	Version  string
	CSRF     string
	Flash    string // alertMessagePayloads JSON
	Roles    []string
	Tokens   []fxToken
}

// fxLogin is the template data of a login page after a failed POST.
type fxLogin struct {
	Version, CSRF, Flash string
	Username             string
	UserError, PassError string
}

const fxCSRF = "6f1ed002ab5595859014ebf0951522d9c6f1ed00"

// roles as UserApiKeys.ROLES lists them (CE 4.27 / v4.18.0 model/db.py).
var (
	roles427 = []string{"token_role_all", "token_role_vcs", "token_role_api", "token_role_http", "token_role_feed", "role_artifact_download"}
	roles418 = []string{"token_role_all", "token_role_http", "token_role_vcs", "token_role_api", "token_role_feed", "role_artifact_download"}
)

// UserApiKeys._get_role_name and _get_role_description (CE 4.27).
var (
	fxRoleNames = map[string]string{
		"token_role_all":         "all",
		"token_role_http":        "http/web interface",
		"token_role_vcs":         "vcs (git/hg/svn protocol)",
		"token_role_api":         "api calls",
		"token_role_feed":        "feed access",
		"role_artifact_download": "artifacts downloads",
	}
	fxRoleDescriptions = map[string]string{
		"token_role_all":  "Token for all actions.",
		"token_role_http": "Token to access RhodeCode pages via web interface without login using `api_access_controllers_whitelist` functionality.",
		"token_role_vcs": "Token to interact over git/hg/svn protocols. Requires auth_token authentication plugin to be active. <br/>" +
			"Such Token should be used then instead of a password to interact with a repository, and additionally can be limited to single repository using repo scope.",
		"token_role_api":         "Token limited to api calls.",
		"token_role_feed":        "Token to read RSS/ATOM feed.",
		"role_artifact_download": "Token for artifacts downloads.",
	}
)

func orRaw(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k // .get(role, role)
}

// escapeMarkup is markupsafe's escape, mako's default filter in RhodeCode.
var escapeMarkup = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace

// ageComponent renders h.age_component(h.time_to_utcdatetime(expires)):
// str(datetime) drops the microseconds when they are zero.
func ageComponent(t time.Time) string {
	t = t.UTC()
	dt := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		dt += fmt.Sprintf(".%06d", us)
	}
	title := t.Format("Mon, 02 Jan 2006 15:04:05")
	return fmt.Sprintf(`<time class="timeago tooltip" title="%s+00:00" datetime="%s+00:00">%s</time>`, title, dt, title)
}

// fxSecret is a deterministic 40-hex secret.
func fxSecret(id int) string {
	sum := sha1.Sum([]byte(fmt.Sprintf("token-%d", id)))
	return hex.EncodeToString(sum[:])
}

type fxRow struct {
	fxToken
	CSRF  string
	Never bool
}

func loadTemplate(t testing.TB, name string) *template.Template {
	t.Helper()
	funcs := template.FuncMap{
		"esc":         escapeMarkup,
		"obf":         func(s string) string { return s[:4] + "****" },
		"roleName":    func(r string) string { return orRaw(fxRoleNames, r) },
		"roleDesc":    func(r string) string { return orRaw(fxRoleDescriptions, r) },
		"roleDescRaw": func(r string) string { return orRaw(fxRoleDescriptions, r) },
		"age":         ageComponent,
		"rowData": func(p fxPage, tok fxToken) fxRow {
			return fxRow{fxToken: tok, CSRF: p.CSRF, Never: tok.Expires.IsZero()}
		},
	}
	files := []string{filepath.Join("testdata", name)}
	if strings.HasPrefix(name, "auth_tokens") {
		files = append(files, filepath.Join("testdata", "frame.html.tmpl"))
	}
	tmpl, err := template.New(name).Funcs(funcs).ParseFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func render(t testing.TB, tmplName string, data any) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := loadTemplate(t, tmplName).ExecuteTemplate(&b, tmplName, data); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var (
	fxExpiredAt  = time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	fxResetAt    = time.Date(2024, 5, 6, 7, 10, 0, 0, time.UTC)
	fxFutureAt   = time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)
	fxCreatedMsg = `[{"message": {"message": "Auth token successfully created", "level": "success", "force": true, "subdata": {}}}]`
)

// fxManyTokens are the tokens of the "many" page: every role, an expired
// one, the feed token every user gets, a password-reset token (role shown
// raw), HTML special characters, a repository scope (EE data).
var fxManyTokens = []fxToken{
	{ID: 1, Secret: fxSecret(1), Description: "Generated feed token", Role: "token_role_feed", Scope: "Global"},
	{ID: 2, Secret: fxSecret(2), Description: `ci <deploy> & "prod" 'x'`, Role: "token_role_api", Scope: "Global"},
	{ID: 5, Secret: fxSecret(5), Description: "laptop", Role: "token_role_vcs", Scope: "Global", Expires: fxExpiredAt, Expired: true},
	{ID: 7, Secret: fxSecret(7), Description: "Generated token for password reset from 2024-05-06T07:00:00.000000", Role: "token_password_reset", Scope: "Global", Expires: fxResetAt, Expired: true},
	{ID: 9, Secret: fxSecret(9), Description: "auto-generated-artifact-token", Role: "role_artifact_download", Scope: "Global"},
	{ID: 12, Secret: fxSecret(12), Description: "nightly", Role: "token_role_all", Scope: "Global", Expires: fxFutureAt},
	{ID: 13, Secret: fxSecret(13), Description: "", Role: "token_role_http", Scope: "Repository: group/repo"},
}

var fxOneToken = []fxToken{{ID: 3, Secret: fxSecret(3), Description: "cli", Role: "token_role_api", Scope: "Global"}}

func fxPage427(tokens []fxToken, flash string) fxPage {
	return fxPage{Username: "alice", Version: "4.27.0", CSRF: fxCSRF, Flash: flash, Roles: roles427, Tokens: tokens}
}

func fxPage418(tokens []fxToken) fxPage {
	return fxPage{Username: "alice", Version: "4.18.3", CSRF: fxCSRF, Flash: "[]", Roles: roles418, Tokens: tokens}
}

// thousandTokens repeats the "many" rows to 1,000 tokens.
func thousandTokens() []fxToken {
	out := make([]fxToken, 1000)
	for i := range out {
		tok := fxManyTokens[i%len(fxManyTokens)]
		tok.ID = i + 1
		tok.Secret = fxSecret(i + 1)
		tok.Description = strings.TrimSpace(fmt.Sprintf("%s #%d", tok.Description, i+1))
		out[i] = tok
	}
	return out
}

// fixtures maps the generated files to their template and data.
var fixtures = []struct {
	file, tmpl string
	data       any
}{
	{"auth_tokens_4.27_empty.html", "auth_tokens_4.27.html.tmpl", fxPage427(nil, "[]")},
	{"auth_tokens_4.27_one.html", "auth_tokens_4.27.html.tmpl", fxPage427(fxOneToken, fxCreatedMsg)},
	{"auth_tokens_4.27_many.html", "auth_tokens_4.27.html.tmpl", fxPage427(fxManyTokens, "[]")},
	{"auth_tokens_4.18.html", "auth_tokens_4.18.html.tmpl", fxPage418(fxManyTokens[:3])},
	{"login_invalid.html", "login_4.27.html.tmpl", fxLogin{Version: "4.27.0", CSRF: fxCSRF, Flash: "[]", Username: "alice",
		UserError: "invalid user name", PassError: "invalid password"}},
	{"login_disabled.html", "login_4.27.html.tmpl", fxLogin{Version: "4.27.0", CSRF: fxCSRF, Flash: "[]", Username: "bob",
		UserError: "Your account is disabled"}},
	{"login_short_password.html", "login_4.27.html.tmpl", fxLogin{Version: "4.27.0", CSRF: fxCSRF, Flash: "[]", Username: "alice",
		PassError: "Enter 3 characters or more"}},
	{"login_translated.html", "login_4.27.html.tmpl", fxLogin{Version: "4.27.0", CSRF: fxCSRF, Flash: "[]", Username: "alice",
		UserError: "nom d'utilisateur invalide", PassError: "mot de passe invalide"}},
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFixturesUpToDate(t *testing.T) {
	for _, fx := range fixtures {
		got := render(t, fx.tmpl, fx.data)
		path := filepath.Join("testdata", fx.file)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what %s renders; run go test ./client -run TestFixturesUpToDate -update", path, fx.tmpl)
		}
	}
}

func parseFixture(t *testing.T, name string) *TokenPage {
	t.Helper()
	p, err := ParseTokenPage(bytes.NewReader(fixture(t, name)))
	if err != nil {
		t.Fatalf("ParseTokenPage(%s): %v", name, err)
	}
	return p
}

func ptime(t time.Time) *time.Time { return &t }

var wantRoles427 = []RoleOption{
	{"token_role_all", "all"},
	{"token_role_vcs", "vcs (git/hg/svn protocol)"},
	{"token_role_api", "api calls"},
	{"token_role_http", "http/web interface"},
	{"token_role_feed", "feed access"},
	{"role_artifact_download", "artifacts downloads"},
}

func masked(id int) string { return fxSecret(id)[:4] + "****" }

func TestParseTokenPageEmpty(t *testing.T) {
	p := parseFixture(t, "auth_tokens_4.27_empty.html")
	if p.Version != "4.27.0" || !p.Masked || p.CSRFToken != fxCSRF {
		t.Errorf("Version %q Masked %v CSRF %q", p.Version, p.Masked, p.CSRFToken)
	}
	if len(p.Tokens) != 0 {
		t.Errorf("Tokens = %+v, want none (the 'No additional auth tokens' row is not a token)", p.Tokens)
	}
	if !reflect.DeepEqual(p.Roles, wantRoles427) {
		t.Errorf("Roles = %+v", p.Roles)
	}
	if len(p.Flash) != 0 {
		t.Errorf("Flash = %+v", p.Flash)
	}
	if p.Newest() != nil {
		t.Errorf("Newest of an empty page = %+v", p.Newest())
	}
}

func TestParseTokenPageOne(t *testing.T) {
	p := parseFixture(t, "auth_tokens_4.27_one.html")
	want := []AuthToken{{ID: 3, Description: "cli", Role: "token_role_api", RoleLabel: "api calls", Scope: "Global", Masked: masked(3)}}
	if !reflect.DeepEqual(p.Tokens, want) {
		t.Errorf("Tokens =\n%+v\nwant\n%+v", p.Tokens, want)
	}
	if want := []FlashMessage{{Level: "success", Message: "Auth token successfully created"}}; !reflect.DeepEqual(p.Flash, want) {
		t.Errorf("Flash = %+v", p.Flash)
	}
	if n := p.Newest(); n == nil || n.ID != 3 {
		t.Errorf("Newest = %+v", n)
	}
}

func TestParseTokenPageMany(t *testing.T) {
	p := parseFixture(t, "auth_tokens_4.27_many.html")
	want := []AuthToken{
		{ID: 1, Description: "Generated feed token", Role: "token_role_feed", RoleLabel: "feed access", Scope: "Global", Masked: masked(1)},
		{ID: 2, Description: `ci <deploy> & "prod" 'x'`, Role: "token_role_api", RoleLabel: "api calls", Scope: "Global", Masked: masked(2)},
		{ID: 5, Description: "laptop", Role: "token_role_vcs", RoleLabel: "vcs (git/hg/svn protocol)", Scope: "Global",
			Expires: ptime(fxExpiredAt), Expired: true, Masked: masked(5)},
		{ID: 7, Description: "Generated token for password reset from 2024-05-06T07:00:00.000000", Role: "token_password_reset",
			RoleLabel: "token_password_reset", Scope: "Global", Expires: ptime(fxResetAt), Expired: true, Masked: masked(7)},
		{ID: 9, Description: "auto-generated-artifact-token", Role: "role_artifact_download", RoleLabel: "artifacts downloads", Scope: "Global", Masked: masked(9)},
		{ID: 12, Description: "nightly", Role: "token_role_all", RoleLabel: "all", Scope: "Global", Expires: ptime(fxFutureAt), Masked: masked(12)},
		{ID: 13, Description: "", Role: "token_role_http", RoleLabel: "http/web interface", Scope: "Repository: group/repo", Masked: masked(13)},
	}
	if len(p.Tokens) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(p.Tokens), len(want), p.Tokens)
	}
	for i := range want {
		if !reflect.DeepEqual(p.Tokens[i], want[i]) {
			t.Errorf("token %d =\n%+v\nwant\n%+v", i, p.Tokens[i], want[i])
		}
	}
	if !p.Masked || p.Version != "4.27.0" {
		t.Errorf("Masked %v Version %q", p.Masked, p.Version)
	}
	for _, tok := range p.Tokens {
		if tok.Secret != "" {
			t.Errorf("token %d has a secret on a 4.27 page", tok.ID)
		}
	}
	if tok := p.FindToken(12); tok == nil || tok.Description != "nightly" {
		t.Errorf("FindToken(12) = %+v", tok)
	}
	if p.FindToken(4) != nil {
		t.Errorf("FindToken(4) found a token")
	}
	if n := p.Newest(); n == nil || n.ID != 13 {
		t.Errorf("Newest = %+v", n)
	}
}

func TestParseTokenPage418FullSecrets(t *testing.T) {
	p := parseFixture(t, "auth_tokens_4.18.html")
	if p.Masked || p.Version != "4.18.3" || p.CSRFToken != fxCSRF {
		t.Errorf("Masked %v Version %q CSRF %q", p.Masked, p.Version, p.CSRFToken)
	}
	want := []AuthToken{
		{ID: 1, Description: "Generated feed token", Role: "token_role_feed", RoleLabel: "feed access", Scope: "Global", Masked: masked(1), Secret: fxSecret(1)},
		{ID: 2, Description: `ci <deploy> & "prod" 'x'`, Role: "token_role_api", RoleLabel: "api calls", Scope: "Global", Masked: masked(2), Secret: fxSecret(2)},
		{ID: 5, Description: "laptop", Role: "token_role_vcs", RoleLabel: "vcs (git/hg/svn protocol)", Scope: "Global",
			Expires: ptime(fxExpiredAt), Expired: true, Masked: masked(5), Secret: fxSecret(5)},
	}
	if !reflect.DeepEqual(p.Tokens, want) {
		t.Errorf("Tokens =\n%+v\nwant\n%+v", p.Tokens, want)
	}
	if p.Roles[1] != (RoleOption{"token_role_http", "http/web interface"}) {
		t.Errorf("4.18 role order: %+v", p.Roles)
	}
	empty := render(t, "auth_tokens_4.18.html.tmpl", fxPage418(nil))
	p, err := ParseTokenPage(bytes.NewReader(empty))
	if err != nil || p.Masked {
		t.Errorf("empty 4.18 page: Masked %v, err %v", p != nil && p.Masked, err)
	}
}

func TestParseTokenPage1000(t *testing.T) {
	tokens := thousandTokens()
	p, err := ParseTokenPage(bytes.NewReader(render(t, "auth_tokens_4.27.html.tmpl", fxPage427(tokens, "[]"))))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tokens) != 1000 {
		t.Fatalf("got %d tokens", len(p.Tokens))
	}
	for i, tok := range p.Tokens {
		src := tokens[i]
		if tok.ID != src.ID || tok.Description != src.Description || tok.Role != src.Role ||
			tok.Expired != src.Expired || tok.Masked != src.Secret[:4]+"****" || (tok.Expires == nil) != src.Expires.IsZero() {
			t.Fatalf("token %d = %+v, from %+v", i, tok, src)
		}
	}
}

func TestParseTokenPageRoleMapping(t *testing.T) {
	// A translated UI: labels differ, the select maps them back.
	page := string(fixture(t, "auth_tokens_4.27_many.html"))
	page = strings.ReplaceAll(page, ">api calls<", ">appels API<")
	page = strings.ReplaceAll(page, ">feed access<", ">accès aux flux<")
	// A label the select does not offer maps to nothing.
	page = strings.Replace(page, `actions.">all</span>`, `actions.">tout</span>`, 1)
	p, err := ParseTokenPage(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	got := map[int][2]string{}
	for _, tok := range p.Tokens {
		got[tok.ID] = [2]string{tok.Role, tok.RoleLabel}
	}
	want := map[int][2]string{
		1: {"token_role_feed", "accès aux flux"}, 2: {"token_role_api", "appels API"},
		5: {"token_role_vcs", "vcs (git/hg/svn protocol)"}, 7: {"token_password_reset", "token_password_reset"},
		9: {"role_artifact_download", "artifacts downloads"}, 12: {"", "tout"}, 13: {"token_role_http", "http/web interface"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("roles =\n%v\nwant\n%v", got, want)
	}
	if v, ok := p.RoleValue("appels API"); !ok || v != "token_role_api" {
		t.Errorf("RoleValue(label) = %q, %v", v, ok)
	}
	if v, ok := p.RoleValue("token_role_vcs"); !ok || v != "token_role_vcs" {
		t.Errorf("RoleValue(constant) = %q, %v", v, ok)
	}
	if _, ok := p.RoleValue("token_password_reset"); ok {
		t.Errorf("RoleValue accepts a role the select does not offer")
	}
}

func TestParseRCTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-05-06 07:08:09+00:00", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
		{"2024-05-06 07:08:09.123456+00:00", fxExpiredAt},
		// A server patched to show local time (GitHub mirror of 4.27)
		// repeats the offset.
		{"2024-05-06 15:08:09.123456+08:00+08:00", fxExpiredAt},
		{"2024-05-06T07:08:09Z", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
		{"2024-05-06 07:08:09", time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)},
	}
	for _, tc := range tests {
		got, err := parseRCTime(tc.in)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseRCTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "yesterday", "2024-05-06 07:08:09 CET"} {
		if _, err := parseRCTime(bad); err == nil {
			t.Errorf("parseRCTime(%q) succeeded", bad)
		}
	}
}

func TestParseTokenPageNotATokenPage(t *testing.T) {
	withoutSelect := strings.Replace(string(fixture(t, "auth_tokens_4.27_one.html")), `name="role"`, `name="other"`, 1)
	oldDelete := strings.Replace(string(fixture(t, "auth_tokens_4.18.html")), `value="1" />`, `value="`+fxSecret(1)+`" />`, 1)
	badExpiry := strings.Replace(string(fixture(t, "auth_tokens_4.27_many.html")), `datetime="2030-01-02`, `datetime="soon`, 1)
	tests := []struct{ name, page, reason string }{
		{"login page", string(fixture(t, "login_invalid.html")), "no table.rctable.auth_tokens"},
		{"JSON", `{"id": 1, "result": null, "error": "Invalid API KEY"}`, "no table.rctable.auth_tokens"},
		{"empty", "", "no table.rctable.auth_tokens"},
		{"no role select", withoutSelect, "no role select"},
		{"4.7 delete by secret", oldDelete, "no numeric id"},
		{"unreadable expiry", badExpiry, "unreadable expiry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseTokenPage(strings.NewReader(tc.page))
			if err == nil {
				t.Fatalf("parsed: %+v", p)
			}
			if !errors.Is(err, ErrNotRhodeCode) || !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v, want ErrNotRhodeCode with %q", err, tc.reason)
			}
			if strings.Contains(err.Error(), fxSecret(1)) {
				t.Errorf("error contains a secret: %v", err)
			}
		})
	}
}

func TestParseTokenPageHTMLQuirks(t *testing.T) {
	// Unquoted attributes, upper-case tags, missing </td></tr>, a nested
	// table in a cell and the CSRF token only in a hidden input: the
	// tokenizer copes where a regular expression would not.
	page := `<html><body><TABLE class="auth_tokens rctable">
<tr><th>Token<th>Description
<TR class=expired><td class=td-authtoken><code onclick="showAuthToken( 42 )">abcd****</code>
<td class=td-wrap>a &amp; b &lt;c&gt; &#39;d&#39;
<td class=td-tags><span>api calls</span>
<td class=td><table><tr><td>inner</td></tr></table>Global
<td class=td-exp><span><time datetime="2024-05-06 07:08:09+00:00">x</time></span>
<td class=td-action><form><input type=hidden name=csrf_token value=FORMCSRF><input type=hidden name=del_auth_token value=42></form>
</TABLE>
<form><select name=role><option value=token_role_api>api calls<option value=token_role_all>all</select></form>`
	p, err := ParseTokenPage(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	want := []AuthToken{{ID: 42, Description: "a & b <c> 'd'", Role: "token_role_api", RoleLabel: "api calls",
		Scope: "Global", Expires: ptime(time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)), Expired: true, Masked: "abcd****"}}
	if !reflect.DeepEqual(p.Tokens, want) {
		t.Errorf("Tokens =\n%+v\nwant\n%+v", p.Tokens, want)
	}
	if p.CSRFToken != "FORMCSRF" || len(p.Roles) != 2 || !p.Masked || p.Version != "" {
		t.Errorf("CSRF %q Roles %+v Masked %v Version %q", p.CSRFToken, p.Roles, p.Masked, p.Version)
	}
}

// BenchmarkParseTokenPage1000 parses a 4.27 page with 1,000 tokens.
func BenchmarkParseTokenPage1000(b *testing.B) {
	page := render(b, "auth_tokens_4.27.html.tmpl", fxPage427(thousandTokens(), "[]"))
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseTokenPage(bytes.NewReader(page))
		if err != nil || len(p.Tokens) != 1000 {
			b.Fatal(err)
		}
	}
}
