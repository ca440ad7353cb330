package fakerc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
)

// maxAPIBody bounds what the fake reads from one request.
const maxAPIBody = 10 << 20

// The fixed texts of protocol §2.3 (CE 4.27 rhodecode/api/__init__.py).
const (
	msgNoContentLength = "Empty body, No Content-Length in request"
	msgMissingToken    = "Incorrect JSON data. Missing 'api_key or auth_token'"
	msgInvalidToken    = "Invalid API KEY"
	msgUserNotAllowed  = "Request from this user not allowed"
	msgBadRole         = "API KEY invalid or, has bad role for an API call"
	msgBadRoleOld      = "API KEY has bad role for an API call" // 4.0–4.6
	msgForbidden       = "Access was denied to this resource."
	msgInternal        = "Internal server error"
	msgNotSameUser     = "userid is not the same as your user"
)

// rpcMethod is one registered JSON-RPC method. required and optional list
// the arguments the Python function declares; anything else in args is
// dropped before the call, as in request_view.
type rpcMethod struct {
	required []string
	optional []string
	call     func(s *Server, c *rpcCall) (any, error)
}

// rpcCall is what a method sees: the authenticated caller, its address
// and the sanitised arguments.
type rpcCall struct {
	user User
	ip   string
	args map[string]any
}

// methodError is a JSONRPCError (a string message) or a
// JSONRPCValidationError (an object of field → message).
type methodError struct{ message any }

func (e *methodError) Error() string { return fmt.Sprint(e.message) }

// errForbidden is JSONRPCForbidden.
var errForbidden = errors.New(msgForbidden)

// internalError is an unexpected Python exception inside a method; typ is
// what goes into RhodeCode-Exception-Type.
type internalError struct{ typ string }

func (e *internalError) Error() string { return e.typ }

// registry lists the methods the fake implements. Their names are also the
// pool for the "Similar methods" hint.
func registry() map[string]rpcMethod {
	return map[string]rpcMethod{
		"get_user":        {optional: []string{"userid"}, call: (*Server).apiGetUser},
		"get_users":       {call: (*Server).apiGetUsers},
		"get_ip":          {optional: []string{"userid"}, call: (*Server).apiGetIP},
		"get_server_info": {call: (*Server).apiGetServerInfo},
		"delete_user":     {required: []string{"userid"}, call: (*Server).apiDeleteUser},
		"get_repos":       {optional: []string{"root", "traverse"}, call: (*Server).apiGetRepos},
	}
}

// serveAPI is request_view plus setup_request: the checks of protocol §2.3
// in their order.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	// 1. method
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		writeRPC(w, nil, nil, fmt.Sprintf("unsupported request method %q. Please use POST", r.Method), nil)
		return
	}
	// 2. Content-Length: WSGI only sets CONTENT_LENGTH when the header came.
	if _, ok := r.Header["Content-Length"]; !ok {
		writeRPC(w, nil, nil, msgNoContentLength, nil)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxAPIBody))
	// 3. JSON
	doc, perr := pyLoads(body)
	if perr != "" {
		writeRPC(w, nil, nil, "JSON parse error ERR:"+perr+" RAW:"+pyBytesRepr(body), nil)
		return
	}
	// 4. not an object: json_body.get raises AttributeError outside the
	// JSON-RPC error handling, so the generic 500 page answers.
	obj, ok := doc.(map[string]any)
	if !ok {
		s.serverError(w)
		return
	}

	call := Call{UserAgent: r.UserAgent(), RemoteIP: ip}
	idVal, hasID := obj["id"]
	var id json.RawMessage
	if hasID {
		id = mustJSON(idVal)
		call.ID = id
	}
	if m, ok := obj["method"].(string); ok {
		call.Method = m
	}
	if a, ok := obj["args"]; ok {
		call.Args = mustJSON(a)
	}
	token := obj["api_key"]
	if !pyTruthy(token) {
		token = obj["auth_token"]
	}
	if tok, ok := token.(string); ok {
		call.Token = tok
	} else if token != nil {
		call.Token = string(mustJSON(token))
	}
	reply := func(result any, errVal any, header http.Header) {
		if errVal != nil {
			if msg, ok := errVal.(string); ok {
				call.Error = msg
			} else {
				call.Error = string(mustJSON(errVal))
			}
		}
		s.mu.Lock()
		s.calls = append(s.calls, call)
		s.mu.Unlock()
		writeRPC(w, id, result, errVal, header)
	}

	// 5. token, 6. id/method/args (KeyError order of setup_request)
	if !pyTruthy(token) {
		reply(nil, msgMissingToken, nil)
		return
	}
	for _, key := range []string{"id", "method", "args"} {
		if _, ok := obj[key]; !ok {
			reply(nil, "Incorrect JSON data. Missing '"+key+"'", nil)
			return
		}
	}
	args, _ := obj["args"].(map[string]any) // not an object => {}
	if args == nil {
		args = map[string]any{}
	}

	// 7. unknown method, answered by the not-found view before any auth
	name, _ := obj["method"].(string)
	m, known := s.methods[name]
	if _, isString := obj["method"].(string); !isString || !known {
		reply(nil, s.noSuchMethod(obj["method"]), nil)
		return
	}

	// 8–12. authentication
	caller, authErr := s.authenticate(token, ip)
	if authErr != "" {
		reply(nil, authErr, nil)
		return
	}

	// 13. required arguments, then drop the unknown ones
	for _, a := range m.required {
		if _, ok := args[a]; !ok {
			reply(nil, "Missing non optional `"+a+"` arg in JSON DATA", nil)
			return
		}
	}
	clean := map[string]any{}
	for _, a := range append(append([]string(nil), m.required...), m.optional...) {
		if v, ok := args[a]; ok {
			clean[a] = v
		}
	}

	// 14–17. the method itself
	result, err := m.call(s, &rpcCall{user: caller, ip: ip, args: clean})
	var me *methodError
	var ie *internalError
	switch {
	case err == nil:
		if !pyTruthy(idVal) {
			// jsonrpc_response only builds the envelope "if rpc_id".
			s.mu.Lock()
			s.calls = append(s.calls, call)
			s.mu.Unlock()
			writeJSON(w, "", nil)
			return
		}
		reply(result, nil, nil)
	case errors.As(err, &me):
		reply(nil, me.message, nil)
	case errors.Is(err, errForbidden):
		reply(nil, msgForbidden, nil)
	case errors.As(err, &ie):
		h := http.Header{}
		h.Set("RhodeCode-Exception-Id", s.newExceptionID())
		h.Set("RhodeCode-Exception-Type", ie.typ)
		reply(nil, msgInternal, h)
	default:
		reply(nil, msgInternal, nil)
	}
}

