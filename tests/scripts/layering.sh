#!/bin/sh
# layering.sh [ROOT] -- the grader's includes run one way (issue 14).
#
# Reads every #include "..." in ROOT/grader/src/*/*, ROOT/grader/*.c and
# ROOT/grader/cli/* (ROOT defaults to .) and fails, naming FILE:LINE and
# the rule, when a folder of grader/src includes a folder it may not (the
# table below), an include does not name its folder ("config/cfg.h", not
# "cfg.h"), or a folder has no rule.  The command line -- grader/main.c
# and grader/cli/ (one file per command) -- and grader/mkstub.c may include
# anything.  Without ROOT it first proves itself: on a private copy of the
# tree, the check passes, and fails on each of a few planted bad includes.
set -u

# FOLDER: the folders it may include besides itself.  Downward only: from
# the pipelines (scale, grade, ship) through the stages (run, compile) and
# the sandbox to score, config and util.  report/ reads result data only:
# never a stage (run, compile, sandbox) or a pipeline (grade).
RULES='
util:
config: util
score: config util
sandbox: config util
compile: sandbox score config util
run: compile sandbox score config util
report: score config util
grade: run compile sandbox report score config util
ship: report compile score config util
scale: grade report sandbox score config util
'

allowed() {   # allowed FROM TO: 0 when folder FROM may include folder TO
    [ "$1" = "$2" ] && return 0
    rule=$(printf '%s\n' "$RULES" | sed -n "s/^$1:\(.*\)\$/\1 /p")
    case " $rule" in *" $2 "*) return 0 ;; esac
    return 1
}

has_rule() {
    printf '%s\n' "$RULES" | grep -q "^$1:"
}

# The table has no cycle: each folder names only folders listed above it.
table_ok() {
    printf '%s\n' "$RULES" | awk -F: 'NF { n = split($2, to, " ")
        for (i = 1; i <= n; i++) if (!(to[i] in seen)) {
            print "layering.sh: " $1 "/ may include " to[i] "/, which is not listed above it"
            bad = 1 }
        seen[$1] = 1 } END { exit bad }'
}

# check ROOT: prints one line per bad include; 0 when there is none.
check() {
    bad=0
    table_ok || bad=1
    out=$(cd "$1" && grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' \
              grader/src/*/*.c grader/src/*/*.h grader/*.c grader/cli/*.c grader/cli/*.h \
              2>/dev/null)
    nl='
'
    oldifs=$IFS
    IFS=$nl
    for hit in $out; do
        IFS=$oldifs
        file=${hit%%:*}
        rest=${hit#*:}
        line=${rest%%:*}
        target=$(printf '%s\n' "$rest" | sed 's/^[^"]*"\([^"]*\)".*/\1/')
        case $file in
        grader/src/*/*) from=${file#grader/src/}; from=${from%%/*} ;;
        *) continue ;;                      # main.c, cli/, mkstub.c: anything
        esac
        case $target in
        */*) to=${target%%/*} ;;
        *) echo "$file:$line: includes \"$target\": name its folder (\"FOLDER/$target\")"
           bad=1; continue ;;
        esac
        if ! has_rule "$from"; then
            echo "$file:$line: folder $from/ has no rule in tests/scripts/layering.sh"
            bad=1
        elif ! has_rule "$to"; then
            echo "$file:$line: includes \"$target\": $to/ is not a folder of grader/src"
            bad=1
        elif ! allowed "$from" "$to"; then
            rule=$(printf '%s\n' "$RULES" | sed -n "s/^$from:[[:space:]]*//p")
            echo "$file:$line: includes \"$target\": $from/ may include only ${rule:-nothing} (not $to/)"
            bad=1
        fi
    done
    IFS=$oldifs
    return $bad
}

# self_test: the check passes on a copy of the tree and fails, naming the
# file, line and rule, on each planted bad include.
self_test() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/layering.XXXXXX") || exit 1
    trap 'rm -rf "$tmp"' EXIT
    fails=0
    # plant FILE TEXT WANTED: TEXT appended to FILE makes the check fail with WANTED
    plant() {
        rm -rf "$tmp/t"
        mkdir -p "$tmp/t/grader" && cp -R grader/src "$tmp/t/grader/src" &&
            cp grader/*.c "$tmp/t/grader/" || exit 1
        mkdir -p "$(dirname "$tmp/t/$1")" && printf '%s\n' "$2" >> "$tmp/t/$1"
        n=$(wc -l < "$tmp/t/$1")
        got=$(check "$tmp/t")
        rc=$?
        case $got in
        *"$1:$n: $3"*) [ "$rc" != 0 ] && return 0 ;;
        esac
        echo "FAIL self-test: '$2' in $1: exit $rc, got '$got', want '$1:$n: $3'"
        fails=$((fails + 1))
    }
    mkdir -p "$tmp/t/grader" && cp -R grader/src "$tmp/t/grader/src" && cp grader/*.c "$tmp/t/grader/"
    if ! got=$(check "$tmp/t"); then
        echo "FAIL self-test: the unchanged copy fails: $got"
        fails=$((fails + 1))
    fi
    plant grader/src/report/html.c '#include "run/perf.h"' \
        'includes "run/perf.h": report/ may include only score config util (not run/)'
    plant grader/src/util/strv.h '#include "config/cfg.h"' \
        'includes "config/cfg.h": util/ may include only nothing (not config/)'
    plant grader/src/sandbox/sbx.c '  #  include "grade/grade.h"' \
        'includes "grade/grade.h": sandbox/ may include only config util (not grade/)'
    plant grader/src/config/cfg.c '#include "strv.h"' 'includes "strv.h": name its folder'
    plant grader/src/score/result.c '#include "nowhere/x.h"' \
        'includes "nowhere/x.h": nowhere/ is not a folder of grader/src'
    plant grader/src/newbie/x.c '#include "util/strv.h"' 'folder newbie/ has no rule'
    # the command line may include anything
    rm -rf "$tmp/t"; mkdir -p "$tmp/t/grader" && cp -R grader/src "$tmp/t/grader/src" &&
        cp grader/*.c "$tmp/t/grader/"
    echo '#include "scale/merge.h"' >> "$tmp/t/grader/mkstub.c"
    mkdir -p "$tmp/t/grader/cli" && printf '#include "cli.h"\n#include "grade/grade.h"\n' \
        > "$tmp/t/grader/cli/cmd_x.c"
    if ! got=$(check "$tmp/t"); then
        echo "FAIL self-test: grader/mkstub.c and grader/cli/ may include anything: $got"
        fails=$((fails + 1))
    fi
    rm -rf "$tmp"
    trap - EXIT
    [ "$fails" = 0 ] && echo "layering self-test: the tree passes, 6 planted bad includes fail, main.c, cli/ and mkstub.c may include anything"
    [ "$fails" = 0 ]
}

if [ $# -ge 1 ]; then
    check "$1"
    exit
fi
self_test || exit 1
if out=$(check .); then
    echo "layering: every include of grader/ runs one way"
else
    printf '%s\n' "$out"
    echo "layering: includes that run back up (tests/scripts/layering.sh)"
    exit 1
fi
