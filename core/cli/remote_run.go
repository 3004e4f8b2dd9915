package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/savepoint-ci/savepoint/core/location"
	"github.com/savepoint-ci/savepoint/core/server/client"
	"github.com/savepoint-ci/savepoint/core/server/jobs"
	"github.com/savepoint-ci/savepoint/core/server/schedules"
	"github.com/savepoint-ci/savepoint/core/storage/remote"
)

// remoteClient is the management API client of the server --repo names,
// with the repository's name there.
func remoteClient(g *Globals) (*client.Client, string, error) {
	if location.Scheme(g.Repo) != "server" {
		return nil, "", usagef("remote: --repo (or SAVEPOINT_REPOSITORY) must name a repository on a savepoint server: https://HOST[:PORT]/NAME")
	}
	u, name, err := remote.ParseURL(g.Repo)
	if err != nil {
		return nil, "", err
	}
	opts := g.locationOptions()
	token, err := location.ServerToken(opts)
	if err != nil {
		return nil, "", err
	}
	c, err := client.New(client.Options{URL: u.Scheme + "://" + u.Host, Token: token, CAFile: location.ServerCAFile(opts)})
	return c, name, err
}

// remoteCall makes one call of the management API of the server --repo
// names: call gets the client and the repository's name there. A failed
// call's error starts with what (the command); the client returned serves
// further calls.
func remoteCall[T any](g *Globals, what string, call func(c *client.Client, repo string) (T, error)) (T, *client.Client, error) {
	var v T
	c, name, err := remoteClient(g)
	if err != nil {
		return v, nil, err
	}
	if v, err = call(c, name); err != nil {
		return v, nil, fmt.Errorf("%s: %w", what, err)
	}
	return v, c, nil
}

// remoteByID makes call on the object id (a job, a schedule) of the
// server --repo names (remoteCall).
func remoteByID[T any](ctx context.Context, g *Globals, what string, call func(*client.Client, context.Context, string) (T, error), id string) (T, *client.Client, error) {
	return remoteCall(g, what, func(c *client.Client, _ string) (T, error) { return call(c, ctx, id) })
}

// printResult prints v as JSON with --json, else as text writes it.
func printResult[T any](g *Globals, v T, text func(w io.Writer, v T)) error {
	if g.JSON {
		return printJSON(g.Env.Stdout, v)
	}
	text(g.Env.Stdout, v)
	return nil
}

func runRemoteJobStart(ctx context.Context, g *Globals, o RemoteJobStartOptions) error {
	j, c, err := remoteCall(g, "remote jobs start", func(c *client.Client, repo string) (jobs.Job, error) {
		return c.StartJob(ctx, repo, o.Spec)
	})
	if err != nil {
		return err
	}
	if o.Wait {
		if !g.Quiet {
			fmt.Fprintf(g.Env.Stderr, "started %s job %s on %s\n", j.Spec.Kind, j.ID, j.Repository)
		}
		return followJob(ctx, g, c, j)
	}
	return printResult(g, j, func(w io.Writer, j jobs.Job) {
		fmt.Fprintln(w, j.ID)
		if !g.Quiet {
			fmt.Fprintf(g.Env.Stderr, "started %s job %s on %s; follow it with 'savepoint remote jobs status --wait %s'\n", j.Spec.Kind, j.ID, j.Repository, j.ID)
		}
	})
}

func runRemoteJobStatus(ctx context.Context, g *Globals, o RemoteJobOptions) error {
	j, c, err := remoteByID(ctx, g, "remote jobs status", (*client.Client).Job, o.ID)
	if err != nil {
		return err
	}
	if o.Wait {
		return followJob(ctx, g, c, j)
	}
	return printResult(g, j, func(_ io.Writer, j jobs.Job) { printJob(g, j, true) })
}

func runRemoteJobCancel(ctx context.Context, g *Globals, o RemoteJobOptions) error {
	j, c, err := remoteByID(ctx, g, "remote jobs cancel", (*client.Client).CancelJob, o.ID)
	for err == nil && o.Wait && !j.State.Final() {
		if err = sleepCtx(ctx, pollInterval); err == nil {
			j, err = c.Job(ctx, o.ID)
		}
	}
	if err != nil {
		return err
	}
	return printResult(g, j, func(w io.Writer, j jobs.Job) {
		if j.State.Final() {
			fmt.Fprintf(w, "job %s %s\n", j.ID, j.State)
		} else {
			fmt.Fprintf(w, "job %s: cancel requested\n", j.ID)
		}
	})
}

func runRemoteJobList(ctx context.Context, g *Globals, o RemoteListOptions) error {
	return printRemoteList(ctx, g, o, "remote jobs list", (*client.Client).Jobs,
		"ID\tREPOSITORY\tKIND\tSTATE\tSTARTED\tDURATION\tBY", func(j jobs.Job) []string {
			return []string{j.ID, j.Repository, string(j.Spec.Kind), stateText(j),
				j.Started.Local().Format("2006-01-02 15:04:05"), jobDuration(j), startedBy(j)}
		})
}

