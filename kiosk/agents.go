// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

// Agents (代办员, 帮办代办). An agent is a member of staff flagged agent in
// config ([[staff.members]] agent = true), signed in at a guide terminal. With
// the citizen's consent recorded, the agent takes over the citizen's matter:
// takes a ticket on the citizen's behalf (or takes over the one the citizen
// holds) and hands materials in. The ticket carries the agent and the
// citizen (its ID hash, and masked forms for people); the cases its
// acceptance opens carry the agent; every audit entry of the ticket names
// both (Hall.audit).

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"yichuang/config"
)

// Consent methods: how the citizen agreed to the agent handling the matter.
const (
	ConsentSignedForm      = "signed_form"      // a signed power of attorney (授权委托书)
	ConsentVerbalWitnessed = "verbal_witnessed" // said aloud before a second member of staff
	ConsentIDCardPlaced    = "id_card_placed"   // the citizen placed the ID card on the desk's reader
)

// Agency records that an agent handles a ticket for a citizen. The citizen
// is the ticket's IDHash; people see only the masked forms kept here.
type Agency struct {
	Agent       string    `json:"agent"` // the agent's staff id
	AgentName   string    `json:"agent_name"`
	CitizenName string    `json:"citizen_name_masked"`
	CitizenID   string    `json:"citizen_id_masked"`
	Consent     string    `json:"consent"`                // a Consent* method
	Witness     string    `json:"witness,omitempty"`      // verbal consent: the staff id who witnessed it
	ConsentForm string    `json:"consent_form,omitempty"` // the scanned consent form, a material id
	Terminal    string    `json:"terminal"`               // where the consent was taken
	Since       time.Time `json:"since"`
}

// Consent is how a citizen agreed to an agent's takeover.
type Consent struct {
	Method  string `json:"method"`
	Witness string `json:"witness,omitempty"`
	// Material is the scanned consent form (a material of the agent's
	// terminal); it is also handed in with the matter's materials.
	Material string `json:"material,omitempty"`
}

// TakeoverRequest asks for an agent's takeover of a citizen's matter: of a
// ticket the citizen holds (Ticket, its id, or Number, today's number), or
// of a new ticket taken on the citizen's behalf (Zone, Matter or Package,
// as a ticket issue asks).
type TakeoverRequest struct {
	Ticket         string    `json:"ticket,omitempty"`
	Number         string    `json:"number,omitempty"`
	Zone           string    `json:"zone,omitempty"`
	Matter         string    `json:"matter,omitempty"`
	Package        string    `json:"package,omitempty"`
	Priority       bool      `json:"priority,omitempty"`
	PriorityReason string    `json:"priority_reason,omitempty"`
	Applicant      Applicant `json:"applicant"`           // the citizen, from the card or keyed in
	Materials      []string  `json:"materials,omitempty"` // handed in with it, made at this terminal
	Delivery       *Delivery `json:"delivery,omitempty"`  // a new submission's; default pickup
	Consent        Consent   `json:"consent"`
	IdempotencyKey string    `json:"-"`
}

// AgentMatter is one of an agent's matters: the ticket and its cases.
type AgentMatter struct {
	Ticket       Ticket
	WaitingAhead int
	Cases        []Case
}

// Agent returns the member of staff id if config makes them an agent.
func (h *Hall) Agent(id string) (config.Member, bool) {
	for _, m := range h.cfg.Staff.Members {
		if m.ID == id && m.Agent {
			return m, true
		}
	}
	return config.Member{}, false
}

// agentOf returns the agent acting: a member flagged agent, signed in at a
// guide terminal.
func (h *Hall) agentOf(a Actor) (config.Member, error) {
	if a.Role != config.RoleGuide {
		return config.Member{}, forbidden("an agent works at a guide terminal, not a %s terminal", a.Role)
	}
	if a.Staff == "" {
		return config.Member{}, forbidden("请代办员登录工号 (an agent must sign in on this terminal)")
	}
	m, ok := h.Agent(a.Staff)
	if !ok {
		return config.Member{}, forbidden("%s 不是代办员 (not an agent)", a.Staff)
	}
	return m, nil
}

