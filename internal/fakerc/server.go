// Package fakerc is an in-process fake RhodeCode server for tests.
//
// It follows docs/rhodecode-protocol.md (section 10 is the checklist): the
// JSON-RPC endpoint with the exact error strings and checking order of a real
// CE 4.27 server, the token model (roles, expiry, repository scope) and
// switchable faults that imitate broken proxies and networks. The state is
// kept the way a real server keeps it (users, tokens with ids, repositories)
// so that the web login, the token pages and git http-backend can be added
// on top of the same data.
//
// Everything is safe for concurrent use; state can be changed while requests
// are in flight.
package fakerc

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token roles, as stored in the role column of user_api_keys (protocol §4.1).
const (
	RoleAll              = "token_role_all"
	RoleVCS              = "token_role_vcs"
	RoleAPI              = "token_role_api"
	RoleHTTP             = "token_role_http"
	RoleFeed             = "token_role_feed"
	RoleArtifactDownload = "role_artifact_download"
	RolePasswordReset    = "token_password_reset"
)

// DefaultVersion is the RhodeCode version the fake imitates unless
// WithVersion says otherwise.
const DefaultVersion = "4.27.0"

// User is a RhodeCode account.
//
// Active is false in the zero value, as in the users table: set it to true
// for an account that may log in and call the API.
type User struct {
	ID          int // assigned by AddUser; ids start at 2 because 1 is RhodeCode's built-in "default" user
	Username    string
	Password    string // web login password (plain text; the fake does not hash)
	Email       string
	FirstName   string
	LastName    string
	Description string
	Active      bool
	Admin       bool // super-admin (hg.admin)
	// IPWhitelist holds addresses or CIDR ranges the user may connect
	// from; empty allows every address (protocol §9).
	IPWhitelist []string
	// LastLogin is reported by get_user; the zero time is reported as null.
	LastLogin time.Time
	// ForcePasswordChange is the force_password_change user flag: every
	// web view redirects to the password page and git answers 406.
	ForcePasswordChange bool
}

// Token is a row of user_api_keys (protocol §3.2).
type Token struct {
	ID          int // user_api_key_id, assigned by AddToken/InsertToken
	UserID      int
	Secret      string // 40 lowercase hex characters
	Description string
	Role        string
	Expires     float64 // -1 = never, else unix seconds
	RepoID      int     // repository scope; 0 = global
	CreatedOn   time.Time
}

// Expired reports whether the token is expired at now (protocol §4.3).
func (t Token) Expired(now time.Time) bool {
	return t.Expires != -1 && t.Expires < unixSeconds(now)
}

// Repo is a repository: token scopes, permissions (GrantRepo) and, for
// git, a bare repository served over smart HTTP (git.go).
type Repo struct {
	ID      int // assigned by AddRepo
	Name    string
	Type    string // "git", "hg" or "svn"; AddRepo defaults to "git"
	OwnerID int
	Private bool
}

// Call is one JSON-RPC request as the fake understood it, recorded for
// assertions. Requests that are not a JSON object are not recorded.
type Call struct {
	Method    string          // "" when absent or not a string
	Token     string          // the api_key/auth_token presented, verbatim
	ID        json.RawMessage // the request id as sent; nil when absent
	Args      json.RawMessage // the args value as sent; nil when absent
	UserAgent string
	RemoteIP  string // the client address as RhodeCode sees it
	// Error is the error the fake answered with: the message for string
	// errors, compact JSON for schema errors, "" on success.
	Error string
}

// Fault makes the whole server misbehave, the way proxies, captive portals
// and networks do. Set it with SetFault.
type Fault int

// The faults. Each one applies to every request until it is switched off.
const (
	// FaultNone serves requests normally.
	FaultNone Fault = iota
	// FaultHTML200 answers every request with an HTML page and HTTP 200,
	// like a captive portal or a URL that points at some other web site.
	FaultHTML200
	// FaultHTTP500 answers with RhodeCode's HTML error page, HTTP 500 and
	// the RhodeCode-Exception-Id/-Type headers.
	FaultHTTP500
	// FaultSlow waits for the delay set with SetDelay (default one
	// minute) before serving the request normally; it gives up early when
	// the client goes away.
	FaultSlow
	// FaultDropConnection closes the connection without answering.
	FaultDropConnection
	// FaultRedirectLogin answers 302 to <prefix>/_admin/login?came_from=…,
	// as RhodeCode does for unauthenticated web views; the login page
	// itself is still served.
	FaultRedirectLogin
	// FaultCSRFReject makes every CSRF check fail (403), as when a proxy
	// strips the form field and header or the session store loses data.
	FaultCSRFReject
)

