package client

import (
	"sort"
	"strings"
)

// Token roles are validated here and only here: a real server stores any
// role it is sent (protocol §4.1), so the client must check roles itself,
// and the CLI and the client must agree on the names.

// roleShort maps the short role names users type to RhodeCode's role
// constants (protocol §4.1). token_password_reset is missing on purpose:
// the server creates it itself and offers it in no form.
var roleShort = map[string]string{
	"all":      "token_role_all",
	"vcs":      "token_role_vcs",
	"api":      "token_role_api",
	"http":     "token_role_http",
	"feed":     "token_role_feed",
	"artifact": "role_artifact_download",
}

// RoleNames lists the short role names ("all", "api", …) in a stable
// order, for help texts, completion and errors.
func RoleNames() []string {
	names := make([]string, 0, len(roleShort))
	for k := range roleShort {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ParseRole accepts a short role name or a role constant, in any case and
// with surrounding white space, and returns the constant; ok is false for
// anything else.
func ParseRole(s string) (constant string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if c, ok := roleShort[s]; ok {
		return c, true
	}
	for _, c := range roleShort {
		if c == s {
			return c, true
		}
	}
	return "", false
}

// RoleShortName returns the short name of a role constant, or the
// constant itself when it has none (token_password_reset, roles of newer
// servers).
func RoleShortName(constant string) string {
	for k, v := range roleShort {
		if v == constant {
			return k
		}
	}
	return constant
}

// RoleValue maps a role given as constant or as label to the constant
// offered by the page's select; ok is false if the page offers no such role.
func (p *TokenPage) RoleValue(role string) (value string, ok bool) {
	for _, r := range p.Roles {
		if r.Value == role {
			return r.Value, true
		}
	}
	for _, r := range p.Roles {
		if strings.EqualFold(r.Label, role) {
			return r.Value, true
		}
	}
	return "", false
}

// mapRoles fills Role from RoleLabel through the select's options.
func (pg *TokenPage) mapRoles() {
	labels := make(map[string]string, len(pg.Roles))
	values := make(map[string]bool, len(pg.Roles))
	for _, r := range pg.Roles {
		labels[r.Label] = r.Value
		values[r.Value] = true
	}
	for i := range pg.Tokens {
		t := &pg.Tokens[i]
		if v, ok := labels[t.RoleLabel]; ok {
			t.Role = v
		} else if values[t.RoleLabel] || looksLikeRoleConstant(t.RoleLabel) {
			// _get_role_name shows unknown roles raw.
			t.Role = t.RoleLabel
		}
	}
}

// looksLikeRoleConstant is true for raw role values such as
// token_password_reset or role_artifact_download: lower-case words joined
// by underscores, which no label has.
func looksLikeRoleConstant(s string) bool {
	if !strings.Contains(s, "_") {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