// printRemoteList prints what list returns for --repo's repository (for
// every repository the token covers with --all): as JSON, or as a table
// under header (tab-separated columns) with one row an item.
func printRemoteList[T any](ctx context.Context, g *Globals, o RemoteListOptions, what string,
	list func(*client.Client, context.Context, string) ([]T, error), header string, row func(T) []string) error {
	items, _, err := remoteCall(g, what, func(c *client.Client, repo string) ([]T, error) {
		if o.All {
			repo = ""
		}
		return list(c, ctx, repo)
	})
	if err != nil {
		return err
	}
	if g.JSON {
		return printJSON(g.Env.Stdout, items)
	}
	tw := tabwriter.NewWriter(g.Env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, strings.Join(row(it), "\t"))
	}
	return tw.Flush()
}

func stateText(j jobs.Job) string {
	if j.Code != "" && string(j.Code) != string(j.State) {
		return string(j.State) + " (" + string(j.Code) + ")"
	}
	return string(j.State)
}

// startedBy is who started the job: its schedule, or the token (its ID).
func startedBy(j jobs.Job) string {
	if j.Schedule != "" {
		return "schedule " + j.Schedule
	}
	return j.By
}

func jobDuration(j jobs.Job) string {
	end := j.Finished
	if end.IsZero() {
		end = time.Now()
	}
	return end.Sub(j.Started).Round(time.Second).String()
}

// printJob prints a job as text; withLog adds its log lines.
func printJob(g *Globals, j jobs.Job, withLog bool) {
	w := g.Env.Stdout
	fmt.Fprintf(w, "job %s: %s %s on %s, %s\n", j.ID, j.Spec.Kind, stateText(j), j.Repository, jobDuration(j))
	if j.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", j.Error)
	}
	if j.Spec.Kind == jobs.KindSync {
		fmt.Fprintf(w, "  sync: %s from %s\n", j.Spec.Selection(), j.Spec.From.Repo)
		if r := jobs.SyncResultOf(j); r != nil {
			fmt.Fprintf(w, "  %d copied, %d present already, %s written\n", len(r.Copied), r.Present, BytesHuman(r.Bytes))
		}
	}
	if p := j.Progress; p != nil && !j.State.Final() {
		fmt.Fprintf(w, "  progress: [%s] %d files, %s, %s/s\n", p.Phase, p.Files, BytesHuman(p.Bytes), BytesHuman(int64(p.Rate)))
	}
	if withLog {
		for _, l := range j.Log {
			fmt.Fprintf(w, "  %s %s\n", l.Time.Local().Format("15:04:05"), l.Text)
		}
	}
}

func runRemoteScheduleList(ctx context.Context, g *Globals, o RemoteListOptions) error {
	return printRemoteList(ctx, g, o, "remote schedules list", (*client.Client).Schedules,
		"ID\tREPOSITORY\tKIND\tCRON\tNEXT RUN\tLAST JOB", func(s schedules.Schedule) []string {
			return []string{s.ID, s.Repository, string(s.Spec.Kind), s.Cron, s.Next.UTC().Format(time.RFC3339), lastJob(s)}
		})
}

// lastJob is the job the schedule started last, or why it could not.
func lastJob(s schedules.Schedule) string {
	if s.LastError != "" {
		return "not started: " + s.LastError
	}
	return s.LastJob
}

func runRemoteScheduleAdd(ctx context.Context, g *Globals, o RemoteScheduleAddOptions) error {
	s, _, err := remoteCall(g, "remote schedules add", func(c *client.Client, repo string) (schedules.Schedule, error) {
		return c.AddSchedule(ctx, repo, o.Cron, o.Spec)
	})
	if err != nil {
		return err
	}
	return printResult(g, s, func(w io.Writer, s schedules.Schedule) {
		fmt.Fprintln(w, s.ID)
		if !g.Quiet {
			fmt.Fprintf(g.Env.Stderr, "schedule %s: %s job on %s at %q, next run %s\n", s.ID, s.Spec.Kind, s.Repository, s.Cron, s.Next.UTC().Format(time.RFC3339))
		}
	})
}

func runRemoteScheduleRemove(ctx context.Context, g *Globals, o RemoteScheduleRemoveOptions) error {
	s, _, err := remoteByID(ctx, g, "remote schedules remove", (*client.Client).RemoveSchedule, o.ID)
	if err != nil {
		return err
	}
	return printResult(g, s, func(w io.Writer, s schedules.Schedule) {
		fmt.Fprintf(w, "removed schedule %s (%s job on %s at %s)\n", s.ID, s.Spec.Kind, s.Repository, strings.TrimSpace(s.Cron))
	})
}
