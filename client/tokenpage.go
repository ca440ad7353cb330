package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/rhodecode-cli/rhodecode/internal/secret"
)

// TokenPage is the parsed My Account → Auth tokens page
// (GET /_admin/my_account/auth_tokens, protocol §5.4, §5.6).
type TokenPage struct {
	// Version is the server version from the page's script
	// (`rhodecode_version: '4.27.0'`); "" when the page does not say.
	Version string
	// Masked is true for the 4.19+ layout, where the list shows only
	// "abcd****" and secrets are revealed one by one through …/view.
	Masked bool
	// CSRFToken is the session's CSRF token (`var CSRF_TOKEN = "…";`, or
	// the hidden csrf_token input of a form when the script line is absent).
	CSRFToken string
	// Roles are the options of the add form's <select name="role">, in
	// page order: Value is the role constant, Label the (translated) text.
	Roles []RoleOption
	// Tokens are the listed tokens in page order (id ascending on a real
	// server), expired ones included.
	Tokens []AuthToken
	// Flash holds the flash messages the page carries
	// (`var alertMessagePayloads = […]`), e.g. "Auth token successfully
	// created" after a create.
	Flash []FlashMessage
}

// RoleOption is one option of the token form's role select.
type RoleOption struct{ Value, Label string }

// AuthToken is one row of the token list.
type AuthToken struct {
	// ID is the token's database id (showAuthToken(<id>) or the delete
	// form's del_auth_token value).
	ID          int
	Description string
	// Role is the role constant (token_role_api, …), mapped from the
	// label through the page's role select. Roles the select does not
	// offer are shown raw by the server (token_password_reset) and kept as
	// shown; a label that maps to nothing leaves Role "".
	Role string
	// RoleLabel is the role as displayed ("api calls").
	RoleLabel string
	// Scope is the displayed repository scope ("Global", "Repository: x").
	Scope string
	// Expires is nil for tokens that never expire.
	Expires *time.Time
	// Expired is the server's verdict (row class "expired").
	Expired bool
	// Masked is the displayed form "abcd****" (4.19+), or the masked form
	// of the full secret on older pages.
	Masked string
	// Secret is the full secret, only on pages before 4.19.
	Secret string
}

// FindToken returns the token with the given id, or nil.
func (p *TokenPage) FindToken(id int) *AuthToken {
	for i := range p.Tokens {
		if p.Tokens[i].ID == id {
			return &p.Tokens[i]
		}
	}
	return nil
}

// Newest returns the token with the highest id (the one created last),
// or nil when the list is empty.
func (p *TokenPage) Newest() *AuthToken {
	var best *AuthToken
	for i := range p.Tokens {
		if best == nil || p.Tokens[i].ID > best.ID {
			best = &p.Tokens[i]
		}
	}
	return best
}

// PageError says why a page is not a RhodeCode auth-token page. It
// matches ErrNotRhodeCode.
type PageError struct{ Reason string }

// Error returns "not a RhodeCode auth-token page: <reason>".
func (e *PageError) Error() string { return "not a RhodeCode auth-token page: " + e.Reason }

// Is makes errors.Is(err, ErrNotRhodeCode) true.
func (e *PageError) Is(target error) bool { return target == ErrNotRhodeCode }

// maxPage bounds the page read by ParseTokenPage; 1,000 tokens are ~1 MiB.
const maxPage = maxResponseBody

// cell kinds of a token row, by the template's td classes (positions as a
// fallback, in the order of the table header).
const (
	cellNone = iota
	cellToken
	cellDesc
	cellRole
	cellScope
	cellExp
	cellAction
	cellOther
)

var cellByClass = map[string]int{
	"td-authtoken": cellToken,
	"td-wrap":      cellDesc,
	"td-tags":      cellRole,
	"td":           cellScope,
	"td-exp":       cellExp,
	"td-action":    cellAction,
}

