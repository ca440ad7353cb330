package cmd

import "strings"

// readToken takes the API token from stdin (--with-token) or a masked prompt.
func readToken(opts *authLoginOptions) (string, error) {
	io := opts.io
	var tok string
	switch {
	case opts.WithToken && !io.IsStdinTTY():
		b, err := io.ReadAllIn(maxTokenInput)
		if err != nil {
			return "", err
		}
		tok = strings.TrimSpace(string(b))
	case io.CanPrompt() || (opts.WithToken && io.IsStdinTTY()):
		var err error
		tok, err = io.PromptSecret("Paste an API token (role \"api calls\" or \"all\"): ")
		if err != nil {
			return "", err
		}
	default:
		return "", usageErrorf("--with-token is required when not running in a terminal: rhodecode auth login --url URL --with-token < token.txt")
	}
	if tok == "" {
		return "", usageErrorf("no token given on standard input")
	}
	if strings.ContainsAny(tok, " \t\r\n") {
		return "", usageErrorf("the token must be a single word; got several words or lines on standard input")
	}
	return tok, nil
}
