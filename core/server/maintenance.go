package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
	"github.com/savepoint-ci/savepoint/core/server/metrics"
	"github.com/savepoint-ci/savepoint/core/server/tokens"
	"github.com/savepoint-ci/savepoint/core/storage/remote/protocol"
)

// maxMaintenanceBody bounds the JSON options of a maintenance request.
const maxMaintenanceBody = 1 << 20

// handleMaintenance runs forget or prune next to the storage (POST
// /NAME/maintenance/OP) for an admin token, with the password the admin
// gave the server; without one it answers 501 and the client runs the
// operation across the network instead. The answer is the operation's
// JSON result, sent when it has finished.
func (s *Server) handleMaintenance(w http.ResponseWriter, r *http.Request) {
	tok, repo, ok := s.authenticate(w, r)
	op := r.PathValue("op")
	if !ok || !s.require(w, r, tok, tokens.RoleAdmin, op) {
		return
	}
	if op != "forget" && op != "prune" {
		writeError(w, r, http.StatusNotFound, protocol.Error{Code: protocol.CodeInvalid, Message: fmt.Sprintf("no maintenance operation %q (forget, prune)", op)})
		return
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxMaintenanceBody))
	dec.DisallowUnknownFields()
	var fo forget.Options
	var po prune.Options
	var in any = &po
	if op == "forget" {
		in = &fo
	}
	if err := dec.Decode(in); err != nil {
		writeError(w, r, http.StatusBadRequest, protocol.Error{Code: protocol.CodeInvalid, Message: op + " options: " + err.Error()})
		return
	}
	rp, err := repo.Open(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rp.Close()
	s.log.Info(op+" started", "request_id", RequestID(r), "repo", repo.Name, "token", tok.ID)
	started := s.o.Now()
	var out any
	switch op {
	case "forget":
		out, err = forget.Run(r.Context(), rp, fo, s.o.Now())
	case "prune":
		host, _ := os.Hostname()
		po.Host, po.Now = "savepoint serve on "+host, s.o.Now
		out, err = prune.Run(r.Context(), rp, po)
	}
	repo.Changed()
	s.ended(r, repo.Name, op, started, fo.DryRun || po.DryRun, err)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info(op+" finished", "request_id", RequestID(r), "repo", repo.Name)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

// ended reports a server-side maintenance request that ended to the
// metrics, as a job of its kind. A request cut off by its client counts
// as cancelled.
func (s *Server) ended(r *http.Request, repo, kind string, started time.Time, dryRun bool, err error) {
	result := metrics.Succeeded
	switch {
	case r.Context().Err() != nil:
		result = metrics.Cancelled
	case err != nil:
		result = metrics.Failed
	}
	ctx := context.WithoutCancel(r.Context())
	s.metrics.JobEnded(ctx, metrics.Job{Repo: repo, Kind: kind, Result: result, Started: started, Ended: s.o.Now(), Err: err, DryRun: dryRun})
}