func (h *Hall) isMember(id string) bool {
	return slices.ContainsFunc(h.cfg.Staff.Members, func(m config.Member) bool { return m.ID == id })
}

// checkConsent validates a takeover's consent.
func (h *Hall) checkConsent(ctx context.Context, a Actor, c *Consent) error {
	c.Witness = strings.TrimSpace(c.Witness)
	switch c.Method {
	case ConsentSignedForm, ConsentIDCardPlaced:
	case ConsentVerbalWitnessed:
		if c.Witness == "" {
			return invalid("consent.witness", "口头委托需有见证人 (verbal consent names the member of staff who witnessed it)")
		}
	default:
		return invalid("consent.method", "%q is not %s, %s or %s", c.Method, ConsentSignedForm, ConsentVerbalWitnessed, ConsentIDCardPlaced)
	}
	if c.Witness != "" {
		if c.Witness == a.Staff {
			return invalid("consent.witness", "the witness is a member of staff other than the agent")
		}
		if !h.isMember(c.Witness) {
			return invalid("consent.witness", "no member of staff %q", c.Witness)
		}
	}
	if c.Material == "" {
		return nil
	}
	problem, err := h.checkMaterial(ctx, a, c.Material)
	if err != nil {
		return fmt.Errorf("kiosk: check consent form: %w", err)
	}
	if problem != "" {
		return invalid("consent.material", "%s: %s", c.Material, problem)
	}
	return nil
}

// withConsentForm lists the consent form among the materials handed in.
func withConsentForm(materials []string, c Consent) []string {
	out := slices.Clone(materials)
	if c.Material != "" && !slices.Contains(out, c.Material) {
		out = append(out, c.Material)
	}
	return out
}

func (h *Hall) agency(a Actor, m config.Member, sub *Submission, c Consent, now time.Time) *Agency {
	return &Agency{
		Agent: m.ID, AgentName: m.Name,
		CitizenName: MaskName(sub.Applicant.Name), CitizenID: MaskID(sub.Applicant.IDNumber),
		Consent: c.Method, Witness: c.Witness, ConsentForm: c.Material, Terminal: a.Terminal, Since: now,
	}
}

// recordTakeover audits and announces a takeover. h.mu is held.
func (h *Hall) recordTakeover(ch *Change, now time.Time, a Actor, t *Ticket) {
	g := t.Agent
	detail := "consent " + g.Consent
	if g.Witness != "" {
		detail += " witness " + g.Witness
	}
	if g.ConsentForm != "" {
		detail += " form " + g.ConsentForm
	}
	detail += "; citizen " + g.CitizenName + " " + g.CitizenID
	h.audit(ch, now, a, "agent.takeover", t, detail)
	e := h.event(ch, now, "agent.takeover", map[string]any{"id": t.ID, "number": t.Number, "zone": t.Zone, "agent": g.Agent})
	e.Terminal = a.Terminal
}

// TakeOver records an agent's takeover of a citizen's matter, with the
// citizen's consent: of a ticket the citizen holds, or of a new ticket
// taken on the citizen's behalf. Created says a new ticket was issued.
func (h *Hall) TakeOver(ctx context.Context, a Actor, r TakeoverRequest) (IssueResult, error) {
	m, err := h.agentOf(a)
	if err != nil {
		return IssueResult{}, err
	}
	if err := h.checkConsent(ctx, a, &r.Consent); err != nil {
		return IssueResult{}, err
	}
	if r.Ticket != "" || r.Number != "" {
		if r.Zone != "" || r.Matter != "" || r.Package != "" || r.Priority || r.PriorityReason != "" {
			return IssueResult{}, invalid("ticket", "take over a ticket the citizen holds, or take a new one: not both")
		}
		return h.takeOverTicket(ctx, a, m, r)
	}
	return h.takeOverNew(ctx, a, m, r)
}

