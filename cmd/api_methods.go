package cmd

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"
)

// apiMethods are the JSON-RPC methods of RhodeCode CE 4.27
// (rhodecode/api/views/*_api.py, without the test-only testing_api and
// the deprecated aliases), for completion: get_method, which would list
// them, is for super-admins only. Calls are not limited to these; a
// server that lacks one says so, with the names it has that look alike.
var apiMethods = map[string]string{
	// user_api.py
	"get_user":            "a user (default: yourself), with tokens and permissions",
	"get_users":           "all users (super-admin)",
	"create_user":         "create a user (super-admin)",
	"update_user":         "change a user (super-admin)",
	"delete_user":         "delete a user and their tokens (super-admin)",
	"get_user_locks":      "repositories a user has locked",
	"get_user_audit_logs": "a user's audit log",
	// user_group_api.py
	"get_user_group":                               "a user group",
	"get_user_groups":                              "all user groups",
	"create_user_group":                            "create a user group",
	"update_user_group":                            "change a user group",
	"delete_user_group":                            "delete a user group",
	"add_user_to_user_group":                       "add a user to a user group",
	"remove_user_from_user_group":                  "remove a user from a user group",
	"grant_user_permission_to_user_group":          "give a user a permission on a user group",
	"revoke_user_permission_from_user_group":       "take a user's permission on a user group",
	"grant_user_group_permission_to_user_group":    "give a user group a permission on a user group",
	"revoke_user_group_permission_from_user_group": "take a user group's permission on a user group",
	// repo_group_api.py
	"grant_user_group_permission_to_repo_group":    "give a user group a permission on a repository group",
	"revoke_user_group_permission_from_repo_group": "take a user group's permission on a repository group",
	"grant_user_permission_to_repo_group":          "give a user a permission on a repository group",
	"revoke_user_permission_from_repo_group":       "take a user's permission on a repository group",
	"get_repo_group":                               "a repository group",
	"get_repo_groups":                              "all repository groups",
	"create_repo_group":                            "create a repository group",
	"update_repo_group":                            "change a repository group",
	"delete_repo_group":                            "delete a repository group",
	// repo_api.py
	"get_repo":                     "a repository",
	"get_repos":                    "the repositories you can see",
	"get_repo_changeset":           "one commit of a repository",
	"get_repo_changesets":          "commits of a repository",
	"get_repo_nodes":               "files and directories at a commit",
	"get_repo_file":                "one file at a commit",
	"get_repo_fts_tree":            "the file tree for full-text search",
	"get_repo_refs":                "branches, tags and bookmarks",
	"get_repo_settings":            "a repository's settings",
	"set_repo_settings":            "change a repository's settings",
	"get_repo_comments":            "comments on a repository's commits",
	"create_repo":                  "create a repository",
	"update_repo":                  "change a repository",
	"fork_repo":                    "fork a repository",
	"delete_repo":                  "delete a repository",
	"add_field_to_repo":            "add an extra field to a repository",
	"remove_field_from_repo":       "remove an extra field from a repository",
	"invalidate_cache":             "invalidate a repository's caches",
	"lock":                         "lock or unlock a repository",
	"pull":                         "pull a repository from its remote",
	"strip":                        "strip a commit from a repository",
	"maintenance":                  "run maintenance on a repository",
	"grant_user_permission":        "give a user a permission on a repository",
	"revoke_user_permission":       "take a user's permission on a repository",
	"grant_user_group_permission":  "give a user group a permission on a repository",
	"revoke_user_group_permission": "take a user group's permission on a repository",
	"comment_commit":               "comment on a commit",
	"get_comment":                  "one comment",
	"edit_comment":                 "edit a comment",
	"delete_comment":               "delete a comment",
	// pull_request_api.py
	"get_pull_request":          "a pull request",
	"get_pull_requests":         "a repository's pull requests",
	"get_pull_request_comments": "the comments of a pull request",
	"create_pull_request":       "open a pull request",
	"update_pull_request":       "change a pull request",
	"comment_pull_request":      "comment on a pull request",
	"merge_pull_request":        "merge a pull request",
	"close_pull_request":        "close a pull request",
	// gist_api.py
	"get_gist":    "a gist",
	"get_gists":   "your gists",
	"create_gist": "create a gist",
	"delete_gist": "delete a gist",
	// search_api.py
	"search":         "full-text search",
	"get_audit_logs": "the audit log",
	// server_api.py
	"get_server_info":  "server and version information (super-admin)",
	"get_repo_store":   "the repository storage path",
	"get_ip":           "your address as the server sees it, and IP whitelists (super-admin)",
	"rescan_repos":     "rescan the repository storage",
	"cleanup_sessions": "delete old web sessions",
	"get_method":       "the server's method names (super-admin)",
	"store_exception":  "store an exception report",
}

// apiMethodCompletion completes the METHOD argument of api, with each
// method's description for shells that show them.
func apiMethodCompletion(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for name, desc := range apiMethods {
		if strings.HasPrefix(name, toComplete) {
			out = append(out, name+"\t"+desc)
		}
	}
	sort.Strings(out)
	return out, cobra.ShellCompDirectiveNoFileComp
}
