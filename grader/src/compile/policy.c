/*
 * policy.c -- the pre-run check of student object files (see policy.h).
 *
 * For each object, three tool runs:
 *   nm -u -P OBJ                   the imported (undefined) symbols
 *   objdump -h -r -w OBJ           the sections (name, size, flags) and
 *                                  every relocation record, by section
 *   objdump -dr -w --no-show-raw-insn OBJ
 *                                  the code, function by function, with
 *                                  each instruction's relocations inline
 * The outputs are parsed in place: every string in a pol_object points
 * into one of the three buffers, which the object owns.
 *
 * A relocation in a code section tells which function uses a symbol; one
 * in an allocated data section (a function-pointer table) is "(in data)";
 * non-allocated sections (.debug_*, .comment) do not exist at run time
 * and are ignored.
 *
 * Compiler instrumentation registers itself through constructor
 * sections: --coverage adds .init_array.00100/.fini_array.00100 (calls to
 * __gcov_init/__gcov_exit), -fsanitize=address .init_array.00099.  Those
 * entries are recognised by what their function does (see
 * pol_is_runtime_hook()), not by a list of names, so that the same
 * student code passes whether or not it was compiled with coverage.
 */
#include "compile/policy.h"

#include <ctype.h>
#include <dlfcn.h>
#include <fnmatch.h>
#include <link.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/proc.h"

/* Raw system-call instructions, one bit each in pol_func.syscalls. */
static const char *const pol_syscall_names[] = { "syscall", "sysenter", "int $0x80" };
#define POL_NSYSCALL (sizeof pol_syscall_names / sizeof pol_syscall_names[0])

/* Sections whose entries the loader or libc runs outside the tests; a
 * suffixed name (".init_array.00101") counts too. */
static const struct {
    const char *name;
    const char *kind;
} pol_cdtor_sections[] = {
    { ".preinit_array", "constructor" }, { ".init_array", "constructor" },
    { ".ctors", "constructor" },         { ".init", "constructor" },
    { ".fini_array", "destructor" },     { ".dtors", "destructor" },
    { ".fini", "destructor" },
};

struct pol_section {
    char *name;
    unsigned long size;
    bool code;               /* CODE flag: disassembled by objdump -d */
    bool alloc;              /* ALLOC flag: present at run time */
};

struct pol_reloc {
    char *section;           /* the section holding the relocated word */
    char *target;            /* symbol or section name, addend stripped */
    long addend;
};

struct pol_func {
    char *label;             /* as objdump prints it: "work", "foo.cold" */
    char *section;
    unsigned long addr;      /* offset of the label in its section */
    char **refs;             /* relocation targets of its instructions */
    size_t nrefs, caprefs;
    unsigned syscalls;       /* bit i: pol_syscall_names[i] seen */
    bool indirect;           /* an indirect call or jump */
    bool foreign;            /* a relocation-free reference to other code */
};

struct pol_object {
    const char *path;
    char *objname;           /* "kernels.o" */
    char *srcname;           /* "kernels.c", for messages */
    char *nm_out, *hdr_out, *dis_out;   /* tool outputs, parsed in place */
    char **imports;
    size_t nimports, capimports;
    struct pol_section *secs;
    size_t nsecs, capsecs;
    struct pol_reloc *relocs;
    size_t nrelocs, caprelocs;
    struct pol_func *funcs;
    size_t nfuncs, capfuncs;
};

/* ---- small helpers --------------------------------------------------- */

/* Makes room for one more element in *arr; -1 on OOM. */
static int pol_grow(void *arr, size_t *cap, size_t n, size_t elsize)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*(void **)arr, ncap * elsize);
    if (!p)
        return -1;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/* Next line of *cursor, NUL-terminated in place; NULL at the end. */
static char *pol_next_line(char **cursor)
{
    char *line = *cursor;
    if (!line || !*line)
        return NULL;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

/* Splits `line` in place on `seps` into at most max tokens; returns the count. */
static size_t pol_split(char *line, const char *seps, char **tok, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, seps, &save); t && n < max; t = strtok_r(NULL, seps, &save))
        tok[n++] = t;
    return n;
}

static bool pol_is_hex(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isxdigit((unsigned char)*s))
            return false;
    return true;
}

