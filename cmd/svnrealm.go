package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/rhodecode-cli/rhodecode/internal/baseurl"
	"github.com/rhodecode-cli/rhodecode/internal/svnauth"
	"github.com/rhodecode-cli/rhodecode/rhoderc"
)

// maxSVNProbes bounds how many repositories are asked for the realm when
// the first ones let anyone read them (no challenge).
const maxSVNProbes = 5

// svnRealm asks the instance's server for the realm string svn will file
// credentials under. It needs a Subversion repository (RhodeCode answers
// 404 for anything else): repo, or the first ones get_repos lists as svn
// for the user, which takes the API token api.
func (d *deps) svnRealm(ctx context.Context, in rhoderc.Instance, api, repo string) (string, error) {
	if repo == "" && api == "" {
		return "", usageErrorf("setup-svn asks an svn repository for the server's realm, and without an API token for %q it cannot list them: pass --repo NAME (an svn repository you can read)", in.Name)
	}
	c, err := d.newClient(in, api)
	if err != nil {
		return "", err
	}
	repos := []string{repo}
	if repo == "" {
		all, err := c.GetRepos(ctx)
		if err != nil {
			return "", fmt.Errorf("listing repositories to find an svn one: %w", err)
		}
		repos = repos[:0]
		for _, r := range all {
			if r.RepoType == "svn" && len(repos) < maxSVNProbes {
				repos = append(repos, r.RepoName)
			}
		}
		if len(repos) == 0 {
			return "", fmt.Errorf("you can read no Subversion repository on %s; setup-svn asks one for the server's realm (svn keeps credentials per realm): pass --repo NAME if you know one", in.URL)
		}
	}
	var last error
	for _, r := range repos {
		realm, err := c.SVNRealm(ctx, r)
		switch {
		case err == nil:
			return realm, nil
		case errors.Is(err, svnauth.ErrNotFound):
			last = fmt.Errorf("%s: no Subversion repository %q there (or you cannot read it)", in.URL, r)
		case errors.Is(err, svnauth.ErrNoChallenge):
			last = fmt.Errorf("%s lets anyone read %s, so svn asks for credentials only when you commit there: pass --repo NAME with a repository that needs them", in.URL, r)
		default:
			last = fmt.Errorf("asking %s for its Subversion realm: %w", c.RepoURL(r), err)
		}
	}
	return "", last
}

// svnConfigDirFlag is --config-dir as recorded: absolute, "" for svn's
// default.
func (d *deps) svnConfigDirFlag(flag string) (string, error) {
	if flag == "" {
		return "", nil
	}
	abs, err := filepath.Abs(flag)
	if err != nil {
		return "", usageErrorf("--config-dir: %v", err)
	}
	if def, err := d.svnDefaultConfigDir(); err == nil && filepath.Clean(def) == abs {
		return "", nil
	}
	return abs, nil
}

// recordSVN remembers (or, with realm "", forgets) where the instance's
// svn entry is.
func (d *deps) recordSVN(ctx context.Context, in rhoderc.Instance, realm, dir string) error {
	return d.cfg.Update(ctx, func(f *rhoderc.File) error {
		e, ok := f.Instance(in.Name)
		if !ok || !baseurl.Same(e.URL, in.URL) {
			return nil
		}
		e.SVNRealm, e.SVNConfigDir = realm, dir
		if realm == "" {
			e.SVNConfigDir = ""
		}
		f.SetInstance(e)
		return nil
	})
}