// takeOverNew takes a ticket on the citizen's behalf; when the citizen holds
// one in the zone already (one ticket per ID), that one is taken over.
func (h *Hall) takeOverNew(ctx context.Context, a Actor, m config.Member, r TakeoverRequest) (IssueResult, error) {
	sub := &Submission{Applicant: r.Applicant, Materials: withConsentForm(r.Materials, r.Consent)}
	if r.Delivery != nil {
		sub.Delivery = *r.Delivery
	}
	req := IssueRequest{Zone: r.Zone, Matter: r.Matter, Package: r.Package, Priority: r.Priority, PriorityReason: r.PriorityReason,
		Submission: sub, IdempotencyKey: r.IdempotencyKey}
	if r.IdempotencyKey != "" {
		hr := r
		hr.IdempotencyKey = ""
		req.reqHash = h.requestHash("takeover", a.Terminal, hr)
	}
	res, err := h.issue(ctx, a, req, func(t *Ticket, ch *Change, now time.Time) {
		t.Agent = h.agency(a, m, t.Submission, r.Consent, now)
		h.recordTakeover(ch, now, a, t)
	})
	if err != nil || res.Created || res.Replay {
		return res, err
	}
	r.Ticket = res.Ticket.ID
	return h.takeOverTicket(ctx, a, m, r)
}

// takeOverTicket takes over a waiting ticket the citizen holds. The ticket's
// applicant, if any, must be the citizen; the materials are added to its
// submission (one is made from the citizen's card when it has none).
func (h *Hall) takeOverTicket(ctx context.Context, a Actor, m config.Member, r TakeoverRequest) (IssueResult, error) {
	cur, err := h.findTicket(ctx, r.Ticket, r.Number)
	if err != nil {
		return IssueResult{}, err
	}
	sub := Submission{Applicant: r.Applicant, Materials: withConsentForm(r.Materials, r.Consent)}
	switch {
	case cur.Submission != nil && r.Delivery != nil:
		return IssueResult{}, invalid("delivery", "ticket %s's submission says how the result is delivered already", cur.Number)
	case cur.Submission != nil:
		sub.Matter, sub.Delivery = cur.Submission.Matter, cur.Submission.Delivery
	case r.Delivery != nil:
		sub.Delivery = *r.Delivery
	}
	matters, err := h.mattersOf(&cur)
	if err != nil {
		return IssueResult{}, err
	}
	if len(matters) == 1 && sub.Matter == "" {
		sub.Matter = matters[0].Code
	}
	if err := h.checkSubmission(ctx, a, &sub, matters); err != nil {
		return IssueResult{}, err
	}
	idHash := h.IDHash(sub.Applicant.IDNumber)
	if cur.Submission != nil && h.IDHash(cur.Submission.Applicant.IDNumber) != idHash {
		return IssueResult{}, invalid("applicant.id_number", "ticket %s's applicant is another person: the citizen who holds it consents", cur.Number)
	}
	var res IssueResult
	err = h.apply(func(now time.Time, ch *Change) error {
		t, ok := h.tickets[cur.ID]
		if !ok {
			return notFound("no ticket %s", cur.Number)
		}
		if t.Agent != nil {
			if t.Agent.Agent == m.ID && t.IDHash == idHash { // a retry
				res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t), Replay: true}
				return nil
			}
			return conflict("ticket %s is handled by agent %s already", t.Number, t.Agent.Agent)
		}
		if t.Status != StatusWaiting {
			return conflict("ticket %s is %s: an agent takes over a waiting ticket", t.Number, t.Status)
		}
		if err := h.checkHolder(t, idHash); err != nil {
			return err
		}
		h.takeOver(ch, now, a, m, t, idHash, sub, r.Consent)
		res = IssueResult{Ticket: *t, WaitingAhead: h.ahead(t)}
		return nil
	})
	return res, err
}