/* "system-0x4" -> "system", -4; ".text+0x10" -> ".text", 16 (in place). */
static void pol_strip_addend(char *target, long *addend)
{
    *addend = 0;
    for (char *p = target + strlen(target); p > target; p--) {
        if ((p[-1] == '+' || p[-1] == '-') && p[0] == '0' && p[1] == 'x' && pol_is_hex(p + 2)) {
            long v = (long)strtoul(p + 2, NULL, 16);
            *addend = p[-1] == '-' ? -v : v;
            p[-1] = '\0';
            return;
        }
    }
}

/* The first pattern of pats that sym matches, or NULL. */
static const char *pol_match(const struct cfg_strv *pats, const char *sym)
{
    for (size_t i = 0; i < pats->n; i++)
        if (fnmatch(pats->v[i], sym, 0) == 0)
            return pats->v[i];
    return NULL;
}

/* ---- the rules: patterns, libraries, the names the student wrote ------- */

/*
 * The allowed libraries are asked with the dynamic linker itself, loaded
 * into the grader: dlsym() on a library's handle looks the name up in
 * the library, then its dependencies; dladdr() says which object the
 * answer lives in, and only the library itself counts (libm's handle also
 * finds libc's `system`).  That is what `nm -D --defined-only` lists,
 * less symbols a program cannot link against (compat versions, version
 * nodes), without a tool run per library per check (~80 ms each).
 */
struct pol_rules {
    const struct cfg_symbols *sym;
    void **handles;          /* dlopen()ed, one per sym->allow_libraries */
    const char **paths;      /* each handle's file, from its link map */
    size_t nlibs;
};

/*
 * Opens library `name` ("libm.so.6", as the dynamic linker finds it, or a
 * path) into *handle, with its file's path in *path (owned by the link
 * map).  0, or -1 with err.
 */
static int pol_open_library(const char *name, void **handle, const char **path, char *err,
                            size_t errlen)
{
    void *h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
    struct link_map *lm = NULL;
    if (!h || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm || !lm->l_name || !*lm->l_name) {
        const char *why = dlerror();
        snprintf(err, errlen, "symbols.allow_libraries: cannot find '%s': %s", name,
                 why ? why : "no path in its link map");
        if (h)
            dlclose(h);
        return -1;
    }
    *handle = h;
    *path = lm->l_name;
    return 0;
}

int pol_rules_new(const struct cfg_symbols *sym, struct pol_rules **out, char *err,
                  size_t errlen)
{
    size_t n = sym->allow_libraries.n;
    struct pol_rules *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r || !(r->handles = calloc(n ? n : 1, sizeof *r->handles)) ||
        !(r->paths = calloc(n ? n : 1, sizeof *r->paths))) {
        pol_rules_free(r);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->sym = sym;
    for (; r->nlibs < n; r->nlibs++)
        if (pol_open_library(sym->allow_libraries.v[r->nlibs], &r->handles[r->nlibs],
                             &r->paths[r->nlibs], err, errlen) < 0) {
            pol_rules_free(r);
            return -1;
        }
    *out = r;
    return 0;
}

void pol_rules_free(struct pol_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nlibs; i++)
        dlclose(r->handles[i]);
    free(r->handles);
    free(r->paths);
    free(r);
}

/* The library of allow_libraries that exports `name`, or NULL. */
static const char *pol_library_of(const struct pol_rules *r, const char *name)
{
    for (size_t i = 0; i < r->nlibs; i++) {
        void *p = dlsym(r->handles[i], name);
        Dl_info info;
        if (p && dladdr(p, &info) && info.dli_fname && strcmp(info.dli_fname, r->paths[i]) == 0)
            return r->sym->allow_libraries.v[i];
    }
    return NULL;
}

size_t pol_source_name(const char *import, char *buf, size_t n)
{
    static const char *const prefixes[] = { "__isoc99_", "__isoc23_" };
    static const char *const suffixes[] = { "_chk", "_2" };
    size_t len = strlen(import);
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (len > pl && strncmp(import, prefixes[i], pl) == 0)
            return (size_t)snprintf(buf, n, "%s", import + pl);
    }
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > 2 + sl && strncmp(import, "__", 2) == 0 && import[2] != '_'
            && strcmp(import + len - sl, suffixes[i]) == 0)
            return (size_t)snprintf(buf, n, "%.*s", (int)(len - 2 - sl), import + 2);
    }
    return (size_t)snprintf(buf, n, "%s", import);
}