// authenticate runs checks 8–11 and returns the caller or the error text.
func (s *Server) authenticate(token any, ip string) (User, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	secret, ok := token.(string)
	if !ok {
		// The token lookup raises for non-strings; check 12 turns any
		// exception into this message.
		return User{}, msgInvalidToken
	}
	t := s.tokenBySecretLocked(secret)
	if t == nil || (s.apiLagAbove > 0 && t.ID > s.apiLagAbove) {
		return User{}, msgInvalidToken
	}
	u := s.userByIDLocked(t.UserID)
	if u == nil {
		return User{}, msgInvalidToken
	}
	if !u.Active {
		return User{}, msgUserNotAllowed
	}
	if !ipAllowed(u.IPWhitelist, ip) {
		return User{}, "Request from IP:" + ip + " not allowed"
	}
	// authenticate_by_token(roles=[ROLE_API]) always adds ROLE_ALL and
	// rejects repository-scoped tokens when no repository is involved.
	if t.Role != RoleAPI && t.Role != RoleAll || t.RepoID != 0 {
		if !s.version.atLeast(4, 7) {
			return User{}, msgBadRoleOld
		}
		return User{}, msgBadRole
	}
	return copyUser(u), ""
}

// noSuchMethod builds the not-found message: registered names matching
// *part* for each "_"-separated part of the requested name.
func (s *Server) noSuchMethod(method any) string {
	similar := "none"
	if name, ok := method.(string); ok {
		var names []string
		for n := range s.methods {
			names = append(names, n)
		}
		sort.Strings(names)
		seen := map[string]bool{}
		var found []string
		for _, part := range strings.Split(name, "_") {
			for _, n := range names {
				if ok, _ := path.Match("*"+part+"*", n); ok && !seen[n] {
					seen[n] = true
					found = append(found, n)
				}
			}
		}
		if len(found) > 0 {
			similar = strings.Join(found, ", ")
		}
	}
	return "No such method: " + pyStr(method) + ". Similar methods: " + similar
}

// writeRPC writes the {"id","result","error"} envelope, always HTTP 200.
func writeRPC(w http.ResponseWriter, id json.RawMessage, result any, errVal any, header http.Header) {
	env := struct {
		ID     json.RawMessage `json:"id"`
		Result any             `json:"result"`
		Error  any             `json:"error"`
	}{id, result, errVal}
	if env.ID == nil {
		env.ID = json.RawMessage("null")
	}
	writeJSON(w, env, header)
}

