# tests/browser/browser.mk -- the HTML reports in headless Chromium;
# included by the top-level Makefile (it uses BUILD and GRADER from there).
#
#   make test-browser    grades the bundled examples (--no-performance) into
#                        $(BUILD)/browser/out, checks the DOM Chromium builds
#                        from report.html, report-instructor.html and
#                        index.html, and keeps screenshots in
#                        $(BUILD)/browser/screenshots; skipped with a notice
#                        when Chromium is missing and cannot be installed
#
# Chromium (the Debian package `chromium`) is optional, not in DEB_PKGS:
# the script installs it when run as root.

BROWSER_DIR = $(BUILD)/browser

.PHONY: test-browser
test-browser: $(GRADER)
	@sh tests/browser/browser_test.sh $(GRADER) $(BROWSER_DIR)
