package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/retention"
	"github.com/savepoint-ci/savepoint/core/server/records"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// TokenOptions are the settings of `savepoint token create|list|revoke`,
// which work on the server's storage directly (run them on the server host).
type TokenOptions struct {
	Storage  string
	Repo     string        // create: a repository name or "*"
	Role     tokens.Role   // create
	Expires  time.Duration // create: 0 never
	ID       string        // revoke
	JSON     bool
	Location location.Options
}

func tokenCommand(env Env) *cli.Command {
	opts := func(c *cli.Context) (TokenOptions, error) {
		o := TokenOptions{Storage: c.String("storage"), JSON: c.Bool("json"), Location: locationOptions(c, env)}
		if o.Storage == "" {
			return o, usagef("token %s: give --storage LOCATION, the --storage of 'savepoint serve'", c.Command.Name)
		}
		return o, nil
	}
	return &cli.Command{
		Name:  "token",
		Usage: "create, list and revoke the tokens of a savepoint server (run on the server host)",
		Subcommands: []*cli.Command{
			{
				Name:  "create",
				Usage: "create a token and print it (once: only its hash is stored)",
				Flags: []cli.Flag{
					storageFlag(),
					&cli.StringFlag{Name: "repo", Usage: "the repository `NAME` the token is for (* for all)"},
					&cli.StringFlag{Name: "role", Usage: "`ROLE`: read (restore, verify), append (also save, never delete) or admin (also forget, prune)"},
					&cli.StringFlag{Name: "expires", Usage: "let the token expire after `DURATION` (e.g. 90d)"},
				},
				Action: func(c *cli.Context) error {
					o, err := opts(c)
					if err != nil {
						return err
					}
					if err := needArgs(c, 0, 0, "no arguments"); err != nil {
						return err
					}
					o.Repo = c.String("repo")
					if o.Repo == "" {
						return usagef("token create: give --repo NAME (or '*' for every repository)")
					}
					if o.Repo != tokens.AllRepos {
						if err := protocol.CheckRepoName(o.Repo); err != nil {
							return usagef("token create: %v", err)
						}
					}
					if o.Role, err = tokens.ParseRole(c.String("role")); err != nil {
						return usagef("token create: --role: %v", err)
					}
					if v := c.String("expires"); v != "" {
						if o.Expires, err = retention.ParseDuration(v); err != nil || o.Expires <= 0 {
							return usagef("token create: --expires %q: give a duration such as 90d or 12h", v)
						}
					}
					return runTokenCreate(c.Context, o, env.Stdout, env.Stderr)
				},
			},
			{
				Name:  "list",
				Usage: "list the tokens (never their secrets)",
				Flags: []cli.Flag{storageFlag()},
				Action: func(c *cli.Context) error {
					o, err := opts(c)
					if err != nil {
						return err
					}
					return runTokenList(c.Context, o, env.Stdout)
				},
			},
			{
				Name:      "revoke",
				Usage:     "revoke a token: every server refuses it within its --token-cache time",
				ArgsUsage: "ID",
				Flags:     []cli.Flag{storageFlag()},
				Action: func(c *cli.Context) error {
					o, err := opts(c)
					if err != nil {
						return err
					}
					if err := needArgs(c, 1, 1, "one token ID (see 'savepoint token list')"); err != nil {
						return err
					}
					o.ID = c.Args().First()
					return runTokenRevoke(c.Context, o, env.Stdout)
				},
			},
		},
	}
}

func openTokenStore(ctx context.Context, o TokenOptions) (*tokens.Store, error) {
	t, err := records.Open(ctx, o.Storage, tokens.TableName, o.Location)
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
func runTokenCreate(ctx context.Context, o TokenOptions, stdout, stderr io.Writer) error {
	store, err := openTokenStore(ctx, o)
	if err != nil {
		return err
	}
	secret, t, err := store.Create(ctx, o.Repo, o.Role, o.Expires)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	if o.JSON {
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

func runTokenList(ctx context.Context, o TokenOptions, stdout io.Writer) error {
	store, err := openTokenStore(ctx, o)
	if err != nil {
		return err
	}
	list, err := store.List(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	if o.JSON {
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

func runTokenRevoke(ctx context.Context, o TokenOptions, stdout io.Writer) error {
	store, err := openTokenStore(ctx, o)
	if err != nil {
		return err
	}
	t, err := store.Revoke(ctx, o.ID)
	if err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	if o.JSON {
		return printJSON(stdout, toTokenJSON(t, time.Now()))
	}
	fmt.Fprintf(stdout, "revoked token %s (repository %s, role %s)\n", t.ID, t.Repo, t.Role)
	return nil
}
