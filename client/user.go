package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// User is the get_user result (protocol §3.1), the fields a CLI needs.
type User struct {
	UserID      int      `json:"user_id"`
	Username    string   `json:"username"`
	FirstName   string   `json:"firstname"` // "" when the server sends null
	LastName    string   `json:"lastname"`
	Description string   `json:"description"` // 4.18+
	Email       string   `json:"email"`
	Emails      []string `json:"emails"`
	Active      bool     `json:"active"`
	Admin       bool     `json:"admin"`
	ExternType  string   `json:"extern_type"`
	ExternName  string   `json:"extern_name"`
	IPAddresses []string `json:"ip_addresses"`
	Language    string   `json:"language"`
	// LastLogin and LastActivity are naive server-local times (the zone
	// is unknown, they are stored as UTC); zero when null.
	LastLogin    time.Time `json:"-"`
	LastActivity time.Time `json:"-"`
	// AuthTokens holds every token secret of the user, all roles, expired
	// ones included, in token id order. It is read from the 4.10+ list of
	// strings, the 4.7–4.9 list of objects, or the 4.0–4.6 api_keys list.
	// Without secret access the server sends 40 asterisks instead.
	AuthTokens []string `json:"-"`
}

// GetUser returns the user that owns the client's token (get_user without
// userid).
func (c *Client) GetUser(ctx context.Context) (*User, error) {
	var u User
	if err := c.Call(ctx, "get_user", struct{}{}, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// GetUserByName returns another user (get_user with userid, protocol
// §3.1), which only a super-admin's token may read (or a user's own id).
// The name is sent as a string, but the server tries int(userid) first:
// an all-digit name is read as a user id. The server's refusal
// of a non-admin is ErrNotSuperAdmin, an unknown name ErrNoSuchUser; both
// also match the *APIError.
func (c *Client) GetUserByName(ctx context.Context, username string) (*User, error) {
	var u User
	err := c.Call(ctx, "get_user", map[string]string{"userid": username}, &u)
	var ae *APIError
	switch {
	case err == nil:
		return &u, nil
	case !errors.As(err, &ae):
		return nil, err
	case ae.Message == "userid is not the same as your user":
		return nil, c.fail(ErrNotSuperAdmin, ae, "%s refused to show user %s (%s): only a super-admin may read or manage another user", c.host, username, ae.Message)
	case ae.Message == "user `"+username+"` does not exist":
		return nil, c.fail(ErrNoSuchUser, ae, "%s has no user %s", c.host, username)
	}
	return nil, err
}

// UnmarshalJSON reads the version-dependent token and datetime fields.
func (u *User) UnmarshalJSON(data []byte) error {
	type plain User // no methods: avoids recursion
	var extra struct {
		AuthTokens   []json.RawMessage `json:"auth_tokens"`
		APIKeys      []string          `json:"api_keys"`
		LastLogin    *string           `json:"last_login"`
		LastActivity *string           `json:"last_activity"`
	}
	if err := json.Unmarshal(data, (*plain)(u)); err != nil {
		return err
	}
	if err := json.Unmarshal(data, &extra); err != nil {
		return err
	}
	u.AuthTokens = nil
	for i, raw := range extra.AuthTokens {
		var secret string
		if json.Unmarshal(raw, &secret) == nil { // 4.10+
			u.AuthTokens = append(u.AuthTokens, secret)
			continue
		}
		var obj struct {
			AuthToken string `json:"auth_token"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil { // 4.7–4.9
			return fmt.Errorf("auth_tokens: element %d is neither a string nor a token object", i)
		}
		u.AuthTokens = append(u.AuthTokens, obj.AuthToken)
	}
	if extra.AuthTokens == nil && extra.APIKeys != nil { // 4.0–4.6
		u.AuthTokens = append([]string(nil), extra.APIKeys...)
	}
	var err error
	if u.LastLogin, err = parseServerTime(extra.LastLogin); err != nil {
		return fmt.Errorf("last_login: %w", err)
	}
	if u.LastActivity, err = parseServerTime(extra.LastActivity); err != nil {
		return fmt.Errorf("last_activity: %w", err)
	}
	return nil
}

// parseServerTime reads RhodeCode's naive ISO datetimes
// ("2023-03-27T06:18:12.123", fraction optional, "Z" tolerated).
func parseServerTime(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	v := strings.TrimSuffix(*s, "Z")
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unexpected datetime %q", *s)
}
