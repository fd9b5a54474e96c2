# tests/release/release.mk -- the student release, its CI workflows and the
# Gradescope package, end to end; included by the top-level Makefile (it
# uses BUILD, CC, LDFLAGS_ALL, GRADER, GRADER_LIBS from there).
#
#   make test-release   tests/release/release_e2e.sh: `grader release`, its
#                       refusals of planted leaks, an independent grep scan
#                       of the release (scan_release.sh), the student
#                       Makefile and check-config inside it, and the CI
#                       workflows' shell steps run in fresh copies with sudo
#                       and apt-get shimmed (stub: fails; solution: passes);
#                       tests/release/gradescope_e2e.sh: `grader gradescope`,
#                       its setup.sh and run_autograder in a simulated
#                       /autograder (AUTOGRADER_ROOT), results.json checked
#                       against Gradescope's spec with jq.
#
# ci_steps extracts the shell steps of a workflow with libyaml.

CI_STEPS = $(BUILD)/tests/release/ci_steps

$(CI_STEPS): $(BUILD)/tests/release/ci_steps.o
	$(CC) $(LDFLAGS_ALL) $^ $(GRADER_LIBS) -o $@

.PHONY: test-release
test-release: $(GRADER) $(CI_STEPS)
	@sh tests/release/release_e2e.sh $(GRADER) $(CI_STEPS) $(BUILD)/release-e2e
	@sh tests/release/gradescope_e2e.sh $(GRADER) $(BUILD)/gradescope-e2e
