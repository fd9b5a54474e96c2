/*
 * ci_steps.c -- extracts the shell steps of a CI file, so a test can run
 * them as the CI would (tests/release/release_e2e.sh).
 *
 *   ci_steps FILE OUTDIR
 *
 * FILE is a GitHub Actions workflow (a "jobs" mapping: its first job's
 * "steps") or a GitLab CI file (the first top-level job with a "script").
 * Writes into OUTDIR (which must exist):
 *
 *   env       one `export NAME='value'` line per variable of the job
 *             (GitHub "env", GitLab "variables")
 *   NN.sh     GitHub: each step's "run", in order (steps with "uses" are
 *             skipped); GitLab: the script's lines, in one step
 *   NN.when   "always" for a step with `if: always()`, else "success":
 *             after a failed step, only "always" steps run
 *   keys      every scalar of the document, one "path=value" line each,
 *             the path's parts joined by '.' (a sequence item's part is its
 *             index): "permissions.contents=read",
 *             "grade.artifacts.reports.junit=grade-out/junit.xml", so a
 *             test can check the file's structure with grep -x
 *
 * Exit status 0, or 1 with a message (unreadable file, no job, a step
 * that is not a mapping...).  Parsed with libyaml's document API.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct ci_doc {
    yaml_document_t doc;
    const char *out_dir;
    int nsteps;
};

static yaml_node_t *ci_node(struct ci_doc *d, int index)
{
    return yaml_document_get_node(&d->doc, index);
}

static const char *ci_text(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* The value of `key` in mapping `map`, or NULL. */
static yaml_node_t *ci_get(struct ci_doc *d, const yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        const char *k = ci_text(ci_node(d, p->key));
        if (k && strcmp(k, key) == 0)
            return ci_node(d, p->value);
    }
    return NULL;
}

static FILE *ci_open(struct ci_doc *d, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->out_dir, name);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        perror(path);
    return f;
}

/* value in single quotes, for sh. */
static void ci_quote(FILE *f, const char *value)
{
    fputc('\'', f);
    for (const char *p = value; *p; p++) {
        if (*p == '\'')
            fputs("'\\''", f);
        else
            fputc(*p, f);
    }
    fputc('\'', f);
}