// Option configures New.
type Option func(*config)

type config struct {
	prefix  string
	version string
	tls     bool
	now     func() time.Time
	addr    string
}

// WithPathPrefix serves everything under a proxy prefix such as "/code":
// the API is then at <URL>/_admin/api with URL ending in "/code", and
// requests outside the prefix get a 404 page, as from the proxy.
func WithPathPrefix(prefix string) Option {
	return func(c *config) {
		c.prefix = "/" + strings.Trim(prefix, "/")
		if c.prefix == "/" {
			c.prefix = ""
		}
	}
}

// WithVersion sets the RhodeCode version to imitate, e.g. "4.27.0". It
// selects the shape of get_user (protocol §3.1 history) and the wording
// of the bad-role error.
func WithVersion(v string) Option {
	return func(c *config) { c.version = v }
}

// WithTLS serves HTTPS with httptest's self-signed certificate; use
// Server.Client or Server.Certificate to trust it.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithAddr listens on addr (host:port, as net.Listen takes it) instead of
// a free port on 127.0.0.1; the playground's -addr flag.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithClock replaces time.Now, for tests of token expiry.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Server is a running fake RhodeCode instance.
type Server struct {
	// URL is the instance base URL (scheme, host and any path prefix, no
	// trailing slash), the value a user would configure as api_host.
	URL string

	ts      *httptest.Server
	tb      tbLike // a testing.TB, or the standalone adapter of Start
	prefix  string
	version version
	now     func() time.Time
	methods map[string]rpcMethod

	mu          sync.Mutex
	users       []*User // in id order
	tokens      []Token // in id order
	repos       []Repo
	nextUserID  int
	nextTokenID int
	nextRepoID  int
	calls       []Call
	fault       Fault
	delay       time.Duration
	lastExcID   string
	excCounter  int
	web         webState            // sessions, web and git state (web.go, git.go)
	vcsRealm    string              // rhodecode_realm; "" means DefaultVCSRealm (vcsgate.go)
	svn         map[int]*svnBackend // repository id → its Apache (svn.go)
	hg          hgState             // Mercurial repositories and their hg serve (hg.go)
	// apiLagAbove > 0 hides tokens with a higher id from the API; see
	// SetAPIReplicaLag.
	apiLagAbove int
}

// SetAPIReplicaLag makes the JSON-RPC API answer "Invalid API KEY" for
// every token with an id above id, as a load-balanced setup does when the
// API node reads a database replica that has not yet seen new tokens.
// Tests use it to make a freshly created token fail verification while
// older ones keep working. 0 switches it off.
func (s *Server) SetAPIReplicaLag(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiLagAbove = id
}

// New starts a fake server on 127.0.0.1 and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return newServer(tb, opts...)
}

// newServer is New for a testing.TB and Start for the standalone adapter.
func newServer(tb tbLike, opts ...Option) *Server {
	tb.Helper()
	cfg := config{version: DefaultVersion, now: time.Now}
	for _, o := range opts {
		o(&cfg)
	}
	v, err := parseVersion(cfg.version)
	if err != nil {
		tb.Fatalf("fakerc: %v", err)
	}
	s := &Server{
		tb:          tb,
		prefix:      cfg.prefix,
		version:     v,
		now:         cfg.now,
		methods:     registry(),
		nextUserID:  2,
		nextTokenID: 1,
		nextRepoID:  1,
		delay:       time.Minute,
	}
	s.ts = httptest.NewUnstartedServer(s)
	if cfg.addr != "" {
		_ = s.ts.Listener.Close() // httptest's own, on a free port
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			tb.Fatalf("fakerc: %v", err)
		}
		s.ts.Listener = l
	}
	if cfg.tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL + s.prefix
	tb.Cleanup(s.Close)
	return s
}

