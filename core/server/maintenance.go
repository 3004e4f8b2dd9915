package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/savepoint-ci/savepoint/core/forget"
	"github.com/savepoint-ci/savepoint/core/prune"
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
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info(op+" finished", "request_id", RequestID(r), "repo", repo.Name)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}
