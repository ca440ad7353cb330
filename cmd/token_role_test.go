package cmd

import (
	"testing"
)

// TestCreateRoleNotOffered: a role this CLI knows but the server's token
// form does not offer (artifact tokens came with 4.18) is a usage error
// that names the server version and the roles it offers, and nothing is
// created.
func TestCreateRoleNotOffered(t *testing.T) {
	srv := fakeTokenServer(t, "4.17.0")
	e := newTestEnv(t)
	passwordLoginEnv(t, e, srv)
	before := len(srv.Tokens("alice"))
	r := e.run("token", "create", "--role", "artifact")
	const want = "this server (RhodeCode 4.17.0) offers no role artifact; it offers: all, http, vcs, api, feed"
	if r.code != 2 || r.stderr != "rhodecode: "+want+"\nRun 'rhodecode token create --help' for usage.\n" {
		t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, want)
	}
	if n := len(srv.Tokens("alice")); n != before {
		t.Errorf("%d tokens created", n-before)
	}
}
