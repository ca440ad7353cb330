#!/bin/sh
# run.sh [helper]: run git's t0303 credential-helper conformance test against
# a helper, given as the argument or as $GIT_TEST_CREDENTIAL_HELPER (the value
# of a credential.helper config entry, e.g. "store --file=/tmp/creds" or an
# absolute path). Exit status: 0 all passed, 1 a test failed, 2 setup error.
# See README.md in this directory.

if test $# -gt 0; then
	GIT_TEST_CREDENTIAL_HELPER=$1
fi
if test -z "${GIT_TEST_CREDENTIAL_HELPER:-}"; then
	# t0303 itself would report "skip" and succeed; that proves nothing.
	echo "run.sh: no helper: pass it as an argument or set GIT_TEST_CREDENTIAL_HELPER" >&2
	exit 2
fi
case $GIT_TEST_CREDENTIAL_HELPER in
*" "* | *"	"* | *"'"*)
	# lib-credential.sh expands $HELPER unquoted and wraps it in '...', so a
	# value with blanks (say "store --file=x") is split into several helpers.
	# Wrap such a command in a script and pass the script's path.
	echo "run.sh: the helper may not contain blanks or quotes: $GIT_TEST_CREDENTIAL_HELPER" >&2
	exit 2
	;;
esac
export GIT_TEST_CREDENTIAL_HELPER

# t0303 sources ./test-lib.sh, so it has to start in this directory.
cd "$(dirname "$0")" || exit 2
exec "${SHELL_PATH:-/bin/sh}" ./t0303-credential-external.sh