// tokenParser is the state of ParseTokenPage's single pass over the
// tokenizer; a tree would cost several allocations per node on a page
// with thousands of rows.
type tokenParser struct {
	page       TokenPage
	foundTable bool
	foundRole  bool
	tableDepth int // >0 inside table.rctable.auth_tokens (nested tables count)
	inScript   bool
	inSelect   bool // the role select
	inOption   bool
	optValue   string
	optHasVal  bool
	optText    []byte
	formCSRF   string // first hidden csrf_token input
	scriptCSRF string
	hasShowFn  bool // the 4.19+ showAuthToken script

	inRow     bool
	row       rowState
	rowErr    error
	rowNumber int
}

type rowState struct {
	expired   bool
	cells     int // <td> seen so far
	cell      int // kind of the cell being read
	hasToken  bool
	onclickID int // -1: none
	deleteID  string
	hasDelete bool
	datetime  string
	hasTime   bool
	code      []byte
	desc      []byte
	role      []byte
	scope     []byte
	exp       []byte
}

// ParseTokenPage parses the HTML of the auth-token list page of RhodeCode
// 4.8 and later (full secrets up to 4.18, masked from 4.19). Errors for
// pages that are not such a page match ErrNotRhodeCode (see PageError).
func ParseTokenPage(r io.Reader) (*TokenPage, error) {
	page, err := io.ReadAll(io.LimitReader(r, maxPage))
	if err != nil {
		return nil, err
	}
	pg, err := parseTokenPage(newPageScanner(page))
	if errors.Is(err, errScanFallback) {
		pg, err = parseTokenPage(html.NewTokenizer(bytes.NewReader(page)))
	}
	return pg, err
}

// parseTokenPage is ParseTokenPage's single pass over the tokens of z.
func parseTokenPage(z tokenSource) (*TokenPage, error) {
	p := &tokenParser{}
	p.row.onclickID = -1
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); !errors.Is(err, io.EOF) {
				return nil, err
			}
			return p.finish()
		case html.StartTagToken, html.SelfClosingTagToken:
			p.startTag(z, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			p.endTag(tagAtom(z))
		case html.TextToken:
			p.text(z.Text())
		}
		if p.rowErr != nil {
			return nil, p.rowErr
		}
	}
}

func (p *tokenParser) startTag(z tokenSource, selfClosing bool) {
	tag := tagAtom(z)
	// Attributes cost allocations in the tokenizer: read them only where
	// the state says they can matter.
	var need bool
	switch tag {
	case atom.Table:
		if p.tableDepth > 0 {
			p.tableDepth++
			return
		}
		need = true
	case atom.Tr:
		need = p.tableDepth == 1
	case atom.Td, atom.Th:
		need = p.tableDepth == 1 && p.inRow
	case atom.Code:
		need = p.inRow && p.row.cell == cellToken
	case atom.Input:
		need = p.formCSRF == "" || p.inRow
	case atom.Time:
		need = p.inRow && p.row.cell == cellExp
	case atom.Select:
		need = true
	case atom.Option:
		need = p.inSelect
	case atom.Optgroup:
		p.endOption()
	case atom.Script:
		p.inScript = !selfClosing
	}
	if !need {
		return
	}
	a := readSomeAttrs(z, attrsFor[tag])
	switch tag {
	case atom.Table:
		if hasClass(a.class, "rctable") && hasClass(a.class, "auth_tokens") {
			p.tableDepth = 1
			p.foundTable = true
		}
	case atom.Tr:
		p.endRow()
		p.inRow = true
		p.row.expired = hasClass(a.class, "expired")
	case atom.Td, atom.Th:
		p.row.cells++
		p.row.cell = cellOther
		if tag == atom.Td {
			// Only the class marks a token row: the empty list's single
			// cell is in the token column's position too.
			p.row.hasToken = p.row.hasToken || hasClass(a.class, "td-authtoken")
			p.row.cell = cellKind(a.class, p.row.cells)
		}
	case atom.Code:
		if id, ok := showAuthTokenID(a.onclick); ok {
			p.row.onclickID = id
		}
	case atom.Input:
		switch {
		case a.name == "csrf_token" && p.formCSRF == "":
			p.formCSRF = a.value
		case a.name == "del_auth_token" && p.inRow:
			p.row.deleteID, p.row.hasDelete = a.value, true
		}
	case atom.Time:
		if a.datetime != "" {
			p.row.datetime, p.row.hasTime = a.datetime, true
		}
	case atom.Select:
		p.endOption()
		p.inSelect = a.name == "role"
		if p.inSelect {
			p.foundRole = true
		}
	case atom.Option:
		p.endOption()
		p.inOption = true
		p.optValue, p.optHasVal = a.value, a.hasValue
		p.optText = p.optText[:0]
	}
}

