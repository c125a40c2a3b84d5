package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/dbscim/dbscim/engine/resource"
	"github.com/dbscim/dbscim/engine/scim"
)

// AuditEvent is one attempted change, written to the log and to the audit file as
// one JSON object. It says who (Caller: which token or user, never a secret) did
// what (Operation on Resource Id/UserName of Target) and with what outcome (the HTTP
// status answered). Attribute values other than userName, a group's displayName and
// the values granted, revoked, added or removed are left out: they are personal data
// that the audit trail does not need.
type AuditEvent struct {
	Time      time.Time `json:"time"`
	Target    string    `json:"target"`
	Resource  string    `json:"resource"`
	Operation string    `json:"operation"`
	ID        string    `json:"id,omitempty"`
	UserName  string    `json:"userName,omitempty"`
	// DisplayName names a group.
	DisplayName string `json:"displayName,omitempty"`
	// Values are what a grant, revoke or membership change adds or removes: the
	// entitlement or role values, or the member ids.
	Values  []string `json:"values,omitempty"`
	Outcome int      `json:"outcome"`
	// LateOutcome is the status the change reached after the server had
	// answered the client 503 at the request's deadline: 2xx says the change was
	// made although the client was told it timed out. Absent otherwise.
	LateOutcome int    `json:"lateOutcome,omitempty"`
	ScimType    string `json:"scimType,omitempty"`
	Caller      string `json:"caller"`
	RequestID   string `json:"requestId,omitempty"`
	Remote      string `json:"remote,omitempty"`
}

// auditTrail collects the changes one request attempts. The target's store wrapper
// fills it in as the store is called; the server writes it out with the status
// that was finally answered. One SCIM request makes at most one change today, but a
// bulk request would make several.
type auditTrail struct {
	mu     sync.Mutex
	caller string
	events []AuditEvent
}

func (a *auditTrail) add(e AuditEvent) {
	if a == nil {
		return
	}
	a.mu.Lock()
	a.events = append(a.events, e)
	a.mu.Unlock()
}

// trailOf is the audit trail of the request whose context ctx is, or nil.
func trailOf(ctx context.Context) *auditTrail {
	if i := requestInfoOf(ctx); i != nil {
		return &i.trail
	}
	return nil
}

// auditSink writes audit events to the log and, when configured, appends them to a
// file. The file is reopened on every reload, so that logrotate's "move, then
// SIGHUP" works.
type auditSink struct {
	log  *slog.Logger
	m    *metrics
	mu   sync.Mutex
	path string
	file *os.File
}

// open (re)opens the audit file at path; "" closes it. On error the sink keeps its
// current file, and the caller refuses the configuration that asked for it.
func (s *auditSink) open(path string) error {
	var f *os.File
	if path != "" {
		var err error
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("audit_file: %w", err)
		}
	}
	s.mu.Lock()
	old := s.file
	s.path, s.file = path, f
	s.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

func (s *auditSink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file != nil {
		s.file.Close()
		s.file = nil
	}
}

func (s *auditSink) write(e AuditEvent) {
	s.log.Info("audit", "target", e.Target, "resource", e.Resource, "operation", e.Operation, "id", e.ID,
		"userName", e.UserName, "outcome", e.Outcome, "scimType", e.ScimType, "caller", e.Caller,
		"request_id", e.RequestID, "remote", e.Remote)
	outcome := "done"
	if e.Outcome >= 400 && (e.LateOutcome == 0 || e.LateOutcome >= 400) {
		outcome = "refused"
	}
	if e.LateOutcome != 0 {
		s.log.Warn("audit: a change answered 503 at its deadline finished afterwards", "target", e.Target,
			"operation", e.Operation, "id", e.ID, "outcome", e.Outcome, "lateOutcome", e.LateOutcome, "request_id", e.RequestID)
	}
	s.m.audit.WithLabelValues(e.Target, e.Operation, outcome).Inc()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.file == nil {
		return
	}
	line, err := json.Marshal(e)
	if err == nil {
		// One write per event: with O_APPEND each line lands whole even when
		// another process appends to the same file.
		_, err = s.file.Write(append(line, '\n'))
	}
	if err != nil {
		s.m.auditFail.Inc()
		s.log.Error("cannot write the audit file", "path", s.path, "error", err.Error())
	}
}

