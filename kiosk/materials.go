// SPDX-License-Identifier: AGPL-3.0-or-later

package kiosk

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Material is one document a citizen handed in: a scan or an upload, kept
// as one PDF.
type Material struct {
	ID        string    `json:"material_id"`
	Terminal  string    `json:"terminal"` // the terminal that made it
	Source    string    `json:"source"`   // scan | upload
	Kind      string    `json:"kind"`     // what was uploaded: pdf, jpeg, png; scans: scan
	Pages     int       `json:"pages"`
	Size      int       `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

var reMaterialID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// ValidMaterialID reports whether id has the form of a material id (so it
// can never name a path outside the materials folder).
func ValidMaterialID(id string) bool { return reMaterialID.MatchString(id) }

// AddMaterial stores a validated document as a material of the actor's
// terminal.
func (h *Hall) AddMaterial(ctx context.Context, a Actor, source, kind string, doc []byte, pages int) (Material, error) {
	return h.addMaterial(ctx, a, randomHex(16), source, kind, doc, pages)
}

// AddMaterialKeyed is AddMaterial under the caller's idempotency key: the
// same key from the same terminal gives the material the first upload
// made (replay true), so a retried upload stores nothing twice. The id is
// a keyed hash of the terminal and the key, as unguessable as a random one.
func (h *Hall) AddMaterialKeyed(ctx context.Context, a Actor, key, source, kind string, doc []byte, pages int) (m Material, replay bool, err error) {
	if !reIdemKey.MatchString(key) {
		return Material{}, false, invalid("Idempotency-Key", "1 to 128 printable characters")
	}
	mac := hmac.New(sha256.New, h.idKey)
	mac.Write([]byte("material|" + a.Terminal + "|" + key))
	id := hex.EncodeToString(mac.Sum(nil)[:16])
	// the key is bound to its body: the same key with another document
	// (or the same bytes as another kind) is refused, never answered with
	// the first material
	sum := sha256.Sum256(doc)
	same := func(old Material) error {
		if old.SHA256 != hex.EncodeToString(sum[:]) || old.Kind != kind || old.Source != source {
			return keyReused()
		}
		return nil
	}
	if old, _, ok, err := h.store.Material(ctx, id); err != nil {
		return Material{}, false, fmt.Errorf("kiosk: material: %w", err)
	} else if ok {
		if err := same(old); err != nil {
			return Material{}, false, err
		}
		return old, true, nil
	}
	m, err = h.addMaterial(ctx, a, id, source, kind, doc, pages)
	if err != nil {
		// the same key at the same moment: the other upload stored it
		if old, _, ok, gerr := h.store.Material(ctx, id); gerr == nil && ok {
			if err := same(old); err != nil {
				return Material{}, false, err
			}
			return old, true, nil
		}
	}
	return m, false, err
}

func (h *Hall) addMaterial(ctx context.Context, a Actor, id, source, kind string, doc []byte, pages int) (Material, error) {
	sum := sha256.Sum256(doc)
	m := Material{
		ID: id, Terminal: a.Terminal, Source: source, Kind: kind, Pages: pages, Size: len(doc),
		SHA256: hex.EncodeToString(sum[:]), CreatedAt: h.now(),
	}
	if err := h.store.PutMaterial(ctx, m, doc); err != nil {
		return Material{}, fmt.Errorf("kiosk: material: %w", err)
	}
	err := h.apply(func(now time.Time, ch *Change) error {
		h.audit(ch, now, a, "material.add", nil, fmt.Sprintf("%s %s %s, %d pages", m.ID, source, kind, pages))
		return nil
	})
	return m, err
}

// MaterialFor returns a material and its document if the actor may see it:
// the terminal that made it, the window serving a ticket whose submission
// lists it, and admins.
func (h *Hall) MaterialFor(ctx context.Context, a Actor, id string) (Material, []byte, error) {
	if !ValidMaterialID(id) {
		return Material{}, nil, notFound("no material %q", id)
	}
	m, doc, ok, err := h.store.Material(ctx, id)
	if err != nil {
		return Material{}, nil, fmt.Errorf("kiosk: material: %w", err)
	}
	if !ok {
		return Material{}, nil, notFound("no material %s", id)
	}
	if a.Role == "admin" || m.Terminal == a.Terminal {
		return m, doc, nil
	}
	if a.Role == "window" {
		if t := h.Held(a.Window); t != nil && t.Submission != nil && slices.Contains(t.Submission.Materials, id) {
			return m, doc, nil
		}
	}
	return Material{}, nil, forbidden("material %s is not this terminal's, nor of the ticket it serves", id)
}

// checkMaterial says why a submission may not list a material ("" when it
// may: it exists and the issuing terminal made it); err is a store failure.
func (h *Hall) checkMaterial(ctx context.Context, a Actor, id string) (problem string, err error) {
	if !ValidMaterialID(id) {
		return "not a material id", nil
	}
	m, _, ok, err := h.store.Material(ctx, id)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "unknown material", nil
	case m.Terminal != a.Terminal:
		return "a material of another terminal", nil
	}
	return "", nil
}

// PurgeMaterials deletes the materials older than the retention period,
// except those of a ticket still in the queue or of a case still open.
func (h *Hall) PurgeMaterials(ctx context.Context) ([]string, error) {
	days := h.cfg.Retention.MaterialsDays
	if days <= 0 {
		return nil, nil
	}
	ids, err := h.store.PurgeMaterials(ctx, h.now().AddDate(0, 0, -days))
	if err != nil {
		return ids, fmt.Errorf("kiosk: purge materials: %w", err)
	}
	return ids, nil
}

// AttachMaterial adds a material scanned at the window to the ticket the
// window holds, so the cases its acceptance opens carry it.
func (h *Hall) AttachMaterial(ctx context.Context, a Actor, w int, id string) (*Ticket, error) {
	problem, err := h.checkMaterial(ctx, a, id)
	if err != nil {
		return nil, fmt.Errorf("kiosk: attach material: %w", err)
	}
	if problem != "" {
		return nil, invalid("material_id", "%s: %s", id, problem)
	}
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		sub := Submission{}
		if t.Submission != nil {
			sub = *t.Submission
		}
		if slices.Contains(sub.Materials, id) {
			return nil
		}
		sub.Materials = append(slices.Clone(sub.Materials), id)
		t.Submission = &sub
		h.save(ch, t)
		ch.MaterialLinks = append(ch.MaterialLinks, MaterialLink{MaterialID: id, TicketID: t.ID})
		h.audit(ch, now, a, "material.attach", t, id)
		return nil
	})
}

// MarkMaterial records the window's verdict on one of the held ticket's
// required materials: "accepted", "correction" (补正, with a note saying
// what to bring), or "" to clear it.
func (h *Hall) MarkMaterial(ctx context.Context, a Actor, w int, material, state, note string) (*Ticket, error) {
	switch state {
	case "", "accepted":
	case "correction":
		if strings.TrimSpace(note) == "" {
			return nil, invalid("note", "say what is to be corrected (补正内容)")
		}
	default:
		return nil, invalid("state", "%q is not accepted, correction or empty", state)
	}
	if len([]rune(note)) > 200 {
		return nil, invalid("note", "at most 200 characters")
	}
	return h.heldOp(a, w, func(now time.Time, ch *Change, t *Ticket) error {
		if !slices.Contains(h.requiredMaterials(t), material) {
			return invalid("material", "%q is not a material ticket %s's matter asks for", material, t.Number)
		}
		marks := make(map[string]Mark, len(t.Checklist)+1)
		for k, v := range t.Checklist {
			marks[k] = v
		}
		if state == "" {
			delete(marks, material)
		} else {
			marks[material] = Mark{State: state, Note: strings.TrimSpace(note)}
		}
		t.Checklist = marks
		h.save(ch, t)
		action := "material.clear"
		if state != "" {
			action = "material." + state
		}
		h.audit(ch, now, a, action, t, strings.TrimSpace(material+" "+note))
		return nil
	})
}

// requiredMaterials lists the materials the ticket's matter or package asks for.
func (h *Hall) requiredMaterials(t *Ticket) []string {
	code := t.Matter
	if code == "" && t.Submission != nil {
		code = t.Submission.Matter
	}
	if m, ok := h.Catalog().Matter(code); ok {
		return m.Materials
	}
	if p, ok := h.Catalog().Package(t.Package); ok {
		return p.Materials
	}
	return nil
}

// PurgePersonal deletes applicants' data past the retention period.
func (h *Hall) PurgePersonal(ctx context.Context) (int, error) {
	days := h.cfg.Retention.PersonalDays
	if days <= 0 {
		return 0, nil
	}
	n, err := h.store.PurgePersonal(ctx, h.now().AddDate(0, 0, -days))
	if err != nil {
		return n, fmt.Errorf("kiosk: purge personal data: %w", err)
	}
	return n, nil
}
