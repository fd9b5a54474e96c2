/*
 * tmpl.c -- the embedded templates (tmpl_data.S) and @NAME@ substitution.
 */
#include "ship/tmpl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined by tmpl_data.S: each template's first byte and one past its last. */
extern const char tmpl_grade_yml[], tmpl_grade_yml_end[];
extern const char tmpl_gitlab_ci_yml[], tmpl_gitlab_ci_yml_end[];
extern const char tmpl_setup_sh[], tmpl_setup_sh_end[];
extern const char tmpl_run_autograder[], tmpl_run_autograder_end[];
extern const char tmpl_release_readme[], tmpl_release_readme_end[];
extern const char tmpl_release_gitignore[], tmpl_release_gitignore_end[];

struct tmpl_entry {
    const char *name;
    const char *start, *end;
};

static const struct tmpl_entry tmpl_table[] = {
    {"grade.yml", tmpl_grade_yml, tmpl_grade_yml_end},
    {"gitlab-ci.yml", tmpl_gitlab_ci_yml, tmpl_gitlab_ci_yml_end},
    {"setup.sh", tmpl_setup_sh, tmpl_setup_sh_end},
    {"run_autograder", tmpl_run_autograder, tmpl_run_autograder_end},
    {"release-README.md", tmpl_release_readme, tmpl_release_readme_end},
    {"release-gitignore", tmpl_release_gitignore, tmpl_release_gitignore_end},
};

const char *tmpl_get(const char *name, size_t *len)
{
    for (size_t i = 0; i < sizeof tmpl_table / sizeof tmpl_table[0]; i++) {
        if (strcmp(tmpl_table[i].name, name) == 0) {
            *len = (size_t)(tmpl_table[i].end - tmpl_table[i].start);
            return tmpl_table[i].start;
        }
    }
    return NULL;
}

/* The length of the placeholder name at s (after an '@'), if "NAME@" follows; else 0. */
static size_t tmpl_placeholder(const char *s, const char *end)
{
    size_t n = 0;
    while (s + n < end && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') ||
                           s[n] == '_'))
        n++;
    return n > 0 && s + n < end && s[n] == '@' ? n : 0;
}

static const char *tmpl_value(const struct tmpl_var *vars, size_t nvars, const char *name,
                              size_t n)
{
    for (size_t i = 0; i < nvars; i++)
        if (strlen(vars[i].name) == n && memcmp(vars[i].name, name, n) == 0)
            return vars[i].value;
    return NULL;
}

static unsigned tmpl_line_of(const char *start, const char *at)
{
    unsigned line = 1;
    for (const char *p = start; p < at; p++)
        line += *p == '\n';
    return line;
}

int tmpl_render(const char *name, const struct tmpl_var *vars, size_t nvars, char **out,
                char *err, size_t errlen)
{
    size_t len;
    const char *text = tmpl_get(name, &len), *end, *p;
    char *buf = NULL;
    size_t buflen = 0;
    *out = NULL;
    if (text == NULL) {
        snprintf(err, errlen, "no template '%s'", name);
        return -1;
    }
    FILE *f = open_memstream(&buf, &buflen);
    if (f == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    end = text + len;
    for (p = text; p < end;) {
        const char *at = memchr(p, '@', (size_t)(end - p));
        size_t n = at ? tmpl_placeholder(at + 1, end) : 0;
        if (at == NULL) {
            fwrite(p, 1, (size_t)(end - p), f);
            break;
        }
        fwrite(p, 1, (size_t)(at - p) + (n == 0), f);
        p = at + 1;
        if (n == 0)
            continue;
        const char *value = tmpl_value(vars, nvars, at + 1, n);
        if (value == NULL) {
            snprintf(err, errlen, "%s:%u: no value for @%.*s@", name, tmpl_line_of(text, at),
                     (int)n, at + 1);
            fclose(f);
            free(buf);
            return -1;
        }
        fputs(value, f);
        p = at + n + 2;
    }
    /* A write error (out of memory) sticks to the stream until fclose(). */
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        snprintf(err, errlen, "out of memory");
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}