// Close shuts the server down; later requests get "connection refused".
// It is safe to call more than once.
func (s *Server) Close() {
	// Wake up FaultSlow handlers first: httptest.Server.Close waits for
	// handlers and would otherwise sit out the whole delay.
	s.ts.CloseClientConnections()
	s.ts.Close()
	// A server from Start has no test to run its cleanups (temporary git
	// repositories): run them now that no handler is left.
	if st, ok := s.tb.(*standaloneTB); ok {
		st.runCleanups()
	}
}

// Host returns host:port of the server.
func (s *Server) Host() string { return s.ts.Listener.Addr().String() }

// Client returns an *http.Client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate returns the TLS certificate (nil without WithTLS).
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// Version returns the imitated RhodeCode version.
func (s *Server) Version() string { return s.version.String() }

// AddUser creates a user and returns it with its id. Like RhodeCode's
// UserModel.create_or_update it also gives the user a token_role_feed
// token "Generated feed token" (protocol §4.5). A duplicate username
// fails the test.
func (s *Server) AddUser(u User) User {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.Username == "" {
		s.tb.Fatalf("fakerc: AddUser: empty username")
	}
	if s.userByNameLocked(u.Username) != nil {
		s.tb.Fatalf("fakerc: AddUser: user %q already exists", u.Username)
	}
	u.ID = s.nextUserID
	s.nextUserID++
	u.Email = strings.ToLower(u.Email)
	u.IPWhitelist = append([]string(nil), u.IPWhitelist...)
	rec := u
	s.users = append(s.users, &rec)
	s.addTokenLocked(u.ID, u.Username, RoleFeed, "Generated feed token", -1)
	return u
}

// User returns the user with that username.
func (s *Server) User(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	if u == nil {
		return User{}, false
	}
	return copyUser(u), true
}

// UpdateUser changes a user in place, e.g. to deactivate it or set an IP
// whitelist while a test runs. The id cannot be changed. An unknown
// username fails the test.
func (s *Server) UpdateUser(username string, change func(*User)) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	if u == nil {
		s.tb.Fatalf("fakerc: UpdateUser: no user %q", username)
		return
	}
	c := copyUser(u)
	change(&c)
	c.ID = u.ID
	*u = c
}

// AddToken creates a token the way the web UI does: a fresh 40-hex secret,
// expiring lifetimeMinutes from now, or never when lifetimeMinutes is -1
// (0 and other negative values give an already expired token, as in
// RhodeCode). An unknown username fails the test.
func (s *Server) AddToken(username, role, description string, lifetimeMinutes int) Token {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	if u == nil {
		s.tb.Fatalf("fakerc: AddToken: no user %q", username)
		return Token{}
	}
	return s.addTokenLocked(u.ID, u.Username, role, description, lifetimeMinutes)
}

// InsertToken stores a token as given, for cases AddToken cannot express:
// a chosen secret, an expiry in the past, a repository scope. ID and
// CreatedOn are assigned; an empty Secret gets a fresh one. An unknown
// UserID fails the test.
func (s *Server) InsertToken(t Token) Token {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByIDLocked(t.UserID)
	if u == nil {
		s.tb.Fatalf("fakerc: InsertToken: no user with id %d", t.UserID)
		return Token{}
	}
	if t.Secret == "" {
		t.Secret = generateSecret(u.Username)
	}
	t.ID = s.nextTokenID
	s.nextTokenID++
	t.CreatedOn = s.now()
	s.tokens = append(s.tokens, t)
	return t
}

func (s *Server) addTokenLocked(userID int, username, role, description string, lifetimeMinutes int) Token {
	now := s.now()
	expires := float64(-1)
	if lifetimeMinutes != -1 {
		expires = unixSeconds(now) + float64(lifetimeMinutes)*60
	}
	t := Token{
		ID:          s.nextTokenID,
		UserID:      userID,
		Secret:      generateSecret(username),
		Description: description,
		Role:        role,
		Expires:     expires,
		CreatedOn:   now,
	}
	s.nextTokenID++
	s.tokens = append(s.tokens, t)
	return t
}

// Tokens returns the user's tokens in id order, expired ones included.
func (s *Server) Tokens(username string) []Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.userByNameLocked(username)
	if u == nil {
		return nil
	}
	return s.tokensOfLocked(u.ID)
}

// RevokeToken deletes a token; an unknown id is ignored.
func (s *Server) RevokeToken(id int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.tokens {
		if t.ID == id {
			s.tokens = append(s.tokens[:i:i], s.tokens[i+1:]...)
			return
		}
	}
}

