package client

import (
	"slices"
	"testing"
)

func TestRoleNames(t *testing.T) {
	want := []string{"all", "api", "artifact", "feed", "http", "vcs"}
	if got := RoleNames(); !slices.Equal(got, want) {
		t.Errorf("RoleNames() = %v, want %v", got, want)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]string{
		"vcs":                    "token_role_vcs",
		" API ":                  "token_role_api",
		"artifact":               "role_artifact_download",
		"token_role_all":         "token_role_all",
		"TOKEN_ROLE_FEED":        "token_role_feed",
		"role_artifact_download": "role_artifact_download",
		"token_password_reset":   "", // the server's own, offered in no form
		"api calls":              "", // labels are the page's business (RoleValue)
		"":                       "",
	} {
		got, ok := ParseRole(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestRoleShortName(t *testing.T) {
	for in, want := range map[string]string{
		"token_role_vcs":         "vcs",
		"role_artifact_download": "artifact",
		"token_password_reset":   "token_password_reset",
		"":                       "",
	} {
		if got := RoleShortName(in); got != want {
			t.Errorf("RoleShortName(%q) = %q, want %q", in, got, want)
		}
	}
	for _, name := range RoleNames() {
		c, ok := ParseRole(name)
		if !ok || RoleShortName(c) != name {
			t.Errorf("%q does not round-trip: ParseRole = %q, %v; RoleShortName = %q", name, c, ok, RoleShortName(c))
		}
	}
}

func TestLooksLikeRoleConstant(t *testing.T) {
	for in, want := range map[string]bool{
		"token_password_reset":   true,
		"role_artifact_download": true,
		"token_role_v2":          true,
		"api calls":              false,
		"vcs":                    false, // no underscore: could be a label
		"Token_Role_All":         false,
	} {
		if got := looksLikeRoleConstant(in); got != want {
			t.Errorf("looksLikeRoleConstant(%q) = %v, want %v", in, got, want)
		}
	}
}
