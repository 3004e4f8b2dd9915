package capture

import "regexp"

var (
	urlCredentials = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^@\s]*@`)
	secretAssign   = regexp.MustCompile(`(?i)\b([A-Z0-9_-]*(?:password|passwd|token|secret))(=|\s*:\s*)('[^']*'|"[^"]*"|[^\s'"]+)`)
	secretFlag     = regexp.MustCompile(`(?i)(\s--?[A-Z0-9-]*(?:password|passwd|token|secret))(\s+)('[^']*'|"[^"]*"|[^\s'"]+)`)
)

// Redact hides credentials in a command line before it is shown or
// stored for information: passwords in URLs (postgres://u:PW@host) and
// values of password=, token=, PGPASSWORD=... assignments. Restore
// commands are stored verbatim (rollback runs them) and redacted only when
// printed; pass secrets through the environment (PGPASSWORD, .pgpass)
// rather than the command line.
func Redact(cmd string) string {
	cmd = urlCredentials.ReplaceAllString(cmd, "$1:***@")
	cmd = secretAssign.ReplaceAllString(cmd, "$1$2***")
	return secretFlag.ReplaceAllString(cmd, "$1$2***")
}