// observedStore wraps a target's resource.Store: it times each operation for the
// operation latency histogram and notes each attempted change in the request's
// audit trail. Doing this at the store rather than parsing HTTP bodies gives the
// normalised resource (userName whatever the client's casing) and the id the
// database assigned.
type observedStore struct {
	inner    resource.Store
	target   string
	resource string // "User"
	m        *metrics
	// operations are the store's series of the operation latency histogram.
	operations *series[operationKey, prometheus.Observer]
}

func newObservedStore(inner resource.Store, target, res string, m *metrics) *observedStore {
	return &observedStore{inner: inner, target: target, resource: res, m: m,
		operations: newSeries(func(k operationKey) prometheus.Observer {
			return m.operations.WithLabelValues(target, res, k.op, k.outcome)
		})}
}

func (s *observedStore) observe(op string, start time.Time, err error) {
	s.operations.get(operationKey{op, outcomeLabel(err)}).Observe(time.Since(start).Seconds())
}

func (s *observedStore) note(ctx context.Context, id string, res resource.Resource, c resource.Change) {
	op, values := c.Summary()
	e := AuditEvent{Target: s.target, Resource: s.resource, Operation: op, ID: id, Values: values}
	e.UserName = stringAttr(res, "userName")
	if e.UserName == "" {
		e.UserName = c.Sets("userName")
	}
	e.DisplayName = stringAttr(res, "displayName")
	if e.DisplayName == "" {
		e.DisplayName = c.Sets("displayName")
	}
	if e.UserName != "" {
		e.DisplayName = "" // a user's display name is personal data the userName already covers
	}
	if e.ID == "" {
		e.ID, _ = res["id"].(string)
	}
	trailOf(ctx).add(e)
}

// Get implements resource.Store.
func (s *observedStore) Get(ctx context.Context, id string, p resource.Projection) (resource.Resource, error) {
	start := time.Now()
	r, err := s.inner.Get(ctx, id, p)
	s.observe("get", start, err)
	return r, err
}

// GetRow implements resource.RowGetter for a store that does; for another, it
// returns no row, and the handler asks Get.
func (s *observedStore) GetRow(ctx context.Context, id string, p resource.Projection) (*resource.Rows, error) {
	rg, ok := s.inner.(resource.RowGetter)
	if !ok {
		return nil, nil
	}
	start := time.Now()
	rows, err := rg.GetRow(ctx, id, p)
	if rows != nil || err != nil {
		s.observe("get", start, err)
	}
	return rows, err
}

// List implements resource.Store.
func (s *observedStore) List(ctx context.Context, q resource.Query) (*resource.Page, error) {
	start := time.Now()
	p, err := s.inner.List(ctx, q)
	s.observe("list", start, err)
	return p, err
}

// Create implements resource.Store.
func (s *observedStore) Create(ctx context.Context, c resource.Change) (resource.Resource, error) {
	start := time.Now()
	out, err := s.inner.Create(ctx, c)
	s.observe("create", start, err)
	s.note(ctx, "", out, c)
	return out, err
}

// Replace implements resource.Store.
func (s *observedStore) Replace(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	start := time.Now()
	out, err := s.inner.Replace(ctx, id, c)
	s.observe("replace", start, err)
	s.note(ctx, id, out, c)
	return out, err
}

// Patch implements resource.Store. The metrics and the audit name a patch by what the
// change does (Change.Summary): activate, deactivate, grant, revoke, add_members,
// remove_members or patch. That is what an auditor looks for.
func (s *observedStore) Patch(ctx context.Context, id string, c resource.Change) (resource.Resource, error) {
	op, _ := c.Summary()
	start := time.Now()
	out, err := s.inner.Patch(ctx, id, c)
	s.observe(op, start, err)
	s.note(ctx, id, out, c)
	return out, err
}

// Delete implements resource.Store.
func (s *observedStore) Delete(ctx context.Context, id string) error {
	start := time.Now()
	err := s.inner.Delete(ctx, id)
	s.observe("delete", start, err)
	trailOf(ctx).add(AuditEvent{Target: s.target, Resource: s.resource, Operation: "delete", ID: id})
	return err
}

func outcomeLabel(err error) string {
	if err == nil {
		return "ok"
	}
	if e, ok := scim.AsError(err); ok && e.Status >= 400 && e.Status < 500 {
		return "client_error"
	}
	return "server_error"
}

// stringAttr reads a top-level string attribute whatever its case.
func stringAttr(r resource.Resource, name string) string {
	for k, v := range r {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}
