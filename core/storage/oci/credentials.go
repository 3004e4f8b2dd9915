package oci

import (
	"fmt"
	"strings"
)

// Credentials picks the registry credentials for host, in this order:
//
//  1. explicit: user and the password read from the environment variable
//     named passwordEnv;
//  2. GitHub: for ghcr.io, the token in GITHUB_TOKEN or INPUT_TOKEN (the
//     action's `token` input), user GITHUB_ACTOR or "token";
//  3. GitLab: CI_REGISTRY_USER / CI_REGISTRY_PASSWORD when host is the job's
//     CI_REGISTRY;
//  4. nothing: empty user and password, and New falls back to the docker
//     keychain (config.json, credential helpers).
//
// An explicit user without a password uses the password of rule 2 or 3
// when one applies. Errors name variables, never their values.
func Credentials(host, user, passwordEnv string, getenv func(string) string) (username, password string, err error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	convUser, convPass, convFrom := conventional(host, getenv)
	switch {
	case passwordEnv != "":
		password = getenv(passwordEnv)
		if password == "" {
			return "", "", fmt.Errorf("environment variable %s, which should hold the registry password, is empty or not set: %w", passwordEnv, ErrIncompleteCredentials)
		}
		username = user
		if username == "" {
			username = convUser
		}
		if username == "" && host == "ghcr.io" {
			username = getenv("GITHUB_ACTOR") // GHCR checks the token, not the user
			if username == "" {
				username = "token"
			}
		}
		if username == "" {
			return "", "", fmt.Errorf("a registry password (in %s) but no user for %s: %w", passwordEnv, host, ErrIncompleteCredentials)
		}
		return username, password, nil
	case user != "":
		if convPass == "" {
			return "", "", fmt.Errorf("registry user %s but no password: %w", user, ErrIncompleteCredentials)
		}
		return user, convPass, nil
	case convFrom != "":
		return convUser, convPass, nil
	}
	return "", "", nil
}

// conventional returns the credentials the CI platform gives a job for host.
func conventional(host string, getenv func(string) string) (user, pass, from string) {
	if host == "ghcr.io" {
		tok, from := getenv("GITHUB_TOKEN"), "GITHUB_TOKEN"
		if tok == "" {
			tok, from = getenv("INPUT_TOKEN"), "INPUT_TOKEN"
		}
		if tok != "" {
			user := getenv("GITHUB_ACTOR")
			if user == "" {
				user = "token"
			}
			return user, tok, from
		}
	}
	if reg := getenv("CI_REGISTRY"); reg != "" && strings.EqualFold(reg, host) {
		u, p := getenv("CI_REGISTRY_USER"), getenv("CI_REGISTRY_PASSWORD")
		if u != "" && p != "" {
			return u, p, "CI_REGISTRY_USER"
		}
	}
	return "", "", ""
}
