# io.mk -- the io test kind (included by the Makefile).

.PHONY: test-io

# The io tests on hostile programs (tests/fixtures/io/): floods, endless
# output, reading past stdin, wrong exit status, binary output, a crash,
# a program looking around its folder; both sandboxes; the hidden test in
# no student report (tests/scripts/io_e2e.sh).
test-io: $(GRADER)
	@sh tests/scripts/io_e2e.sh $(GRADER) $(BUILD)/io-e2e
