# tests/scale/scale.mk -- grading across machines (included by the Makefile).
#
#   test-shards   one batch against three shards (batch --shard) merged
#                 (grader merge), and grader/scale/grade-parallel.sh
#   test-adjust   a batch with the instructor's adjustments file (extensions,
#                 points, tests set by hand) and every output
#   test-ratelimit  grading.max_per_day through grade --metadata (Gradescope)
#   test-slurm    the Slurm job array on a one-node cluster started for the
#                 test (skips itself, with a notice, where Slurm cannot run)
#   test-cache    batch's regrade cache (grader/src/scale/cache.h): reuse,
#                 byte-identical outputs, a changed key grades again
#   test-rescore  grader rescore (grader/src/scale/rescore.h): the same config
#                 gives the batch's bytes, new points/visibility/late policy a
#                 full regrade's, a limits or test change is refused, and
#                 adjustments through rescore and merge

.PHONY: test-shards test-slurm test-adjust test-ratelimit test-cache test-rescore

# test-similar: grader similar (grader/src/scale/similar.h) on a class with
# planted copies (renamed, reordered, commented, re-laid-out): they rank
# above every pair of independent solutions; the stub is base code.
.PHONY: test-similar
test-similar: $(GRADER)
	@sh tests/scale/similar.sh $(GRADER) $(BUILD)/similar-test

test-shards: $(GRADER)
	@sh tests/scale/shards.sh $(GRADER) $(BUILD)/shards

test-slurm: $(GRADER)
	@sh tests/scale/slurm.sh $(GRADER) $(BUILD)/slurm

test-adjust: $(GRADER)
	@sh tests/scale/adjust.sh $(GRADER) $(BUILD)/adjust

test-cache: $(GRADER)
	@sh tests/scale/cache.sh $(GRADER) $(BUILD)/cache-test

test-ratelimit: $(GRADER)
	@sh tests/scripts/ratelimit_e2e.sh $(GRADER) $(BUILD)/ratelimit

test-rescore: $(GRADER)
	@sh tests/scale/rescore.sh $(GRADER) $(BUILD)/rescore-test
