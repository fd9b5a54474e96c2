# grader/grader.mk -- builds the grader program and mkstub out of tree.
#
# Included by the top-level Makefile, which sets the flags.  It also works
# alone, as in the student release and the Gradescope package:
#
#   make -f grader/grader.mk            builds build/grader/grader
#
# Needs the Debian packages libyaml-dev libjansson-dev libxml2-dev
# libcsv-dev libzip-dev libseccomp-dev nettle-dev pkg-config.

BUILD        ?= build
CC           ?= cc
GRADER_CFLAGS ?= -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -pthread -MMD -MP
GRADER_LDFLAGS ?= -pthread
# The top-level Makefile makes objects wait for its package check.
GRADER_ORDER ?=

GRADER_PKGS    = yaml-0.1 jansson libxml-2.0 libzip libseccomp nettle
GRADER_PKG_CFLAGS = $(shell pkg-config --cflags $(GRADER_PKGS) 2>/dev/null)
GRADER_LIBS    = $(shell pkg-config --libs $(GRADER_PKGS) 2>/dev/null) -lcsv -lm
GRADER_INC     = -Igrader/src
# grader/src/<subsystem>/*.c (README "Where things live"); includes name the
# folder: #include "config/cfg.h".
GRADER_LIB_SRC = $(sort $(wildcard grader/src/*/*.c))
# ship/tmpl_data.S embeds the files of grader/templates/ (tmpl.h) with .incbin,
# which the compiler's dependency files do not see: they are listed here.
GRADER_TMPL    = $(sort $(wildcard grader/templates/*))
GRADER_LIB_OBJ = $(GRADER_LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/grader/src/ship/tmpl_data.o
# grader/cli/: one file per command of the grader program (cli/cli.h).
GRADER_CLI_SRC = $(sort $(wildcard grader/cli/*.c))
GRADER_CLI_OBJ = $(GRADER_CLI_SRC:%.c=$(BUILD)/%.o)
GRADER         = $(BUILD)/grader/grader
MKSTUB         = $(BUILD)/grader/mkstub

grader-all: $(GRADER) $(MKSTUB)
.PHONY: grader-all

$(BUILD)/grader/src/%.o: grader/src/%.c | $(GRADER_ORDER)
	@mkdir -p $(@D)
	$(CC) $(GRADER_CFLAGS) $(GRADER_INC) $(GRADER_PKG_CFLAGS) -c $< -o $@

$(BUILD)/grader/src/ship/tmpl_data.o: grader/src/ship/tmpl_data.S $(GRADER_TMPL) | $(GRADER_ORDER)
	@mkdir -p $(@D)
	$(CC) $(GRADER_CFLAGS) -c $< -o $@

$(BUILD)/grader/%.o: grader/%.c | $(GRADER_ORDER)
	@mkdir -p $(@D)
	$(CC) $(GRADER_CFLAGS) $(GRADER_INC) $(GRADER_PKG_CFLAGS) -c $< -o $@

$(BUILD)/grader/libgrader.a: $(GRADER_LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(GRADER): $(BUILD)/grader/main.o $(GRADER_CLI_OBJ) $(BUILD)/grader/libgrader.a
	$(CC) $(GRADER_LDFLAGS) $^ $(GRADER_LIBS) -o $@

$(MKSTUB): $(BUILD)/grader/mkstub.o $(BUILD)/grader/libgrader.a
	$(CC) $(GRADER_LDFLAGS) $^ $(GRADER_LIBS) -o $@

-include $(wildcard $(BUILD)/grader/*.d $(BUILD)/grader/cli/*.d $(BUILD)/grader/src/*/*.d)

# mutagen: the mutant generator `grader mutants` runs (grader/mutagen/).
# It links libclang (Debian's libclang-dev), so it is its own target, not
# part of grader-all: the grader builds without libclang.  Its objects go
# in mutagen-obj/, since $(MUTAGEN) itself is a file in $(BUILD)/grader.
MUTAGEN_LLVM   ?= $(shell llvm-config-14 --prefix 2>/dev/null || echo /usr/lib/llvm-14)
MUTAGEN_SRC     = $(sort $(wildcard grader/mutagen/*.c))
MUTAGEN_OBJ     = $(MUTAGEN_SRC:grader/mutagen/%.c=$(BUILD)/grader/mutagen-obj/%.o)
MUTAGEN         = $(BUILD)/grader/mutagen

$(BUILD)/grader/mutagen-obj/%.o: grader/mutagen/%.c | $(GRADER_ORDER)
	@mkdir -p $(@D)
	$(CC) $(GRADER_CFLAGS) -I$(MUTAGEN_LLVM)/include $(GRADER_PKG_CFLAGS) -c $< -o $@

$(MUTAGEN): $(MUTAGEN_OBJ)
	$(CC) $(GRADER_LDFLAGS) $^ -L$(MUTAGEN_LLVM)/lib -Wl,-rpath,$(MUTAGEN_LLVM)/lib -lclang \
	      $(shell pkg-config --libs jansson 2>/dev/null) -o $@

-include $(wildcard $(BUILD)/grader/mutagen-obj/*.d)
