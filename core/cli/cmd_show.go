package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

func showCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "show a snapshot's details and stats",
		ArgsUsage: "SNAPSHOT",
		Action: func(c *cli.Context) error {
			if err := needArgs(c, 1, 1, "one SNAPSHOT"); err != nil {
				return err
			}
			repo, err := openRepo(c, env)
			if err != nil {
				return err
			}
			defer repo.Close()
			s, err := findSnapshot(c, repo, c.Args().Get(0))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return printJSON(env.Stdout, ToJSON(s))
			}
			w := env.Stdout
			kind := "snapshot"
			if s.Checkpoint {
				kind = "checkpoint"
			}
			fmt.Fprintf(w, "%s %s\n", kind, s.ID)
			fmt.Fprintf(w, "  time           %s\n", s.Time.Local().Format("2006-01-02 15:04:05 MST"))
			fmt.Fprintf(w, "  host           %s\n", s.Hostname)
			if s.Name != "" {
				fmt.Fprintf(w, "  name           %s\n", s.Name)
			}
			if len(s.Tags) > 0 {
				fmt.Fprintf(w, "  tags           %s\n", strings.Join(s.Tags, ", "))
			}
			if len(s.Paths) > 0 {
				fmt.Fprintf(w, "  paths          %s\n", strings.Join(s.Paths, " "))
			}
			for _, src := range s.Sources {
				switch src.Kind {
				case "image":
					fmt.Fprintf(w, "  image          %s = %s@%s\n", src.Name, src.Image, src.Digest)
				default:
					fmt.Fprintf(w, "  %-14s %s (%s)\n", src.Kind, src.Name, BytesHuman(int64(src.Size)))
				}
			}
			if s.Parent != nil {
				fmt.Fprintf(w, "  parent         %s\n", s.Parent.Short())
			}
			keys := make([]string, 0, len(s.Provenance))
			for k := range s.Provenance {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(w, "  %-14s %s\n", k, s.Provenance[k])
			}
			printStats(w, s)
			return nil
		},
	}
}
