package client

import (
	"context"
	"errors"
	"testing"

	"github.com/rhodecode-cli/rhodecode/internal/fakerc"
)

// TestManageUser runs the token operations on another user's admin pages
// (protocol §5.5) against the fake server, in both layouts: the same code
// path as My Account's, below /_admin/users/{id}/edit/auth_tokens.
func TestManageUser(t *testing.T) {
	for _, v := range []string{"4.18.0", "4.27.0"} {
		t.Run(v, func(t *testing.T) {
			ctx := context.Background()
			in := newInstance(t, fakerc.WithVersion(v))
			in.srv.UpdateUser("alice", func(u *fakerc.User) { u.Password = "alicepw" })
			in.srv.UpdateUser("root", func(u *fakerc.User) { u.Password = "rootpw" })
			rootHad := len(in.srv.Tokens("root"))

			// The id comes from get_user with userid (admin token).
			admin := newClient(t, in.srv.URL, in.admin.Secret, Options{})
			bot, err := admin.GetUserByName(ctx, "alice")
			if err != nil || bot.UserID != in.alice.ID {
				t.Fatalf("GetUserByName: %+v, %v", bot, err)
			}

			ws, err := NewWebSession(in.srv.URL, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := ws.Login(ctx, "root", "rootpw"); err != nil {
				t.Fatal(err)
			}
			ws.ManageUser(bot.UserID)
			page, err := ws.TokenPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tokens) != len(in.srv.Tokens("alice")) || page.FindToken(in.api.ID) == nil {
				t.Fatalf("admin page of alice lists %+v", page.Tokens)
			}
			created, secret, err := ws.CreateAndReveal(ctx, "token_role_vcs", "ci", 60)
			if err != nil {
				t.Fatal(err)
			}
			alice := in.srv.Tokens("alice")
			if last := alice[len(alice)-1]; last.ID != created.ID || last.Secret != secret {
				t.Fatalf("created %+v / %q, server has %+v", created, secret, last)
			}
			if got, err := ws.RevealToken(ctx, in.vcs.ID); err != nil || got != in.vcs.Secret {
				t.Errorf("reveal alice's token: %v", err)
			}
			if err := ws.DeleteToken(ctx, created.ID); err != nil {
				t.Fatal(err)
			}
			if err := ws.DeleteToken(ctx, 9999); !errors.Is(err, ErrTokenNotFound) {
				t.Errorf("delete of an unknown id: %v", err)
			}
			if n := len(in.srv.Tokens("alice")); n != len(alice)-1 {
				t.Errorf("alice has %d tokens after the delete", n)
			}
			if n := len(in.srv.Tokens("root")); n != rootHad {
				t.Errorf("the admin's own tokens changed: %d → %d", rootHad, n)
			}

			// Back to the session's own list.
			ws.ManageUser(0)
			if own, err := ws.TokenPage(ctx); err != nil || own.FindToken(in.admin.ID) == nil || own.FindToken(in.api.ID) != nil {
				t.Errorf("own page after ManageUser(0): %v", err)
			}

			// A non-admin: get_user refuses, the admin page answers 404.
			user := newClient(t, in.srv.URL, in.api.Secret, Options{})
			if _, err := user.GetUserByName(ctx, "root"); !errors.Is(err, ErrNotSuperAdmin) || errors.Is(err, ErrAuth) {
				t.Errorf("non-admin get_user: %v", err)
			} else {
				checkMessage(t, err, in.srv.Host(), in.secret...)
			}
			if _, err := admin.GetUserByName(ctx, "nobody"); !errors.Is(err, ErrNoSuchUser) {
				t.Errorf("unknown user: %v", err)
			}
			aws, _ := NewWebSession(in.srv.URL, Options{})
			if err := aws.Login(ctx, "alice", "alicepw"); err != nil {
				t.Fatal(err)
			}
			aws.ManageUser(bot.UserID + 1)
			if _, err := aws.TokenPage(ctx); !errors.Is(err, ErrNotSuperAdmin) {
				t.Errorf("non-admin admin page: %v", err)
			}
		})
	}
}