// attrsFor are the attributes startTag reads of each tag.
var attrsFor = map[atom.Atom]int{
	atom.Table: attrClass, atom.Tr: attrClass, atom.Td: attrClass, atom.Th: attrClass,
	atom.Code: attrOnclick, atom.Input: attrName | attrValue, atom.Time: attrDatetime,
	atom.Select: attrName, atom.Option: attrValue,
}

func cellKind(class string, position int) int {
	for c := range strings.FieldsSeq(class) {
		if k, ok := cellByClass[c]; ok {
			return k
		}
	}
	if position >= 1 && position <= 6 {
		return position // same order as the constants
	}
	return cellOther
}

func (p *tokenParser) endTag(tag atom.Atom) {
	switch tag {
	case atom.Table:
		if p.tableDepth > 0 {
			p.tableDepth--
			if p.tableDepth == 0 {
				p.endRow()
			}
		}
	case atom.Tr:
		if p.tableDepth == 1 {
			p.endRow()
		}
	case atom.Td, atom.Th:
		if p.tableDepth == 1 {
			p.row.cell = cellNone
		}
	case atom.Option, atom.Optgroup:
		p.endOption()
	case atom.Select:
		p.endOption()
		p.inSelect = false
	case atom.Script:
		p.inScript = false
	}
}

func (p *tokenParser) text(t []byte) {
	switch {
	case p.inScript:
		p.script(t)
	case p.inOption:
		p.optText = append(p.optText, t...)
	case p.inRow && p.tableDepth == 1:
		switch p.row.cell {
		case cellToken:
			p.row.code = append(p.row.code, t...)
		case cellDesc:
			p.row.desc = append(p.row.desc, t...)
		case cellRole:
			p.row.role = append(p.row.role, t...)
		case cellScope:
			p.row.scope = append(p.row.scope, t...)
		case cellExp:
			p.row.exp = append(p.row.exp, t...)
		}
	}
}

// script picks the values RhodeCode's root template puts in inline
// scripts (protocol §5.2, base/root.mako).
func (p *tokenParser) script(t []byte) {
	if p.scriptCSRF == "" {
		if v, ok := jsStringAfter(t, "CSRF_TOKEN"); ok {
			p.scriptCSRF = v
		}
	}
	if p.page.Version == "" {
		if v, ok := jsStringAfter(t, "rhodecode_version"); ok {
			p.page.Version = v
		}
	}
	if p.page.Flash == nil {
		if i := bytes.Index(t, []byte("alertMessagePayloads")); i >= 0 {
			p.page.Flash = parseFlash(t[i+len("alertMessagePayloads"):])
		}
	}
	if !p.hasShowFn && bytes.Contains(t, []byte("showAuthToken")) {
		p.hasShowFn = true
	}
}

// showAuthTokenID reads the id of onclick="showAuthToken(12)".
func showAuthTokenID(onclick string) (int, bool) {
	_, rest, ok := strings.Cut(onclick, "showAuthToken(")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, ")")
	if !ok {
		return 0, false
	}
	id, err := strconv.Atoi(strings.TrimSpace(num))
	return id, err == nil
}

func (p *tokenParser) endOption() {
	if !p.inOption {
		return
	}
	p.inOption = false
	label := collapseSpace(p.optText)
	value := p.optValue
	if !p.optHasVal {
		value = label
	}
	p.page.Roles = append(p.page.Roles, RoleOption{Value: value, Label: label})
}

