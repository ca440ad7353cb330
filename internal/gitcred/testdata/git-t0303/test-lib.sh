# test-lib.sh: a small stand-in for git's t/test-lib.sh, written for the
# rhodecode project (this file is ours, not git's). It provides just what the
# vendored t0303-credential-external.sh and lib-credential.sh use, so git's
# much larger harness need not be vendored.
#
# Sourced by t0303 as ". ./test-lib.sh" from this directory (run.sh cds
# here). Afterwards the shell is inside a scratch git repository that is also
# $HOME, with system/global config, terminal prompts and the caller's GIT_*
# environment out of the way, so only the helper under test can answer.
#
# Output is TAP: "ok N - title" / "not ok N - title" followed by the test's
# body and output as "#" lines, then the plan "1..N". The script exits
# non-zero if any test failed.

TEST_DIRECTORY=$(pwd)
SHELL_PATH=${SHELL_PATH:-/bin/sh}
export TEST_DIRECTORY SHELL_PATH

# A stray GIT_DIR, GIT_CONFIG_PARAMETERS, GIT_ASKPASS... from the caller (say,
# a test run from a git hook) would change what git does, so drop every GIT_*
# variable except the ones that configure this run.
for _tl_var in $(env | sed -n 's/^\(GIT_[A-Za-z0-9_]*\)=.*/\1/p'); do
	case $_tl_var in
	GIT_TEST_CREDENTIAL_HELPER | GIT_TEST_CREDENTIAL_HELPER_TIMEOUT | \
	GIT_TEST_CREDENTIAL_HELPER_SETUP | GIT_EXEC_PATH | GIT_TRACE*) ;;
	*) unset "$_tl_var" ;;
	esac
done
unset XDG_CONFIG_HOME SSH_ASKPASS
GIT_CONFIG_NOSYSTEM=1
GIT_TERMINAL_PROMPT=0
LC_ALL=C
LANG=C
export GIT_CONFIG_NOSYSTEM GIT_TERMINAL_PROMPT LC_ALL LANG

_tl_bail () {
	echo "Bail out! test-lib.sh: $*"
	exit 2
}

# The trash directory: given by the caller (must be empty) or made here and
# removed again when every test passed.
_tl_own_trash=
if test -z "${TRASH_DIRECTORY:-}"; then
	TRASH_DIRECTORY=$(mktemp -d "${TMPDIR:-/tmp}/t0303-trash.XXXXXX") ||
		_tl_bail "cannot create a trash directory"
	_tl_own_trash=yes
else
	mkdir -p "$TRASH_DIRECTORY" || _tl_bail "cannot create $TRASH_DIRECTORY"
	test -z "$(ls -A "$TRASH_DIRECTORY")" ||
		_tl_bail "trash directory $TRASH_DIRECTORY is not empty"
fi
TRASH_DIRECTORY=$(cd "$TRASH_DIRECTORY" && pwd) || _tl_bail "bad trash directory"
HOME=$TRASH_DIRECTORY
GIT_CEILING_DIRECTORIES=$(dirname "$TRASH_DIRECTORY")
export TRASH_DIRECTORY HOME GIT_CEILING_DIRECTORIES
cd "$TRASH_DIRECTORY" || _tl_bail "cannot enter $TRASH_DIRECTORY"
git -c init.defaultBranch=main init -q . || _tl_bail "git init failed"
_tl_logs=$TRASH_DIRECTORY/.test-lib-logs
mkdir "$_tl_logs" || _tl_bail "cannot create $_tl_logs"

_tl_count=0
_tl_failed=0
_tl_in_test=
_tl_cleanup=
_tl_cleanup_failed=

# A body that calls "exit" would end the script silently; say so instead.
trap 'echo "Bail out! the script exited inside or between tests (test $_tl_count)"' EXIT

_tl_indent () {
	sed 's/^/#	/'
}

# test_expect_success [prereq] title body
test_expect_success () {
	_tl_prereq=
	test $# = 3 && { _tl_prereq=$1; shift; }
	test $# = 2 || _tl_bail "test_expect_success wants a title and a body"
	_tl_count=$((_tl_count + 1))
	if test -n "$_tl_prereq"; then
		echo "ok $_tl_count # skip $1 (prerequisite $_tl_prereq is not supported here)"
		return 0
	fi
	_tl_log=$_tl_logs/$_tl_count.log
	_tl_cleanup=
	_tl_cleanup_failed=
	_tl_in_test=yes
	eval "$2" >"$_tl_log" 2>&1 </dev/null
	_tl_rc=$?
	_tl_in_test=
	if test -n "$_tl_cleanup"; then
		eval "$_tl_cleanup" >>"$_tl_log" 2>&1 </dev/null
		if test -n "$_tl_cleanup_failed"; then
			echo "test-lib.sh: a test_when_finished command failed" >>"$_tl_log"
			test $_tl_rc = 0 && _tl_rc=1
		fi
	fi
	if test $_tl_rc = 0; then
		echo "ok $_tl_count - $1"
		if test -n "${T0303_VERBOSE:-}"; then
			_tl_indent <"$_tl_log"
		fi
	else
		_tl_failed=$((_tl_failed + 1))
		echo "not ok $_tl_count - $1"
		echo "#	--- body (exit status $_tl_rc)"
		printf '%s\n' "$2" | _tl_indent
		echo "#	--- output"
		_tl_indent <"$_tl_log"
	fi
	return 0
}

# test_when_finished cmd...: run cmd after the current test, last registered
# first; a failing cleanup fails the test.
test_when_finished () {
	test -n "$_tl_in_test" || _tl_bail "test_when_finished used outside a test"
	_tl_cleanup="{ $*
} || _tl_cleanup_failed=yes
$_tl_cleanup"
}

# test_config [-C dir] key value: set config for the current test only.
test_config () {
	_tl_cfgdir=
	if test "$1" = -C; then
		_tl_cfgdir=$2
		shift 2
	fi
	test_when_finished "_tl_unconfig '$_tl_cfgdir' '$1'" &&
		git ${_tl_cfgdir:+-C "$_tl_cfgdir"} config "$@"
}

_tl_unconfig () {
	git ${1:+-C "$1"} config --unset-all "$2"
	_tl_unconfig_rc=$?
	# 5: the key was not set; nothing to undo.
	case $_tl_unconfig_rc in
	0 | 5) return 0 ;;
	esac
	return $_tl_unconfig_rc
}

test_cmp () {
	diff -u "$@"
}

test_cmp_text () {
	diff -u "$@"
}

say () {
	echo "$*"
}

# write_script file [interpreter] <content: an executable script.
write_script () {
	{
		echo "#!${2-"$SHELL_PATH"}" &&
			cat
	} >"$1" &&
		chmod +x "$1"
}

test_done () {
	trap - EXIT
	if test -n "${skip_all:-}" && test $_tl_count = 0; then
		echo "1..0 # SKIP $skip_all"
		exit 0
	fi
	echo "1..$_tl_count"
	if test $_tl_failed = 0; then
		echo "# passed all $_tl_count test(s)"
		cd / && test -n "$_tl_own_trash" && rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	echo "# failed $_tl_failed among $_tl_count test(s); trash kept in $TRASH_DIRECTORY"
	exit 1
}