// AddRepo creates a repository and returns it with its id.
func (s *Server) AddRepo(r Repo) Repo {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ID = s.nextRepoID
	s.nextRepoID++
	if r.Type == "" {
		r.Type = "git"
	}
	s.repos = append(s.repos, r)
	return r
}

// Calls returns the JSON-RPC calls received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// ResetCalls forgets the recorded calls.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// SetFault switches a fault on (or off with FaultNone) for all following
// requests.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetDelay sets how long FaultSlow waits before answering.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// LastExceptionID returns the RhodeCode-Exception-Id of the latest error
// the fake reported ("" if none).
func (s *Server) LastExceptionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastExcID
}

// newExceptionID imitates the ids of RhodeCode's exception tracker
// (Python id() values).
func (s *Server) newExceptionID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.excCounter++
	s.lastExcID = strconv.Itoa(140213375000000 + 4096*s.excCounter)
	return s.lastExcID
}

func (s *Server) userByNameLocked(name string) *User {
	for _, u := range s.users {
		if u.Username == name {
			return u
		}
	}
	return nil
}

func (s *Server) userByIDLocked(id int) *User {
	for _, u := range s.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (s *Server) repoByIDLocked(id int) *Repo {
	for i := range s.repos {
		if s.repos[i].ID == id {
			return &s.repos[i]
		}
	}
	return nil
}

func (s *Server) tokensOfLocked(userID int) []Token {
	var out []Token
	for _, t := range s.tokens {
		if t.UserID == userID {
			out = append(out, t)
		}
	}
	return out
}

// tokenBySecretLocked is User.get_by_auth_token: exact secret among the
// tokens that have not expired.
func (s *Server) tokenBySecretLocked(secret string) *Token {
	now := s.now()
	for i := range s.tokens {
		if s.tokens[i].Secret == secret && !s.tokens[i].Expired(now) {
			return &s.tokens[i]
		}
	}
	return nil
}

func copyUser(u *User) User {
	c := *u
	c.IPWhitelist = append([]string(nil), u.IPWhitelist...)
	return c
}

// generateSecret is RhodeCode's generate_auth_token: SHA-1 of the username
// and 16 random bytes, 40 lowercase hex characters.
func generateSecret(username string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // never fails (crypto/rand panics instead)
	sum := sha1.Sum(append([]byte(username), salt...))
	return hex.EncodeToString(sum[:])
}

func unixSeconds(t time.Time) float64 {
	return float64(t.UnixNano()) / 1e9
}

// ipAllowed is AuthUser.ip_allowed for a user-level whitelist.
func ipAllowed(whitelist []string, ip string) bool {
	if len(whitelist) == 0 {
		return true
	}
	addr := net.ParseIP(ip)
	if addr == nil {
		return false
	}
	for _, entry := range whitelist {
		if _, n, err := net.ParseCIDR(entry); err == nil {
			if n.Contains(addr) {
				return true
			}
		} else if e := net.ParseIP(entry); e != nil && e.Equal(addr) {
			return true
		}
	}
	return false
}

// clientIP is RhodeCode's get_ip_addr: X-Real-IP, then the first
// X-Forwarded-For entry, then the socket address.
func clientIP(r *http.Request) string {
	if ip := strings.TrimSpace(r.Header.Get("X-Real-IP")); ip != "" {
		return ip
	}
	if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
		if ip := strings.TrimSpace(strings.Split(fwd, ",")[0]); ip != "" {
			return ip
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// version is a parsed major.minor.patch.
type version struct{ major, minor, patch int }

func parseVersion(v string) (version, error) {
	parts := strings.SplitN(v, ".", 3)
	var nums [3]int
	for i := range nums {
		if i >= len(parts) {
			break
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return version{}, &versionError{v}
		}
		nums[i] = n
	}
	if len(parts) < 2 {
		return version{}, &versionError{v}
	}
	return version{nums[0], nums[1], nums[2]}, nil
}

// atLeast reports whether v >= major.minor.
func (v version) atLeast(major, minor int) bool {
	return v.major > major || v.major == major && v.minor >= minor
}

func (v version) String() string {
	return strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor) + "." + strconv.Itoa(v.patch)
}

type versionError struct{ v string }

func (e *versionError) Error() string {
	return "bad version " + strconv.Quote(e.v) + ", want like 4.27.0"
}