// checkHolder checks that the citizen idHash may hold ticket t: t was taken
// with the citizen's card or none, and the citizen holds no other active
// ticket in t's zone. h.mu is held.
func (h *Hall) checkHolder(t *Ticket, idHash string) error {
	if t.IDHash != "" && t.IDHash != idHash {
		return invalid("applicant.id_number", "ticket %s was taken with another ID card: the citizen who holds it consents", t.Number)
	}
	today := h.day(h.now())
	n := 0
	for _, o := range h.byIDHash[idHash] {
		if o != t && o.Zone == t.Zone && o.Active() {
			return conflict("the citizen holds ticket %s in this zone already (请勿重复取号)", o.Number)
		}
		if o != t && o.Day == today {
			n++
		}
	}
	// taking over a ticket makes it the citizen's: the daily cap counts it
	if c := h.cfg.Queue.DailyCapPerID; c > 0 && t.IDHash != idHash && n >= c {
		return &Error{Kind: KindLimit, Field: "applicant.id_number", Msg: fmt.Sprintf("今日取号已达 %d 次上限，请到导办台咨询 (this ID has taken %d tickets today)", c, c)}
	}
	return nil
}

// takeOver puts ticket t in the agent's hands. h.mu is held.
func (h *Hall) takeOver(ch *Change, now time.Time, a Actor, m config.Member, t *Ticket, idHash string, sub Submission, c Consent) {
	merged := sub
	if t.Submission != nil {
		merged = *t.Submission
		merged.Materials = slices.Clone(merged.Materials)
		for _, id := range sub.Materials {
			if !slices.Contains(merged.Materials, id) {
				merged.Materials = append(merged.Materials, id)
			}
		}
	}
	for _, id := range sub.Materials {
		ch.MaterialLinks = append(ch.MaterialLinks, MaterialLink{MaterialID: id, TicketID: t.ID})
	}
	t.IDHash = idHash
	t.Submission = &merged
	t.Agent = h.agency(a, m, &sub, c, now)
	h.save(ch, t)
	h.recordTakeover(ch, now, a, t)
}

// findTicket returns an active ticket by id, or today's by number.
func (h *Hall) findTicket(ctx context.Context, id, number string) (Ticket, error) {
	if id != "" {
		t, _, err := h.Ticket(ctx, id)
		return t, err
	}
	number = CanonicalNumber(number)
	h.mu.Lock()
	defer h.mu.Unlock()
	today := h.day(h.now())
	for _, t := range h.tickets {
		if t.Number == number && (t.Day == today || t.Active()) && t.Status != StatusVoid {
			return *t, nil
		}
	}
	return Ticket{}, notFound("no ticket %s today", number)
}

