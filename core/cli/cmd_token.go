package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// TokenCreateOptions are the options of `savepoint token create`. The
// token commands work on the server's storage directly (run them on the
// server host), with the global flags' storage settings.
type TokenCreateOptions struct {
	Storage string
	Repo    string // a repository name or tokens.AllRepos
	Role    tokens.Role
	Expires time.Duration // 0: never
}

// TokenListOptions are the options of `savepoint token list`.
type TokenListOptions struct {
	Storage string
}

// TokenRevokeOptions are the options of `savepoint token revoke`.
type TokenRevokeOptions struct {
	Storage string
	ID      string
}

// tokenCommand groups the subcommands; each is defined like a command
// (define), and Parse names them "token create" and so on.
func tokenCommand() *cli.Command {
	return group("token", "create, list and revoke the tokens of a savepoint server (run on the server host)",
		define(&cli.Command{
			Name:  "create",
			Usage: "create a token and print it (once: only its hash is stored)",
			Flags: []cli.Flag{
				storageFlag(),
				&cli.StringFlag{Name: "repo", Usage: "the repository `NAME` the token is for (* for all)"},
				&cli.StringFlag{Name: "role", Usage: "`ROLE`: read (restore, verify), append (also save, never delete) or admin (also forget, prune)"},
				&cli.StringFlag{Name: "expires", Usage: "let the token expire after `DURATION` (e.g. 90d)"},
			},
		}, bindTokenCreate, runTokenCreate),
		define(&cli.Command{
			Name:  "list",
			Usage: "list the tokens (never their secrets)",
			Flags: []cli.Flag{storageFlag()},
		}, bindTokenList, runTokenList),
		define(&cli.Command{
			Name:      "revoke",
			Usage:     "revoke a token: every server refuses it within its --token-cache time",
			ArgsUsage: "ID",
			Flags:     []cli.Flag{storageFlag()},
		}, bindTokenRevoke, runTokenRevoke),
	)
}

// bindTokenStorage is --storage, which every token subcommand needs.
func bindTokenStorage(c *cli.Context) (string, error) {
	if s := c.String("storage"); s != "" {
		return s, nil
	}
	return "", usagef("%s: give --storage LOCATION, the --storage of 'savepoint serve'", commandName(c))
}

func bindTokenCreate(c *cli.Context) (TokenCreateOptions, error) {
	o := TokenCreateOptions{Repo: c.String("repo")}
	var err error
	if o.Storage, err = bindTokenStorage(c); err != nil {
		return o, err
	}
	if err := needArgs(c, 0, 0, "no arguments"); err != nil {
		return o, err
	}
	if o.Repo == "" {
		return o, usagef("token create: give --repo NAME (or '*' for every repository)")
	}
	if o.Repo != tokens.AllRepos {
		if err := protocol.CheckRepoName(o.Repo); err != nil {
			return o, usagef("token create: %v", err)
		}
	}
	if o.Role, err = tokens.ParseRole(c.String("role")); err != nil {
		return o, usagef("token create: --role: %v", err)
	}
	if v := c.String("expires"); v != "" {
		if o.Expires, err = retention.ParseDuration(v); err != nil || o.Expires <= 0 {
			return o, usagef("token create: --expires %q: give a duration such as 90d or 12h", v)
		}
	}
	return o, nil
}

func bindTokenList(c *cli.Context) (TokenListOptions, error) {
	storage, err := bindTokenStorage(c)
	if err == nil {
		err = needArgs(c, 0, 0, "no arguments")
	}
	return TokenListOptions{Storage: storage}, err
}

func bindTokenRevoke(c *cli.Context) (TokenRevokeOptions, error) {
	storage, err := bindTokenStorage(c)
	if err == nil {
		err = needArgs(c, 1, 1, "one token ID (see 'savepoint token list')")
	}
	return TokenRevokeOptions{Storage: storage, ID: c.Args().First()}, err
}

func openTokenStore(ctx context.Context, g *Globals, storage string) (*tokens.Store, error) {
	t, err := records.Open(ctx, storage, tokens.TableName, g.locationOptions())
	if err != nil {
		return nil, err
	}
	return tokens.NewStore(t, tokens.Options{}), nil
}

// tokenJSON is a token in --json output.
type tokenJSON struct {
	Token   string    `json:"token,omitempty"` // create only
	ID      string    `json:"id"`
	Repo    string    `json:"repo"`
	Role    string    `json:"role"`
	State   string    `json:"state"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"`
	Revoked time.Time `json:"revoked,omitzero"`
}

func toTokenJSON(t tokens.Token, now time.Time) tokenJSON {
	return tokenJSON{ID: t.ID, Repo: t.Repo, Role: string(t.Role), State: t.State(now), Created: t.Created, Expires: t.Expires, Revoked: t.Revoked}
}

// runTokenCreate prints the new token alone on stdout (so it can be piped
// into a secret store) and what it is on stderr.
func runTokenCreate(ctx context.Context, g *Globals, o TokenCreateOptions) error {
	stdout, stderr := g.Env.Stdout, g.Env.Stderr
	store, err := openTokenStore(ctx, g, o.Storage)
	if err != nil {
		return err
	}
	secret, t, err := store.Create(ctx, o.Repo, o.Role, o.Expires)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	if g.JSON {
		j := toTokenJSON(t, time.Now())
		j.Token = secret
		return printJSON(stdout, j)
	}
	fmt.Fprintln(stdout, secret)
	until := "never expires"
	if !t.Expires.IsZero() {
		until = "expires " + t.Expires.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(stderr, "token %s: repository %s, role %s, %s; shown only now, store it as a secret\n", t.ID, t.Repo, t.Role, until)
	return nil
}

func runTokenList(ctx context.Context, g *Globals, o TokenListOptions) error {
	stdout := g.Env.Stdout
	store, err := openTokenStore(ctx, g, o.Storage)
	if err != nil {
		return err
	}
	list, err := store.List(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if g.JSON {
		out := []tokenJSON{}
		for _, t := range list {
			out = append(out, toTokenJSON(t, now))
		}
		return printJSON(stdout, out)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREPOSITORY\tROLE\tSTATE\tCREATED\tEXPIRES")
	for _, t := range list {
		exp := "never"
		if !t.Expires.IsZero() {
			exp = t.Expires.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Repo, t.Role, t.State(now), t.Created.Local().Format("2006-01-02 15:04"), exp)
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, g *Globals, o TokenRevokeOptions) error {
	stdout := g.Env.Stdout
	store, err := openTokenStore(ctx, g, o.Storage)
	if err != nil {
		return err
	}
	t, err := store.Revoke(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	if g.JSON {
		return printJSON(stdout, toTokenJSON(t, time.Now()))
	}
	fmt.Fprintf(stdout, "revoked token %s (repository %s, role %s)\n", t.ID, t.Repo, t.Role)
	return nil
}
