// Package gitlab tests the GitLab CI/CD component project in gitlab/: every
// template is checked statically (spec inputs declared, typed, described
// and used; no global keywords; stage, job names and image from inputs), and
// the project's own pipeline, which includes the components at the current
// commit, runs with gitlab-ci-local against real repositories.
package gitlab
