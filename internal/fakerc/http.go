package fakerc

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ServeHTTP routes a request: faults first (they sit "in front" of the
// application, like a proxy), then the path prefix, then the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The Date header comes from the server's clock (WithClock), as a real
	// server's comes from its own: clients read clock skew from it.
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	s.mu.Lock()
	fault, delay := s.fault, s.delay
	s.mu.Unlock()

	rel, inPrefix := s.relPath(r.URL.Path)
	switch fault {
	case FaultHTML200:
		writeHTML(w, http.StatusOK, s.page("Welcome", "<h1>Welcome</h1><p>Please sign in to the corporate portal.</p>"))
		return
	case FaultHTTP500:
		s.serverError(w)
		return
	case FaultSlow:
		// Read the body first: only then does net/http watch the
		// connection and cancel r.Context() when the client leaves.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxAPIBody))
		r.Body = io.NopCloser(bytes.NewReader(body))
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return // the client gave up; nobody reads the answer
		}
	case FaultDropConnection:
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler) // HTTP/2: abort the stream instead
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			_ = conn.Close()
		}
		return
	case FaultRedirectLogin:
		if !(inPrefix && rel == "/_admin/login") {
			s.redirectToLogin(w, r, rel)
			return
		}
	}

	if !inPrefix {
		s.notFound(w)
		return
	}
	// Like RhodeCode's VCS middleware, git requests are recognised by
	// their path and svn requests by their headers, path or method
	// before the web application sees them.
	if rel == "/_admin/api" {
		s.serveAPI(w, r)
	} else if isHgRequest(r, rel) { // vcs.backends order: hg, git, svn
		s.serveHg(w, r, rel)
	} else if m := gitProtoPat.FindStringSubmatch(rel); m != nil {
		s.serveGit(w, r, rel, m)
	} else if isSVNRequest(r, rel) {
		s.serveSVN(w, r, rel)
	} else {
		s.serveWeb(w, r, rel)
	}
}

// relPath strips the proxy prefix; ok is false outside of it.
func (s *Server) relPath(p string) (rel string, ok bool) {
	if s.prefix == "" {
		return p, true
	}
	rel, found := strings.CutPrefix(p, s.prefix)
	if !found || rel != "" && rel[0] != '/' {
		return "", false
	}
	if rel == "" {
		rel = "/"
	}
	return rel, true
}

func (s *Server) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + s.prefix
}

// redirectToLogin is what RhodeCode's LoginRequired does for anonymous
// requests: 302 to the login page, remembering where the user wanted to go.
func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request, rel string) {
	// came_from is request.path, which includes the proxy prefix
	// (SCRIPT_NAME), so that the redirect after login lands right.
	loc := s.baseURL(r) + "/_admin/login?came_from=" + url.QueryEscape(s.cameFrom(r, rel))
	w.Header().Set("Location", loc)
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(http.StatusFound)
	fmt.Fprintf(w, "<html><head><title>302 Found</title></head><body><h1>302 Found</h1>"+
		"The resource was found at <a href=\"%s\">%s</a>; you should be redirected automatically.</body></html>\n",
		html.EscapeString(loc), html.EscapeString(loc))
}

// notFound is RhodeCode's 404 error page.
func (s *Server) notFound(w http.ResponseWriter) {
	writeHTML(w, http.StatusNotFound, errorDocument("404", "Not Found", "The resource could not be found."))
}

// serverError is RhodeCode's 500 page from the error_handler middleware,
// with the exception tracker headers.
func (s *Server) serverError(w http.ResponseWriter) {
	id := s.newExceptionID()
	w.Header().Set("RhodeCode-Exception-Id", id)
	w.Header().Set("RhodeCode-Exception-Type", "exceptions.AttributeError")
	writeHTML(w, http.StatusInternalServerError, errorDocument("500", "Internal Server Error",
		"The server encountered an unexpected condition which prevented it from fulfilling the request. Exception ID: "+id))
}

// page wraps body in the skeleton of RhodeCode's base/root.mako, which
// carries the version in every full page (protocol §9).
func (s *Server) page(title, body string) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
    <title>%s - RhodeCode</title>
    <meta http-equiv="Content-Type" content="text/html;charset=utf-8" />
    <script type="text/javascript">
        var APPLICATION_URL = "%s";
        var templateContext = {
            rhodecode_user: {username: "default"},
            rhodecode_version: '%s',
            rhodecode_edition: 'Community Edition'
        };
    </script>
</head>
<body>
%s
</body>
</html>
`, html.EscapeString(title), s.prefix, s.version, body)
}

func errorDocument(code, status, text string) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
    <title>Error - %s</title>
    <meta http-equiv="Content-Type" content="text/html;charset=utf-8" />
</head>
<body>
    <div class="wrapper">
        <div class="error-message"><h1>%s</h1><span>%s</span></div>
        <p>%s</p>
    </div>
</body>
</html>
`, status, code, status, html.EscapeString(text))
}

func writeHTML(w http.ResponseWriter, code int, page string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(page))
}
