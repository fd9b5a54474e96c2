# io.mk -- the io test kind (included by the Makefile).

.PHONY: test-io

# The io tests on hostile programs (tests/fixtures/io/): floods, endless
# output, reading past stdin, wrong exit status, binary output, a crash,
# a program looking around its folder; both sandboxes; the hidden test in
# no student report (tests/scripts/io_e2e.sh).
test-io: $(GRADER)
	@sh tests/scripts/io_e2e.sh $(GRADER) $(BUILD)/io-e2e

# The second assignment, matcli (matcli.yaml: unit and io tests of a
# command-line tool), end to end with the same grader: batch, release, the
# student's make test, the Gradescope zip (tests/scripts/matcli_e2e.sh).
.PHONY: test-matcli
test-matcli: $(GRADER) $(MKSTUB) $(MUTAGEN)
	@sh tests/scripts/matcli_e2e.sh $(GRADER) $(MKSTUB) $(BUILD)/matcli-e2e