// endRow turns the collected cells into a token; rows without a token
// cell or delete form (the header, "No additional auth tokens specified")
// are skipped.
func (p *tokenParser) endRow() {
	if !p.inRow {
		return
	}
	r := &p.row
	p.inRow = false
	defer func() {
		code, desc, role, scope, exp := r.code[:0], r.desc[:0], r.role[:0], r.scope[:0], r.exp[:0]
		*r = rowState{onclickID: -1, code: code, desc: desc, role: role, scope: scope, exp: exp}
	}()
	if !r.hasToken && !r.hasDelete && r.onclickID < 0 {
		return
	}
	p.rowNumber++
	t := AuthToken{
		Description: strings.TrimSpace(string(r.desc)),
		RoleLabel:   collapseSpace(r.role),
		Scope:       collapseSpace(r.scope),
		Expired:     r.expired,
	}
	switch {
	case r.hasDelete:
		id, err := strconv.Atoi(strings.TrimSpace(r.deleteID))
		if err != nil {
			// 4.7 and older delete by secret; their ids are not shown.
			p.rowErr = &PageError{Reason: fmt.Sprintf("token row %d has no numeric id (RhodeCode before 4.8 is not supported)", p.rowNumber)}
			return
		}
		t.ID = id
	case r.onclickID >= 0:
		t.ID = r.onclickID
	default:
		p.rowErr = &PageError{Reason: fmt.Sprintf("token row %d has no id", p.rowNumber)}
		return
	}
	shown := strings.TrimSpace(string(r.code))
	if strings.HasSuffix(shown, "****") {
		t.Masked = shown
	} else if shown != "" {
		t.Secret = shown
		t.Masked = secret.Mask(shown)
	}
	if r.hasTime {
		when, err := parseRCTime(r.datetime)
		if err != nil {
			p.rowErr = &PageError{Reason: fmt.Sprintf("token %d: unreadable expiry %q", t.ID, r.datetime)}
			return
		}
		t.Expires = &when
	}
	p.page.Tokens = append(p.page.Tokens, t)
}

// parseRCTime reads the datetime attribute of h.age_component:
// Python's str(datetime) plus an offset, "2024-05-06 07:08:09.123456+00:00"
// (microseconds only when non-zero). Upstream always writes +00:00; some
// patched servers convert to their local zone, and a bug there repeats the
// offset ("…+08:00+08:00"), so only the first offset counts.
func parseRCTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	const base = len("2006-01-02 15:04:05")
	if len(s) < base {
		return time.Time{}, fmt.Errorf("too short")
	}
	end := base
	if end < len(s) && s[end] == '.' {
		end++
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
	}
	stamp, zone := s[:end], s[end:]
	switch {
	case zone == "" || zone[0] == 'Z':
		zone = "+00:00"
	case len(zone) >= 6 && (zone[0] == '+' || zone[0] == '-'):
		zone = zone[:6]
	default:
		return time.Time{}, fmt.Errorf("bad offset %q", zone)
	}
	stamp = strings.Replace(stamp, "T", " ", 1)
	t, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", stamp+zone)
	return t.UTC(), err
}

// finish checks the page has the parts a token page must have.
func (p *tokenParser) finish() (*TokenPage, error) {
	p.endOption()
	p.endRow()
	if p.rowErr != nil {
		return nil, p.rowErr
	}
	switch {
	case !p.foundTable:
		return nil, &PageError{Reason: "no table.rctable.auth_tokens"}
	case !p.foundRole:
		return nil, &PageError{Reason: "no role select in the add form"}
	}
	pg := &p.page
	pg.CSRFToken = p.scriptCSRF
	if pg.CSRFToken == "" {
		pg.CSRFToken = p.formCSRF
	}
	// Rows are the best evidence; an empty list falls back to the version
	// and then to the 4.19+ template's showAuthToken script.
	switch {
	case len(pg.Tokens) > 0:
		pg.Masked = pg.Tokens[0].Secret == ""
	case pg.Version != "":
		pg.Masked = VersionAtLeast(pg.Version, 4, 19)
	default:
		pg.Masked = p.hasShowFn
	}
	pg.mapRoles()
	return pg, nil
}

// VersionAtLeast compares a "4.27.0"-style RhodeCode version with major.minor;
// unreadable versions count as new.
func VersionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return true
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return true
	}
	return ma > major || ma == major && mi >= minor
}
