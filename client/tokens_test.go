package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestWebCreateAndReveal(t *testing.T) {
	for _, version := range []string{"4.18.3", "4.27.0"} {
		t.Run(version, func(t *testing.T) {
			ws := newWebServer(t, version)
			ctx := context.Background()
			w := newWeb(t, ws.srv.URL, Options{})
			if err := w.Login(ctx, "alice", alicePassword); err != nil {
				t.Fatal(err)
			}
			// An older token with the same description must not be taken
			// for the new one.
			if err := w.CreateToken(ctx, "token_role_vcs", "laptop", -1); err != nil {
				t.Fatal(err)
			}
			old := w.LastPage().Newest()
			created, secret, err := w.CreateAndReveal(ctx, "token_role_vcs", "laptop", 60)
			if err != nil {
				t.Fatal(err)
			}
			if created.ID <= old.ID || created.Role != "token_role_vcs" || created.Description != "laptop" || created.Expires == nil {
				t.Errorf("created %+v (older one: %d)", created, old.ID)
			}
			if secret != fxSecret(created.ID) {
				t.Errorf("secret %q, want %q", secret, fxSecret(created.ID))
			}
			var revealed bool
			for _, r := range ws.recordedRequests() {
				revealed = revealed || r.Path == tokensPath+"/view"
			}
			if masked := VersionAtLeast(version, 4, 19); revealed != masked {
				t.Errorf("revealed through /view: %v; the list masks secrets: %v", revealed, masked)
			}
		})
	}
}

func TestWebCreateAndRevealRoleNotOffered(t *testing.T) {
	ws := newWebServer(t, "4.27.0")
	ctx := context.Background()
	w := newWeb(t, ws.srv.URL, Options{})
	if err := w.Login(ctx, "alice", alicePassword); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.CreateAndReveal(ctx, "token_password_reset", "x", -1)
	var rn *RoleNotOfferedError
	if !errors.As(err, &rn) {
		t.Fatalf("err = %v, want a *RoleNotOfferedError", err)
	}
	if rn.Role != "token_password_reset" || rn.Version != "4.27.0" || rn.Host != ws.host() || len(rn.Offered) == 0 {
		t.Errorf("error fields %+v", rn)
	}
	if !strings.HasPrefix(err.Error(), ws.host()+` offers no token role "token_password_reset"; choose one of: token_role_all (all), `) {
		t.Errorf("message %q", err)
	}
	for _, r := range ws.recordedRequests() {
		if r.Path == tokensPath+"/new" {
			t.Errorf("a role the server does not offer was sent")
		}
	}
}