// writeJSON renders like ExtJsonRenderer(indent=4) with Python's default
// ensure_ascii.
func writeJSON(w http.ResponseWriter, v any, header http.Header) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only the fake's own values are encoded here
	}
	for k, vs := range header {
		w.Header()[k] = vs
	}
	out := asciiJSON(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// asciiJSON escapes non-ASCII characters; in JSON text they can only occur
// inside strings, so this is safe.
func asciiJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r > 0x7e }) {
		return b
	}
	var out bytes.Buffer
	for _, r := range string(b) {
		switch {
		case r < 0x7f:
			out.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
	}
	return out.Bytes()
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // values come from json.Unmarshal and always re-encode
	}
	return b
}

// ---- methods ----

// apiGetUser is user_api.get_user (protocol §3.1).
func (s *Server) apiGetUser(c *rpcCall) (any, error) {
	userid, given := c.args["userid"]
	if !c.user.Admin && given && !pyEqualsInt(userid, c.user.ID) {
		return nil, &methodError{msgNotSameUser}
	}
	if !given {
		userid = json.Number(fmt.Sprint(c.user.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userOrErrorLocked(userid)
	if err != nil {
		return nil, err
	}
	data := s.userDataLocked(u, true)
	perms := s.permissionsLocked(u)
	data["permissions"] = perms
	if s.version.atLeast(4, 10) {
		data["permissions_summary"] = perms
	}
	return data, nil
}

// apiGetUsers is user_api.get_users: admin only, sorted by username.
func (s *Server) apiGetUsers(c *rpcCall) (any, error) {
	if !c.user.Admin {
		return nil, errForbidden
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	users := append([]*User(nil), s.users...)
	sort.Slice(users, func(i, j int) bool { return users[i].Username < users[j].Username })
	out := []any{}
	for _, u := range users {
		out = append(out, s.userDataLocked(u, true))
	}
	return out, nil
}

// apiGetIP is server_api.get_ip: admin only.
func (s *Server) apiGetIP(c *rpcCall) (any, error) {
	if !c.user.Admin {
		return nil, errForbidden
	}
	userid, given := c.args["userid"]
	if !given {
		userid = json.Number(fmt.Sprint(c.user.ID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userOrErrorLocked(userid)
	if err != nil {
		return nil, err
	}
	ips := []any{}
	for _, entry := range u.IPWhitelist {
		first, last := ipRange(entry)
		ips = append(ips, map[string]any{"ip_addr": entry, "ip_range": []string{first, last}})
	}
	return map[string]any{"server_ip_addr": c.ip, "user_ips": ips}, nil
}

// apiGetServerInfo is server_api.get_server_info, reduced to the entries a
// client reads (the version).
func (s *Server) apiGetServerInfo(c *rpcCall) (any, error) {
	if !c.user.Admin {
		return nil, errForbidden
	}
	ok := map[string]any{"message": "", "type": "ok"}
	v := s.version.String()
	return map[string]any{
		"rhodecode_app": map[string]any{
			"value":       map[string]any{"rhodecode_version": v, "rhodecode_config": map[string]any{}},
			"state":       ok,
			"human_value": map[string]any{"text": "RhodeCode Community Edition, version " + v},
		},
		"server": map[string]any{
			"value":       map[string]any{"server_ip": "127.0.0.1", "server_id": "fakerc"},
			"state":       ok,
			"human_value": "127.0.0.1 (fakerc)",
		},
		"storage":       "/var/opt/rhodecode_repo_store",
		"index_storage": "/var/opt/rhodecode_data/index",
	}, nil
}

// apiDeleteUser is user_api.delete_user: admin only; tokens go with the
// user (ON DELETE CASCADE).
func (s *Server) apiDeleteUser(c *rpcCall) (any, error) {
	if !c.user.Admin {
		return nil, errForbidden
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.userOrErrorLocked(c.args["userid"])
	if err != nil {
		return nil, err
	}
	id, name := u.ID, u.Username
	for i, x := range s.users {
		if x.ID == id {
			s.users = append(s.users[:i:i], s.users[i+1:]...)
			break
		}
	}
	kept := s.tokens[:0:0]
	for _, t := range s.tokens {
		if t.UserID != id {
			kept = append(kept, t)
		}
	}
	s.tokens = kept
	return map[string]any{"msg": fmt.Sprintf("deleted user ID:%d %s", id, name), "user": nil}, nil
}

// userOrErrorLocked is api.utils.get_user_or_error: int(userid) selects by
// id, a ValueError falls back to the username, other types raise.
func (s *Server) userOrErrorLocked(userid any) (*User, error) {
	var u *User
	n, convErr := pyInt(userid)
	switch {
	case convErr == errPyValue:
		if name, ok := userid.(string); ok {
			u = s.userByNameLocked(name)
		}
	case convErr != nil:
		return nil, &internalError{typ: "exceptions.TypeError"}
	default:
		if n.IsInt64() {
			u = s.userByIDLocked(int(n.Int64()))
		}
	}
	if u == nil {
		return nil, &methodError{"user `" + pyStr(userid) + "` does not exist"}
	}
	return u, nil
}

// userDataLocked is User.get_api_data(include_secrets) in the shape of the
// imitated version (protocol §3.1, shape history).
func (s *Server) userDataLocked(u *User, secrets bool) map[string]any {
	tokens := s.tokensOfLocked(u.ID)
	secretList := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if secrets {
			secretList = append(secretList, t.Secret)
		}
	}
	if !secrets {
		secretList = []string{strings.Repeat("*", 40)}
	}
	ips := append([]string{}, u.IPWhitelist...)
	data := map[string]any{
		"user_id":       u.ID,
		"username":      u.Username,
		"firstname":     nullIfEmpty(u.FirstName),
		"lastname":      nullIfEmpty(u.LastName),
		"email":         u.Email,
		"emails":        []string{u.Email},
		"active":        u.Active,
		"admin":         u.Admin,
		"extern_type":   "rhodecode",
		"extern_name":   "rhodecode",
		"last_login":    pyDatetime(u.LastLogin),
		"last_activity": pyDatetime(u.LastLogin),
		"ip_addresses":  ips,
		"language":      nil,
	}
	switch {
	case s.version.atLeast(4, 10):
		data["auth_tokens"] = secretList
	case s.version.atLeast(4, 7):
		data["api_keys"] = secretList
		objs := []any{}
		now := s.now()
		for _, t := range tokens {
			secret := t.Secret
			if !secrets {
				secret = secret[:4] + "****"
			}
			scope := "global"
			if r := s.repoByIDLocked(t.RepoID); r != nil {
				scope = fmt.Sprintf("<Repository('%d:%s')>", r.ID, r.Name)
			}
			objs = append(objs, map[string]any{
				"auth_token": secret, "role": t.Role, "scope": scope, "expired": t.Expired(now),
			})
		}
		data["auth_tokens"] = objs
	default:
		// 4.0–4.6 had a builtin key per user; the fake uses the first
		// token in its place.
		var builtin any
		if len(secretList) > 0 {
			builtin = secretList[0]
		}
		data["api_key"] = builtin
		data["api_keys"] = secretList
	}
	if s.version.atLeast(4, 18) {
		data["description"] = nullIfEmpty(u.Description)
	}
	return data
}

// permissionsLocked imitates AuthUser.permissions for the fake's data.
func (s *Server) permissionsLocked(u *User) map[string]any {
	global := []string{
		"hg.inherit_default_perms.true", "usergroup.read", "hg.repogroup.create.false",
		"hg.create.none", "hg.password_reset.enabled", "hg.extern_activate.manual",
		"hg.create.write_on_repogroup.false", "hg.usergroup.create.false", "group.none",
		"repository.none", "hg.register.none", "hg.fork.repository",
	}
	if u.Admin {
		global = append([]string{"hg.admin"}, global...)
	}
	repos := map[string]string{}
	for i := range s.repos {
		repos[s.repos[i].Name] = "repository." + s.repoPermLocked(u, &s.repos[i])
	}
	return map[string]any{
		"global":              global,
		"repositories":        repos,
		"repository_branches": map[string]any{},
		"repositories_groups": map[string]any{},
		"user_groups":         map[string]any{},
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ipRange is UserIpMap._get_ip_range: first and last address of the
// network (strict=False), a single address for a plain IP.
func ipRange(entry string) (string, string) {
	_, n, err := net.ParseCIDR(entry)
	if err != nil {
		ip := net.ParseIP(entry)
		if ip == nil {
			return entry, entry
		}
		return ip.String(), ip.String()
	}
	first := n.IP
	last := make(net.IP, len(first))
	for i := range first {
		last[i] = first[i] | ^n.Mask[i]
	}
	return first.String(), last.String()
}

// pyEqualsInt is Python's userid != apiuser.user_id for JSON values: a
// number equal in value (2 == 2.0), a bool as 0/1; a string never equals.
func pyEqualsInt(v any, n int) bool {
	switch x := v.(type) {
	case json.Number:
		f, ok := new(big.Float).SetString(string(x))
		return ok && f.Cmp(new(big.Float).SetInt64(int64(n))) == 0
	case bool:
		return x && n == 1 || !x && n == 0
	}
	return false
}
