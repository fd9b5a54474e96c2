/*
 * tmpl_data.S -- the files of grader/templates/, embedded as they are
 * (tmpl.h).  Each is a pair of symbols: its first byte and one past its
 * last.  Paths are relative to the folder make runs in (the tree's top),
 * and grader/grader.mk lists the templates as prerequisites of this
 * object, since the preprocessor's dependency files do not see .incbin.
 */
        .section .rodata

        .global tmpl_grade_yml, tmpl_grade_yml_end
tmpl_grade_yml:
        .incbin "grader/templates/grade.yml"
tmpl_grade_yml_end:

        .global tmpl_gitlab_ci_yml, tmpl_gitlab_ci_yml_end
tmpl_gitlab_ci_yml:
        .incbin "grader/templates/gitlab-ci.yml"
tmpl_gitlab_ci_yml_end:

        .global tmpl_setup_sh, tmpl_setup_sh_end
tmpl_setup_sh:
        .incbin "grader/templates/setup.sh"
tmpl_setup_sh_end:

        .global tmpl_run_autograder, tmpl_run_autograder_end
tmpl_run_autograder:
        .incbin "grader/templates/run_autograder"
tmpl_run_autograder_end:

        .global tmpl_release_readme, tmpl_release_readme_end
tmpl_release_readme:
        .incbin "grader/templates/release-README.md"
tmpl_release_readme_end:

        .global tmpl_release_gitignore, tmpl_release_gitignore_end
tmpl_release_gitignore:
        .incbin "grader/templates/release-gitignore"
tmpl_release_gitignore_end:

/* No executable stack for the program that links this. */
        .section .note.GNU-stack, "", %progbits
