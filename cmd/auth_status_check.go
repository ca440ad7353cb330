package cmd

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/rhodecode-cli/rhodecode/client"
)

// Asking the servers whether the API tokens work, for auth status.

// checkAll asks every server about its token in parallel, within one
// overall deadline.
func checkAll(ctx context.Context, opts *authStatusOptions, rows []*instanceStatus) {
	ctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, r := range rows {
		if r.State != "" {
			continue // no token to check
		}
		if opts.Offline {
			r.State, r.OK = "offline", true
			continue
		}
		wg.Add(1)
		go func(r *instanceStatus) {
			defer wg.Done()
			checkOne(ctx, opts, r)
		}(r)
	}
	wg.Wait()
}

// checkOne asks the server who the row's token belongs to and records the
// answer in r.State.
func checkOne(ctx context.Context, opts *authStatusOptions, r *instanceStatus) {
	c, err := opts.newClient(r.instance, r.token)
	if err != nil {
		r.State, r.Error = "error", err.Error()
		return
	}
	u, err := c.GetUser(ctx)
	switch {
	case err == nil:
		r.State, r.OK, r.ServerUsername = "ok", true, u.Username
		if r.Username == "" {
			r.Username = u.Username
		} else if r.Username != u.Username {
			r.State, r.OK = "user-mismatch", false
			r.Error = fmt.Sprintf("the token belongs to %s, not %s; log in again", u.Username, r.Username)
		}
	case errors.Is(err, client.ErrAuth):
		r.State, r.Error = "token-rejected", err.Error()
	case errors.Is(err, client.ErrUnreachable):
		r.State, r.Error = "unreachable", err.Error()
	case errors.Is(err, client.ErrNotRhodeCode):
		r.State, r.Error = "not-rhodecode", err.Error()
	default:
		r.State, r.Error = "error", err.Error()
	}
}
