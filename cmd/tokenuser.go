package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/rhodecode-cli/rhodecode/client"
	"github.com/rhodecode-cli/rhodecode/internal/termtext"
	"github.com/spf13/cobra"
)

// --user: a super-admin manages another user's tokens (a CI bot's, say)
// through RhodeCode's admin pages, /_admin/users/{id}/edit/auth_tokens
// (protocol §5.5), which take the same forms as My Account's. The id
// comes from get_user with userid, which only a super-admin's API token
// may call for someone else (§3.1), so a non-admin is stopped before any
// page is asked for and nothing changes.
//
// The tokens the tool itself uses (its API token, the VCS token git gets)
// are the caller's own: with --user they are never marked, rotated or
// stored, whatever the other user's list holds.

// tokenUser is the other user whose tokens a command manages.
type tokenUser struct {
	ID       int
	Username string
}

// addUserFlag adds --user to a token command.
func addUserFlag(c *cobra.Command, name *string) {
	c.Flags().StringVar(name, "user", "", "Manage this user's tokens (a user name or numeric id) instead of your own (super-admins only)")
	_ = c.RegisterFlagCompletionFunc("user", cobra.NoFileCompletions)
}

// userTarget is webTarget for a command that may name another user: with
// --user it looks the user up with the instance's API token and points
// the web session at that user's admin pages. Naming oneself, by name or
// by id, is the same as leaving --user out.
//
// get_user reads an all-digit userid as a user id (RhodeCode's
// int(userid)), so --user takes an id as well as a name: the server
// decides, and the messages name the user it found. Refusing ids would
// only make the tool disagree with RhodeCode (and a user named "12" cannot
// be looked up by name there anyway).
func (d *deps) userTarget(ctx context.Context, name string) (*webTarget, error) {
	wt, err := d.webTarget(ctx)
	if err != nil || name == "" || name == wt.Username {
		return wt, err
	}
	if wt.apiToken == "" {
		return nil, authRequiredf("--user %s needs the API token of %q to look the user up (get_user); run rhodecode auth login -i %s", name, wt.Name, wt.Name)
	}
	c, err := d.newClient(wt.Instance, wt.apiToken)
	if err != nil {
		return nil, err
	}
	u, err := c.GetUserByName(ctx, name)
	shown := termtext.Sanitize(name)
	switch {
	case errors.Is(err, client.ErrNotSuperAdmin):
		// The server compares a non-admin's userid with her id as given,
		// so her own id as a string is refused too; it is still her.
		if n, convErr := strconv.Atoi(name); convErr == nil {
			if me, meErr := c.GetUser(ctx); meErr == nil && me.UserID == n {
				return wt, nil
			}
		}
		return nil, &userError{fmt.Sprintf("--user %s: only super-admins can manage another user's tokens, and %s is not one on %q", shown, wt.Username, wt.Name), err}
	case errors.Is(err, client.ErrNoSuchUser):
		return nil, &userError{fmt.Sprintf("--user %s: there is no user %s on %q (user names are exact, as in Admin → Users)", shown, shown, wt.Name), err}
	case err != nil:
		return nil, err
	}
	// An id may name oneself: then it is one's own list, so the tool's own
	// tokens stay marked and their stored copies are kept up to date.
	if u.Username == wt.Username {
		return wt, nil
	}
	me, err := c.GetUser(ctx)
	if err != nil {
		return nil, err
	}
	if u.UserID == me.UserID {
		return wt, nil
	}
	wt.user = &tokenUser{ID: u.UserID, Username: u.Username}
	return wt, nil
}

// userError is a --user refusal in the command's words; it still matches
// what the client returned (errors.Is), and so keeps its exit code.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

// managedUserID is the user id the web session's token pages belong to:
// 0 for the caller's own (My Account).
func (wt *webTarget) managedUserID() int {
	if wt.user == nil {
		return 0
	}
	return wt.user.ID
}

// owner is the user name the tokens on the list belong to.
func (wt *webTarget) owner() string {
	if wt.user != nil {
		return wt.user.Username
	}
	return wt.Username
}

// vcsTokenID is the id of the VCS token the tool hands to git, when the
// list is the caller's own; 0 otherwise.
func (wt *webTarget) vcsTokenID() int {
	if wt.user != nil {
		return 0
	}
	return wt.VCSTokenID
}

// scope names whose tokens a command works on, for its messages.
func (wt *webTarget) scope() tokenScope {
	return tokenScope{instance: wt.Name, user: wt.owner(), other: wt.user != nil}
}

// forUser is " for user NAME" with --user, "" without, for messages.
func (wt *webTarget) forUser() string {
	if wt.user == nil {
		return ""
	}
	return " for user " + wt.user.Username
}

// userArg is " --user NAME" with --user, "" without, for the commands a
// message suggests.
func (wt *webTarget) userArg() string {
	if wt.user == nil {
		return ""
	}
	return " --user " + wt.user.Username
}

// newTokenDescription is token create's default description. For one's
// own tokens it is the tool's (defaultDescription); for another user's it
// also names the admin, so that it never reads as a token the tool made
// for that user itself, which that user's own logins would revoke as
// stale (staleToolTokens).
func (wt *webTarget) newTokenDescription(hostname func() (string, error), role string) string {
	d := defaultDescription(hostname, client.RoleShortName(role), wt.owner())
	if wt.user != nil {
		d += ", by " + wt.Username
	}
	return d
}