// mattersOf returns the matters a ticket is for (none for a zone ticket).
func (h *Hall) mattersOf(t *Ticket) ([]*Matter, error) {
	if t.Matter != "" {
		m, ok := h.Catalog().Matter(t.Matter)
		if !ok {
			return nil, conflict("matter %s of ticket %s is no longer in the catalog", t.Matter, t.Number)
		}
		return []*Matter{m}, nil
	}
	if t.Package == "" {
		return nil, nil
	}
	p, ok := h.Catalog().Package(t.Package)
	if !ok {
		return nil, conflict("package %s of ticket %s is no longer in the catalog", t.Package, t.Number)
	}
	var out []*Matter
	for _, code := range p.Matters {
		if m, ok := h.Catalog().Matter(code); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// HandIn hands a material in on the citizen's behalf: it joins the
// submission of an active ticket the agent handles; consentForm records it
// as the scanned consent form too.
func (h *Hall) HandIn(ctx context.Context, a Actor, ticketID, materialID string, consentForm bool) (Ticket, error) {
	m, err := h.agentOf(a)
	if err != nil {
		return Ticket{}, err
	}
	problem, err := h.checkMaterial(ctx, a, materialID)
	if err != nil {
		return Ticket{}, fmt.Errorf("kiosk: hand in: %w", err)
	}
	if problem != "" {
		return Ticket{}, invalid("material_id", "%s: %s", materialID, problem)
	}
	var out Ticket
	err = h.apply(func(now time.Time, ch *Change) error {
		t, ok := h.tickets[ticketID]
		if !ok || !t.Active() {
			return conflict("ticket %s is not in the queue or at a window: hand materials in at the window", ticketID)
		}
		if t.Agent == nil || t.Agent.Agent != m.ID {
			return forbidden("ticket %s is not handled by agent %s", t.Number, m.ID)
		}
		h.handIn(ch, now, a, t, materialID, consentForm)
		out = *t
		return nil
	})
	return out, err
}

// handIn adds a material to t's submission. h.mu is held.
func (h *Hall) handIn(ch *Change, now time.Time, a Actor, t *Ticket, id string, consentForm bool) {
	sub := Submission{}
	if t.Submission != nil {
		sub = *t.Submission
	}
	added := !slices.Contains(sub.Materials, id)
	if added {
		sub.Materials = append(slices.Clone(sub.Materials), id)
		t.Submission = &sub
		ch.MaterialLinks = append(ch.MaterialLinks, MaterialLink{MaterialID: id, TicketID: t.ID})
	}
	action := "agent.hand_in"
	if consentForm && t.Agent.ConsentForm != id {
		g := *t.Agent
		g.ConsentForm = id
		t.Agent = &g
		action = "agent.consent_form"
	} else if !added {
		return
	}
	h.save(ch, t)
	h.audit(ch, now, a, action, t, id)
}

// AgentMatters returns an agent's current matters: the tickets the agent
// took over that are active or of today, and those with a case still open,
// each with its cases; active tickets first, then the newest.
func (h *Hall) AgentMatters(ctx context.Context, agent string) ([]AgentMatter, error) {
	out := h.agentTickets(agent)
	seen := map[string]bool{}
	for _, m := range out {
		seen[m.Ticket.ID] = true
	}
	open, err := h.store.Cases(ctx, CaseQuery{Agent: agent, Open: true, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("kiosk: agent matters: %w", err)
	}
	for _, c := range open {
		if seen[c.TicketID] {
			continue
		}
		seen[c.TicketID] = true
		t, ok, err := h.store.Ticket(ctx, c.TicketID)
		if err != nil {
			return nil, fmt.Errorf("kiosk: agent matters: %w", err)
		}
		if ok {
			out = append(out, AgentMatter{Ticket: *t})
		}
	}
	for i := range out {
		if out[i].Cases, err = h.store.Cases(ctx, CaseQuery{TicketID: out[i].Ticket.ID}); err != nil {
			return nil, fmt.Errorf("kiosk: agent matters: %w", err)
		}
	}
	slices.SortStableFunc(out, func(x, y AgentMatter) int {
		if ax, ay := x.Ticket.Active(), y.Ticket.Active(); ax != ay {
			if ax {
				return -1
			}
			return 1
		}
		return y.Ticket.IssuedAt.Compare(x.Ticket.IssuedAt)
	})
	return out, nil
}

// agentTickets copies the agent's tickets in memory that are active or of
// today (a voided one is no matter).
func (h *Hall) agentTickets(agent string) []AgentMatter {
	h.mu.Lock()
	defer h.mu.Unlock()
	today := h.day(h.now())
	var out []AgentMatter
	for _, t := range h.tickets {
		if t.Agent != nil && t.Agent.Agent == agent && t.Status != StatusVoid && (t.Active() || t.Day == today) {
			out = append(out, AgentMatter{Ticket: *t, WaitingAhead: h.ahead(t)})
		}
	}
	return out
}

// markAgent gives the cases a ticket's acceptance opens the ticket's agent.
func markAgent(t *Ticket, cs []Case) {
	if t.Agent == nil {
		return
	}
	for i := range cs {
		cs[i].Agent = t.Agent.Agent
	}
}

// addAgent counts an agent-handled ticket in the figures' agent counts.
func (f *Figures) addAgent(t *Ticket) {
	if t.Agent == nil {
		return
	}
	if t.Status != StatusVoid {
		f.AgentTickets++
	}
	if t.Status == StatusDone {
		f.AgentServed++
	}
}

// countCases counts cases as the stats do: a package by its parts.
func countCases(cs []Case) int {
	n := 0
	for _, c := range cs {
		if c.Package == "" || c.Parent != "" {
			n++
		}
	}
	return n
}

// agentFigures returns an agent's figures, made on first use.
func (s *Stats) agentFigures(agent string) *Figures {
	f := s.Agents[agent]
	if f == nil {
		f = newFigures()
		s.Agents[agent] = f
	}
	return f
}