static int ci_write_env(struct ci_doc *d, const yaml_node_t *vars)
{
    FILE *f = ci_open(d, "env");
    if (f == NULL)
        return -1;
    if (vars && vars->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = vars->data.mapping.pairs.start;
             p < vars->data.mapping.pairs.top; p++) {
            const char *k = ci_text(ci_node(d, p->key)), *v = ci_text(ci_node(d, p->value));
            if (k == NULL || v == NULL)
                continue;
            fprintf(f, "export %s=", k);
            ci_quote(f, v);
            fputc('\n', f);
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

static int ci_write_step(struct ci_doc *d, const char *script, bool always)
{
    char name[32];
    int n = ++d->nsteps;
    snprintf(name, sizeof name, "%02d.sh", n);
    FILE *f = ci_open(d, name);
    if (f == NULL)
        return -1;
    fputs(script, f);
    if (*script && script[strlen(script) - 1] != '\n')
        fputc('\n', f);
    if (fclose(f) != 0)
        return -1;
    snprintf(name, sizeof name, "%02d.when", n);
    if ((f = ci_open(d, name)) == NULL)
        return -1;
    fputs(always ? "always\n" : "success\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

/* Writes "path=value" for each scalar under n (keys: a value has no newline). */
static void ci_keys(struct ci_doc *d, FILE *f, const yaml_node_t *n, const char *path,
                    int depth)
{
    char sub[1024];
    if (n == NULL || depth > 32)
        return;
    if (n->type == YAML_SCALAR_NODE) {
        fprintf(f, "%s=", path);
        for (const char *p = ci_text(n); *p; p++)
            fputc(*p == '\n' ? ' ' : *p, f);
        fputc('\n', f);
    } else if (n->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            const char *k = ci_text(ci_node(d, p->key));
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k ? k : "?");
            ci_keys(d, f, ci_node(d, p->value), sub, depth + 1);
        }
    } else if (n->type == YAML_SEQUENCE_NODE) {
        int i = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start;
             it < n->data.sequence.items.top; it++, i++) {
            snprintf(sub, sizeof sub, "%s%s%d", path, *path ? "." : "", i);
            ci_keys(d, f, ci_node(d, *it), sub, depth + 1);
        }
    }
}

static int ci_write_keys(struct ci_doc *d, const yaml_node_t *root)
{
    FILE *f = ci_open(d, "keys");
    if (f == NULL)
        return -1;
    ci_keys(d, f, root, "", 0);
    return fclose(f) == 0 ? 0 : -1;
}

static int ci_github(struct ci_doc *d, const yaml_node_t *jobs)
{
    if (jobs->type != YAML_MAPPING_NODE || jobs->data.mapping.pairs.start ==
                                               jobs->data.mapping.pairs.top) {
        fprintf(stderr, "ci_steps: 'jobs' has no job\n");
        return -1;
    }
    yaml_node_t *job = ci_node(d, jobs->data.mapping.pairs.start->value);
    yaml_node_t *steps = ci_get(d, job, "steps");
    if (steps == NULL || steps->type != YAML_SEQUENCE_NODE) {
        fprintf(stderr, "ci_steps: the first job has no 'steps'\n");
        return -1;
    }
    if (ci_write_env(d, ci_get(d, job, "env")) < 0)
        return -1;
    for (yaml_node_item_t *i = steps->data.sequence.items.start;
         i < steps->data.sequence.items.top; i++) {
        yaml_node_t *step = ci_node(d, *i);
        const char *run = ci_text(ci_get(d, step, "run")), *cond;
        if (step->type != YAML_MAPPING_NODE) {
            fprintf(stderr, "ci_steps: a step is not a mapping\n");
            return -1;
        }
        if (run == NULL)
            continue;   /* "uses": an action, not shell */
        cond = ci_text(ci_get(d, step, "if"));
        if (ci_write_step(d, run, cond && strstr(cond, "always()")) < 0)
            return -1;
    }
    return 0;
}

static int ci_gitlab(struct ci_doc *d, const yaml_node_t *root)
{
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *job = ci_node(d, p->value), *script = ci_get(d, job, "script");
        size_t len = 1;
        if (script == NULL || script->type != YAML_SEQUENCE_NODE)
            continue;
        for (yaml_node_item_t *i = script->data.sequence.items.start;
             i < script->data.sequence.items.top; i++)
            len += strlen(ci_text(ci_node(d, *i)) ? ci_text(ci_node(d, *i)) : "") + 1;
        char *all = calloc(1, len);
        if (all == NULL)
            return -1;
        for (yaml_node_item_t *i = script->data.sequence.items.start;
             i < script->data.sequence.items.top; i++) {
            const char *line = ci_text(ci_node(d, *i));
            strcat(all, line ? line : "");
            strcat(all, "\n");
        }
        int rc = ci_write_env(d, ci_get(d, job, "variables")) < 0 ||
                 ci_write_step(d, all, false) < 0 ? -1 : 0;
        free(all);
        return rc;
    }
    fprintf(stderr, "ci_steps: no job with a 'script'\n");
    return -1;
}

int main(int argc, char **argv)
{
    struct ci_doc d = {.out_dir = argc == 3 ? argv[2] : NULL};
    yaml_parser_t parser;
    FILE *in;
    int rc = 1;
    if (argc != 3) {
        fprintf(stderr, "usage: ci_steps FILE OUTDIR\n");
        return 2;
    }
    if ((in = fopen(argv[1], "rb")) == NULL) {
        perror(argv[1]);
        return 1;
    }
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, in);
    if (!yaml_parser_load(&parser, &d.doc)) {
        fprintf(stderr, "%s:%zu: %s\n", argv[1], parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "invalid yaml");
    } else {
        yaml_node_t *root = yaml_document_get_root_node(&d.doc);
        yaml_node_t *jobs = ci_get(&d, root, "jobs");
        if (root == NULL || root->type != YAML_MAPPING_NODE)
            fprintf(stderr, "%s: not a mapping\n", argv[1]);
        else
            rc = (jobs ? ci_github(&d, jobs) : ci_gitlab(&d, root)) < 0 ||
                 ci_write_keys(&d, root) < 0 ? 1 : 0;
        yaml_document_delete(&d.doc);
    }
    yaml_parser_delete(&parser);
    fclose(in);
    if (rc == 0 && d.nsteps == 0) {
        fprintf(stderr, "ci_steps: %s has no shell step\n", argv[1]);
        rc = 1;
    }
    return rc;
}