/* Why `name` itself is allowed (a pattern or a library), or NULL. */
static const char *pol_allowed_by(const struct pol_rules *r, const char *name, bool *library)
{
    const char *how = pol_match(&r->sym->allow, name);
    *library = false;
    if (!how && (how = pol_library_of(r, name)) != NULL)
        *library = true;
    return how;
}

bool pol_rules_explain(const struct pol_rules *r, const char *import, char *why, size_t n)
{
    const struct cfg_symbols *sym = r->sym;
    char src[256];
    pol_source_name(import, src, sizeof src);
    bool alias = strcmp(src, import) != 0, library;
    const char *deny = pol_match(&sym->deny, import);
    if (!deny && alias)
        deny = pol_match(&sym->deny, src);
    if (deny) {
        snprintf(why, n, "refused: matches the deny pattern '%s'", deny);
        return false;
    }
    if (sym->allow.n == 0) {
        snprintf(why, n, "allowed: the allow list is empty (everything not denied)");
        return true;
    }
    const char *how = pol_allowed_by(r, import, &library);
    const char *as = import;
    if (!how && alias) {
        how = pol_allowed_by(r, src, &library);
        as = src;
    }
    if (!how && alias)
        snprintf(why, n, "refused: the compiler's name for %s, which is not allowed", src);
    else if (!how)
        snprintf(why, n, "refused: not allowed (neither in the allow list nor exported by "
                 "an allowed library)");
    if (!how)
        return false;
    if (as != import && library)
        snprintf(why, n, "allowed: the compiler's name for %s, which %s exports", src, how);
    else if (as != import)
        snprintf(why, n, "allowed: the compiler's name for %s, which matches '%s'", src, how);
    else if (library)
        snprintf(why, n, "allowed: exported by %s", how);
    else
        snprintf(why, n, "allowed: matches '%s'", how);
    return true;
}

/* Allowed = matches an allow pattern or is exported by an allowed library
 * (or the allow list is empty), and no deny pattern; the compiler's name
 * for a call (__printf_chk for printf) is judged as the name written. */
static bool pol_allowed(const struct pol_rules *r, const char *name)
{
    char why[512];
    return pol_rules_explain(r, name, why, sizeof why);
}

/* ---- parsing the tool outputs ---------------------------------------- */

/* nm -u -P: "name U" (or "name w" for a weak import) per line. */
static int pol_parse_nm(struct pol_object *o)
{
    char *cur = o->nm_out, *line, *tok[2];
    while ((line = pol_next_line(&cur))) {
        if (pol_split(line, " \t", tok, 2) < 1)
            continue;
        if (pol_grow(&o->imports, &o->capimports, o->nimports, sizeof *o->imports) < 0)
            return -1;
        o->imports[o->nimports++] = tok[0];
    }
    return 0;
}

/* "  3 .text.startup 0000000c VMA LMA off 2**4 CONTENTS, ALLOC, ..., CODE" */
static int pol_parse_section_line(struct pol_object *o, char *line)
{
    char *tok[32];
    size_t n = pol_split(line, " \t,", tok, 32);
    if (n < 3 || !pol_is_hex(tok[2]))
        return 0;
    if (pol_grow(&o->secs, &o->capsecs, o->nsecs, sizeof *o->secs) < 0)
        return -1;
    struct pol_section *s = &o->secs[o->nsecs++];
    *s = (struct pol_section){ .name = tok[1], .size = strtoul(tok[2], NULL, 16) };
    for (size_t i = 7; i < n; i++) {    /* the flags follow the alignment */
        s->code |= strcmp(tok[i], "CODE") == 0;
        s->alloc |= strcmp(tok[i], "ALLOC") == 0;
    }
    return 0;
}

/* "0000000000000000 R_X86_64_64       .text.startup+0x10" */
static int pol_parse_reloc_line(struct pol_object *o, char *section, char *line)
{
    char *tok[3];
    if (pol_split(line, " \t", tok, 3) < 3 || !pol_is_hex(tok[0]) || strncmp(tok[1], "R_", 2))
        return 0;
    if (pol_grow(&o->relocs, &o->caprelocs, o->nrelocs, sizeof *o->relocs) < 0)
        return -1;
    struct pol_reloc *r = &o->relocs[o->nrelocs++];
    r->section = section;
    r->target = tok[2];
    pol_strip_addend(r->target, &r->addend);
    return 0;
}

/* objdump -h -r -w: the section table, then "RELOCATION RECORDS FOR [x]:" blocks. */
static int pol_parse_headers(struct pol_object *o)
{
    enum { NONE, SECTIONS, RELOCS } mode = NONE;
    char *cur = o->hdr_out, *line, *section = NULL;
    const char *rr = "RELOCATION RECORDS FOR [";
    while ((line = pol_next_line(&cur))) {
        int rc = 0;
        if (strcmp(line, "Sections:") == 0) {
            mode = SECTIONS;
        } else if (strncmp(line, rr, strlen(rr)) == 0) {
            mode = RELOCS;
            section = line + strlen(rr);
            char *end = strrchr(section, ']');
            if (end)
                *end = '\0';
        } else if (mode == SECTIONS) {
            rc = pol_parse_section_line(o, line);
        } else if (mode == RELOCS) {
            rc = pol_parse_reloc_line(o, section, line);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int pol_func_add_ref(struct pol_func *f, char *target)
{
    for (size_t i = 0; i < f->nrefs; i++)
        if (strcmp(f->refs[i], target) == 0)
            return 0;
    if (pol_grow(&f->refs, &f->caprefs, f->nrefs, sizeof *f->refs) < 0)
        return -1;
    f->refs[f->nrefs++] = target;
    return 0;
}

/* Raw syscall instructions and indirect branches in one instruction's text. */
static void pol_scan_insn(struct pol_func *f, char *text)
{
    text[strcspn(text, "#<")] = '\0';      /* drop objdump's annotations */
    bool branch = false;
    char *tok[16];
    size_t n = pol_split(text, " \t,", tok, 16);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tok[i], "syscall") == 0)
            f->syscalls |= 1u << 0;
        else if (strcmp(tok[i], "sysenter") == 0)
            f->syscalls |= 1u << 1;
        else if (strcmp(tok[i], "int") == 0 && i + 1 < n && strcmp(tok[i + 1], "$0x80") == 0)
            f->syscalls |= 1u << 2;
        branch |= strncmp(tok[i], "call", 4) == 0 || strncmp(tok[i], "jmp", 3) == 0;
        f->indirect |= branch && tok[i][0] == '*';
    }
}

/* Whether the annotation "<name+0x..>" in `text` names other code than f. */
static bool pol_names_other_code(const struct pol_func *f, const char *text)
{
    const char *lt = strchr(text, '<');
    if (!lt)
        return false;
    size_t len = strcspn(lt + 1, "+>");
    return len != strlen(f->label) || strncmp(lt + 1, f->label, len) != 0;
}

/* "  17:\tjmp    1c <f+0xc>\t18: R_X86_64_PLT32\tsystem-0x4" */
static int pol_parse_insn(struct pol_func *f, char *line)
{
    char *field[16];
    size_t n = 0;
    for (char *p = line; p && n < 16; ) {
        field[n++] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
    }
    if (n < 2)
        return 0;
    bool reloc = false;
    for (size_t i = 2; i + 1 < n; i++) {
        char *colon = strstr(field[i], ": R_");
        if (!colon)
            continue;
        long addend;
        pol_strip_addend(field[i + 1], &addend);
        if (pol_func_add_ref(f, field[i + 1]) < 0)
            return -1;
        reloc = true;
    }
    if (!reloc && pol_names_other_code(f, field[1]))
        f->foreign = true;
    pol_scan_insn(f, field[1]);
    return 0;
}

/* "0000000000000010 <matmul_baseline>:" -> a new function. */
static int pol_parse_label(struct pol_object *o, char *section, char *line)
{
    char *lt = strstr(line, " <");
    size_t len = strlen(line);
    if (!lt || len < 4 || strcmp(line + len - 2, ">:") != 0)
        return 1;
    *lt = '\0';
    if (!pol_is_hex(line))
        return 1;
    line[len - 2] = '\0';
    if (pol_grow(&o->funcs, &o->capfuncs, o->nfuncs, sizeof *o->funcs) < 0)
        return -1;
    o->funcs[o->nfuncs++] = (struct pol_func){
        .label = lt + 2, .section = section, .addr = strtoul(line, NULL, 16),
    };
    return 0;
}

/* objdump -dr -w: "Disassembly of section x:", labels, instructions. */
static int pol_parse_disassembly(struct pol_object *o)
{
    const char *ds = "Disassembly of section ";
    char *cur = o->dis_out, *line, *section = NULL;
    while ((line = pol_next_line(&cur))) {
        int rc = 0;
        if (strncmp(line, ds, strlen(ds)) == 0) {
            section = line + strlen(ds);
            section[strcspn(section, ":")] = '\0';
        } else if (isxdigit((unsigned char)line[0])) {
            rc = pol_parse_label(o, section, line) < 0 ? -1 : 0;
        } else if (line[0] == ' ' && o->nfuncs > 0 && strchr(line, '\t')) {
            rc = pol_parse_insn(&o->funcs[o->nfuncs - 1], line);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- lookups ---------------------------------------------------------- */

static const struct pol_section *pol_find_section(const struct pol_object *o, const char *name)
{
    for (size_t i = 0; i < o->nsecs; i++)
        if (strcmp(o->secs[i].name, name) == 0)
            return &o->secs[i];
    return NULL;
}

static bool pol_is_import(const struct pol_object *o, const char *name)
{
    for (size_t i = 0; i < o->nimports; i++)
        if (strcmp(o->imports[i], name) == 0)
            return true;
    return false;
}

/* A code section or a function label. */
static bool pol_is_code(const struct pol_object *o, const char *name)
{
    const struct pol_section *s = pol_find_section(o, name);
    if (s)
        return s->code;
    for (size_t i = 0; i < o->nfuncs; i++)
        if (strcmp(o->funcs[i].label, name) == 0)
            return true;
    return false;
}

/* The function a relocation (target + addend) points at the start of, or NULL. */
static const struct pol_func *pol_resolve(const struct pol_object *o, const struct pol_reloc *r)
{
    bool is_section = pol_find_section(o, r->target) != NULL;
    for (size_t i = 0; i < o->nfuncs; i++) {
        const struct pol_func *f = &o->funcs[i];
        if (is_section ? f->section && strcmp(f->section, r->target) == 0 && (long)f->addr == r->addend
                       : strcmp(f->label, r->target) == 0 && r->addend == 0)
            return f;
    }
    return NULL;
}

/* ---- the report ------------------------------------------------------- */

static bool pol_same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Adds a violation unless the same (object, what, function) is there; -1 on OOM. */
static int pol_add(struct pol_report *rep, const struct pol_object *o, const char *what,
                   const char *function, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int pol_add(struct pol_report *rep, const struct pol_object *o, const char *what,
                   const char *function, const char *fmt, ...)
{
    for (size_t i = 0; i < rep->n; i++)
        if (pol_same(rep->v[i].object, o->objname) && pol_same(rep->v[i].what, what)
            && pol_same(rep->v[i].function, function))
            return 0;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *message = len < 0 ? NULL : malloc((size_t)len + 1);
    if (!message)
        return -1;
    va_start(ap, fmt);
    vsnprintf(message, (size_t)len + 1, fmt, ap);
    va_end(ap);
    struct pol_violation *v = realloc(rep->v, (rep->n + 1) * sizeof *v);
    if (!v) {
        free(message);
        return -1;
    }
    rep->v = v;
    v = &rep->v[rep->n];
    *v = (struct pol_violation){
        .object = strdup(o->objname), .what = strdup(what),
        .function = function ? strdup(function) : NULL, .message = message,
    };
    rep->n++;
    if (!v->object || !v->what || (function && !v->function))
        return -1;
    return 0;
}

/* "matmul_baseline.cold" / "work.part.0" -> the C function's name (malloc'd). */
static char *pol_function_name(const char *label)
{
    size_t len = label[0] == '.' ? strlen(label) : strcspn(label, ".");
    return strndup(label, len);
}

/*
 * One violation per function using `sym`, one "(in data)", or a bare one.
 * They name the call as the student wrote it: "'read' ... (compiled as
 * __read_chk)" when the compiler renamed it.
 */
static int pol_check_import(const struct pol_object *o, const char *sym, struct pol_report *rep)
{
    char src[256], as[300] = "";
    pol_source_name(sym, src, sizeof src);
    if (strcmp(src, sym) != 0)
        snprintf(as, sizeof as, "; compiled as a call to %s", sym);
    bool found = false;
    for (size_t i = 0; i < o->nfuncs; i++) {
        const struct pol_func *f = &o->funcs[i];
        for (size_t j = 0; j < f->nrefs; j++) {
            if (strcmp(f->refs[j], sym) != 0)
                continue;
            char *fn = pol_function_name(f->label);
            int rc = fn ? pol_add(rep, o, src, fn, "%s: '%s' is not allowed (used in %s%s)",
                                  o->srcname, src, fn, as) : -1;
            free(fn);
            if (rc < 0)
                return -1;
            found = true;
        }
    }
    for (size_t i = 0; i < o->nrelocs; i++) {
        const struct pol_section *s = pol_find_section(o, o->relocs[i].section);
        if (!s || s->code || !s->alloc || strcmp(o->relocs[i].target, sym) != 0)
            continue;
        if (pol_add(rep, o, src, NULL, "%s: '%s' is not allowed (in data%s)", o->srcname, src,
                    as) < 0)
            return -1;
        found = true;
    }
    if (!found && pol_add(rep, o, src, NULL, "%s: '%s' is not allowed%s%s%s", o->srcname, src,
                          *as ? " (" : "", *as ? as + 2 : "", *as ? ")" : "") < 0)
        return -1;
    return 0;
}

static int pol_check_imports(const struct pol_rules *r, const struct pol_object *o,
                             struct pol_report *rep)
{
    for (size_t i = 0; i < o->nimports; i++)
        if (!pol_allowed(r, o->imports[i]) && pol_check_import(o, o->imports[i], rep) < 0)
            return -1;
    return 0;
}

static int pol_check_syscalls(const struct pol_object *o, struct pol_report *rep)
{
    for (size_t i = 0; i < o->nfuncs; i++) {
        for (size_t k = 0; k < POL_NSYSCALL; k++) {
            if (!(o->funcs[i].syscalls & (1u << k)))
                continue;
            char *fn = pol_function_name(o->funcs[i].label);
            int rc = fn ? pol_add(rep, o, pol_syscall_names[k], fn,
                                  "%s: raw '%s' instruction in %s is not allowed",
                                  o->srcname, pol_syscall_names[k], fn) : -1;
            free(fn);
            if (rc < 0)
                return -1;
        }
    }
    return 0;
}

/*
 * Whether f is an instrumentation runtime hook (gcov's or ASan's
 * registration): it calls at least one import, only allowed imports
 * reserved for the implementation ("__" prefix: student code calls the
 * library by its public names), touches only data, and has no raw
 * syscall, no indirect branch and no reference to any other code.
 */
static bool pol_is_runtime_hook(const struct pol_rules *rules, const struct pol_object *o,
                                const struct pol_func *f)
{
    if (f->syscalls || f->indirect || f->foreign)
        return false;
    size_t imports = 0;
    for (size_t i = 0; i < f->nrefs; i++) {
        const char *r = f->refs[i];
        if (pol_is_import(o, r)) {
            if (strncmp(r, "__", 2) != 0 || !pol_allowed(rules, r))
                return false;
            imports++;
        } else if (pol_is_code(o, r)) {
            return false;
        }
    }
    return imports > 0;
}

/* Every entry of the section is a relocated pointer to a runtime hook. */
static bool pol_cdtor_section_ok(const struct pol_rules *rules, const struct pol_object *o,
                                 const struct pol_section *s)
{
    size_t entries = 0;
    for (size_t i = 0; i < o->nrelocs; i++) {
        if (strcmp(o->relocs[i].section, s->name) != 0)
            continue;
        const struct pol_func *f = pol_resolve(o, &o->relocs[i]);
        if (!f || !pol_is_runtime_hook(rules, o, f))
            return false;
        entries++;
    }
    return entries > 0 && s->size == entries * sizeof(void (*)(void));
}

/* The kind ("constructor"/"destructor") if `name` is a cdtor section, else NULL. */
static const char *pol_cdtor_kind(const char *name)
{
    for (size_t i = 0; i < sizeof pol_cdtor_sections / sizeof pol_cdtor_sections[0]; i++) {
        size_t len = strlen(pol_cdtor_sections[i].name);
        if (strncmp(name, pol_cdtor_sections[i].name, len) == 0
            && (name[len] == '\0' || name[len] == '.'))
            return pol_cdtor_sections[i].kind;
    }
    return NULL;
}

static int pol_check_sections(const struct pol_rules *rules, const struct pol_object *o,
                              struct pol_report *rep)
{
    for (size_t i = 0; i < o->nsecs; i++) {
        const struct pol_section *s = &o->secs[i];
        const char *kind = pol_cdtor_kind(s->name);
        if (!kind || pol_cdtor_section_ok(rules, o, s))
            continue;
        if (pol_add(rep, o, s->name, NULL,
                    "%s: %s section %s is not allowed (code that runs outside the tests)",
                    o->srcname, kind, s->name) < 0)
            return -1;
    }
    return 0;
}

/* ---- one object --------------------------------------------------------- */

static void pol_object_release(struct pol_object *o)
{
    for (size_t i = 0; i < o->nfuncs; i++)
        free(o->funcs[i].refs);
    free(o->funcs);
    free(o->relocs);
    free(o->secs);
    free(o->imports);
    free(o->nm_out);
    free(o->hdr_out);
    free(o->dis_out);
    free(o->objname);
    free(o->srcname);
    memset(o, 0, sizeof *o);
}

/* "dir/kernels.o" -> "kernels.o" and "kernels.c" ("x.c.o" -> "x.c"). */
static int pol_object_names(struct pol_object *o)
{
    const char *slash = strrchr(o->path, '/');
    o->objname = strdup(slash ? slash + 1 : o->path);
    o->srcname = o->objname ? malloc(strlen(o->objname) + 3) : NULL;
    if (!o->srcname)
        return -1;
    strcpy(o->srcname, o->objname);
    size_t len = strlen(o->srcname);
    if (len > 4 && strcmp(o->srcname + len - 4, ".c.o") == 0)
        o->srcname[len - 2] = '\0';
    else if (len > 2 && strcmp(o->srcname + len - 2, ".o") == 0)
        o->srcname[len - 1] = 'c';
    return 0;
}

/* Runs the three tools on the object; -1 with err if one fails. */
static int pol_run_tools(struct pol_object *o, pol_run_fn run, void *ctx, char *err,
                         size_t errlen)
{
    char *obj = (char *)o->path;
    char *nm[] = { "nm", "-u", "-P", "--", obj, NULL };
    char *hdr[] = { "objdump", "-h", "-r", "-w", "--", obj, NULL };
    char *dis[] = { "objdump", "-d", "-r", "-w", "--no-show-raw-insn", "--", obj, NULL };
    if (run(ctx, nm, &o->nm_out, err, errlen) < 0
        || run(ctx, hdr, &o->hdr_out, err, errlen) < 0
        || run(ctx, dis, &o->dis_out, err, errlen) < 0)
        return -1;
    return 0;
}

static int pol_check_object(const struct pol_rules *rules, struct pol_object *o,
                            pol_run_fn run, void *ctx, struct pol_report *rep, char *err,
                            size_t errlen)
{
    const struct cfg_symbols *sym = rules->sym;
    if (pol_object_names(o) < 0)
        goto oom;
    if (pol_run_tools(o, run, ctx, err, errlen) < 0)
        return -1;
    if (pol_parse_nm(o) < 0 || pol_parse_headers(o) < 0 || pol_parse_disassembly(o) < 0)
        goto oom;
    if (sym->forbid_constructors && pol_check_sections(rules, o, rep) < 0)
        goto oom;
    if (pol_check_imports(rules, o, rep) < 0)
        goto oom;
    if (sym->forbid_syscall && pol_check_syscalls(o, rep) < 0)
        goto oom;
    return 0;
oom:
    snprintf(err, errlen, "%s: out of memory", o->path);
    return -1;
}

int pol_check(const struct cfg_symbols *sym, const char *const objects[], size_t nobjects,
              pol_run_fn run, void *run_ctx, struct pol_report *rep, char *err,
              size_t errlen)
{
    struct pol_rules *rules;
    memset(rep, 0, sizeof *rep);
    if (pol_rules_new(sym, &rules, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < nobjects; i++) {
        struct pol_object o = { .path = objects[i] };
        int rc = pol_check_object(rules, &o, run, run_ctx, rep, err, errlen);
        pol_object_release(&o);
        if (rc < 0) {
            pol_report_release(rep);
            pol_rules_free(rules);
            return -1;
        }
    }
    pol_rules_free(rules);
    return 0;
}

void pol_report_release(struct pol_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->n; i++) {
        free(rep->v[i].object);
        free(rep->v[i].what);
        free(rep->v[i].function);
        free(rep->v[i].message);
    }
    free(rep->v);
    rep->v = NULL;
    rep->n = 0;
}

int pol_run_direct(void *ctx, char *const argv[], char **out, char *err, size_t errlen)
{
    (void)ctx;
    return proc_capture(argv, out, err, errlen);
}
