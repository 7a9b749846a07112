// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yichuang/kiosk"
)

func open(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path, testKey)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func ticket(id, day, number string) *kiosk.Ticket {
	return &kiosk.Ticket{ID: id, Day: day, Zone: number[:1], Number: number, Status: kiosk.StatusWaiting,
		IssuedAt: time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC), Terminal: "kiosk-1", IDHash: "h-" + id, StatusKey: "k-" + id,
		Submission: &kiosk.Submission{Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}}}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db := open(t, path)
	t1 := ticket("t1", "2026-11-27", "A001")
	err := db.Commit(ctx, []*kiosk.Change{{
		Tickets:     []*kiosk.Ticket{t1},
		Counters:    []kiosk.Counter{{Day: "2026-11-27", Key: "A", Seq: 1}},
		Idempotency: []kiosk.IdemKey{{Terminal: "kiosk-1", Key: "x", TicketID: "t1", Day: "2026-11-27"}},
		Audit:       []kiosk.AuditEntry{{At: t1.IssuedAt, Actor: "kiosk-1", Role: "kiosk", Action: "ticket.issue", TicketID: "t1", Number: "A001"}},
		Events:      []kiosk.Event{{Seq: 1, Type: "ticket.issued", At: t1.IssuedAt, Data: []byte(`{"number":"A001"}`)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, path)
	s, err := db.Load(ctx, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tickets) != 1 || s.Tickets[0].Number != "A001" || s.Tickets[0].IDHash != "h-t1" || s.Tickets[0].StatusKey != "k-t1" ||
		s.Tickets[0].Submission.Applicant.Name != "张三丰" {
		t.Fatalf("tickets = %+v", s.Tickets)
	}
	if len(s.Counters) != 1 || s.Counters[0].Seq != 1 || len(s.Idempotency) != 1 || s.LastSeq != 1 {
		t.Fatalf("snapshot = %+v", s)
	}
	evs, err := db.EventsSince(ctx, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != "ticket.issued" {
		t.Fatalf("events = %+v %v", evs, err)
	}
	au, err := db.Audit(ctx, kiosk.AuditQuery{TicketID: "t1"})
	if err != nil || len(au) != 1 || au[0].Action != "ticket.issue" {
		t.Fatalf("audit = %+v %v", au, err)
	}
}

// A batch that breaks a constraint (the same number twice in a day) is
// written not at all.
func TestBatchAtomic(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	err := db.Commit(ctx, []*kiosk.Change{
		{Tickets: []*kiosk.Ticket{ticket("t1", "2026-11-27", "A001")}},
		{Tickets: []*kiosk.Ticket{ticket("t2", "2026-11-27", "A001")}},
	})
	if err == nil {
		t.Fatal("a number given twice in a day was accepted")
	}
	ts, err := db.Tickets(ctx, "2026-11-27")
	if err != nil || len(ts) != 0 {
		t.Fatalf("after a failed batch: %d tickets, %v", len(ts), err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db := open(t, path)
	if _, err := db.w.ExecContext(ctx, `UPDATE schema_version SET version = 999`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(ctx, path, testKey)
	if err == nil || !strings.Contains(err.Error(), "newer than this kioskd") {
		t.Fatalf("err = %v", err)
	}
}

func TestMigrationBacksUp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db := open(t, path)
	// pretend the database is one version behind: a new step must back it up first
	migrations = append(migrations, `CREATE TABLE extra (x INTEGER)`)
	defer func() { migrations = migrations[:len(migrations)-1] }()
	db.Close()
	db = open(t, path)
	if _, err := os.Stat(fmt.Sprintf("%s.bak-v%d", path, len(migrations)-1)); err != nil {
		t.Fatalf("no backup before migrating: %v", err)
	}
	var v int
	if err := db.w.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil || v != len(migrations) {
		t.Fatalf("version %d %v", v, err)
	}
}

func TestPragmas(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	var mode string
	var sync int
	if err := db.w.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q %v", mode, err)
	}
	if err := db.w.QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
		t.Fatalf("synchronous %d (want 2 = FULL) %v", sync, err)
	}
}

func TestAuditNewestFirstLimited(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	var ch kiosk.Change
	for i := 0; i < 10; i++ {
		ch.Audit = append(ch.Audit, kiosk.AuditEntry{At: time.Unix(int64(i), 0), Actor: "a", Action: fmt.Sprint(i)})
	}
	if err := db.Commit(ctx, []*kiosk.Change{&ch}); err != nil {
		t.Fatal(err)
	}
	es, err := db.Audit(ctx, kiosk.AuditQuery{Limit: 3})
	if err != nil || len(es) != 3 || es[0].Action != "7" || es[2].Action != "9" {
		t.Fatalf("newest 3 = %+v %v", es, err)
	}
}

var testKey = bytes.Repeat([]byte{7}, 32)

// TestDatabaseFileRevealsNoIDNumber: a copy of the database files alone
// holds no ID number, name, phone or address of a submission, and the
// sealed part opens only with the key.
func TestDatabaseFileRevealsNoIDNumber(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "k.db")
	db := open(t, path)
	tk := ticket("t1", "2026-11-27", "A001")
	tk.Submission.Applicant.Phone = "13912345678"
	tk.Submission.Delivery = kiosk.Delivery{Mode: "mail", Recipient: "张三丰", Phone: "13912345678", Address: "涵江区涵东街道某路8号", Postcode: "351100"}
	if err := db.Commit(ctx, []*kiosk.Change{{Tickets: []*kiosk.Ticket{tk}}}); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		files, _ := filepath.Glob(path + "*")
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"11010519491231002X", "张三丰", "13912345678", "涵东街道"} {
				if bytes.Contains(b, []byte(secret)) {
					t.Fatalf("%s: %s holds %q in clear", when, filepath.Base(f), secret)
				}
			}
		}
	}
	check("open (WAL)")
	db.Close()
	check("closed")
	db = open(t, path)
	got, ok, err := db.Ticket(ctx, "t1")
	if err != nil || !ok || got.Submission.Applicant.IDNumber != "11010519491231002X" || got.Submission.Delivery.Address != tk.Submission.Delivery.Address {
		t.Fatalf("reopened: %+v %v", got, err)
	}
	db.Close()
	other, err := Open(ctx, path, bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, _, err := other.Ticket(ctx, "t1"); !errors.Is(err, errSealed) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestMaterials(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "k.db"))
	doc := []byte("%PDF-1.7 张三丰 11010519491231002X")
	m := kiosk.Material{ID: strings.Repeat("ab", 16), Terminal: "kiosk-1", Source: "scan", Kind: "scan", Pages: 3, Size: len(doc), CreatedAt: time.Now().Add(-48 * time.Hour)}
	if err := db.PutMaterial(ctx, m, doc); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "materials", "*"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	raw, _ := os.ReadFile(files[0])
	if bytes.Contains(raw, []byte("11010519491231002X")) || bytes.Contains(raw, []byte("%PDF")) {
		t.Fatal("a material is stored in clear")
	}
	got, gdoc, ok, err := db.Material(ctx, m.ID)
	if err != nil || !ok || !bytes.Equal(gdoc, doc) || got.Pages != 3 || got.Terminal != "kiosk-1" {
		t.Fatalf("material: %+v %v %v", got, ok, err)
	}
	if _, _, ok, _ := db.Material(ctx, "../k.db"); ok {
		t.Fatal("a path was taken for a material id")
	}
	fresh := kiosk.Material{ID: strings.Repeat("cd", 16), Terminal: "kiosk-1", Source: "upload", Kind: "png", Pages: 1, CreatedAt: time.Now()}
	if err := db.PutMaterial(ctx, fresh, []byte("x")); err != nil {
		t.Fatal(err)
	}
	ids, err := db.PurgeMaterials(ctx, time.Now().Add(-24*time.Hour))
	if err != nil || len(ids) != 1 || ids[0] != m.ID {
		t.Fatalf("purged %v %v", ids, err)
	}
	if _, _, ok, _ := db.Material(ctx, m.ID); ok {
		t.Fatal("purged material still there")
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Fatal("purged material's file still there")
	}
	if _, _, ok, _ := db.Material(ctx, fresh.ID); !ok {
		t.Fatal("a fresh material was purged")
	}
	au, _ := db.Audit(ctx, kiosk.AuditQuery{})
	if len(au) != 1 || au[0].Action != "material.purge" {
		t.Fatalf("purge audit %+v", au)
	}
}

// TestRetentionKeepsWhatOpenCasesNeed: an old material is kept while the
// ticket listing it waits and while a case it opened is open; once the case
// is closed, it is purged.
func TestRetentionKeepsWhatOpenCasesNeed(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	old := time.Now().Add(-60 * 24 * time.Hour)
	linked := kiosk.Material{ID: strings.Repeat("1a", 16), Terminal: "kiosk-1", Source: "scan", Kind: "scan", Pages: 1, CreatedAt: old}
	loose := kiosk.Material{ID: strings.Repeat("2b", 16), Terminal: "kiosk-1", Source: "scan", Kind: "scan", Pages: 1, CreatedAt: old}
	for _, m := range []kiosk.Material{linked, loose} {
		if err := db.PutMaterial(ctx, m, []byte("%PDF")); err != nil {
			t.Fatal(err)
		}
	}
	tk := ticket("t1", "2026-10-01", "A001")
	tk.Submission.Materials = []string{linked.ID}
	if err := db.Commit(ctx, []*kiosk.Change{{Tickets: []*kiosk.Ticket{tk}, MaterialLinks: []kiosk.MaterialLink{{MaterialID: linked.ID, TicketID: "t1"}}}}); err != nil {
		t.Fatal(err)
	}
	cutoff := time.Now().Add(-30 * 24 * time.Hour)
	ids, err := db.PurgeMaterials(ctx, cutoff)
	if err != nil || len(ids) != 1 || ids[0] != loose.ID {
		t.Fatalf("with the ticket waiting: purged %v %v", ids, err)
	}
	// served and accepted: an open case still needs it
	tk.Status = kiosk.StatusDone
	c := kiosk.Case{Number: "C1", TicketID: "t1", Matter: "M", Department: "D", Due: "2026-10-10", State: kiosk.CaseRouted, AcceptedAt: old}
	if err := db.Commit(ctx, []*kiosk.Change{{Tickets: []*kiosk.Ticket{tk}, Cases: []kiosk.Case{c}}}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.PurgeMaterials(ctx, cutoff); len(ids) != 0 {
		t.Fatalf("purged %v while its case is open", ids)
	}
	c.State = kiosk.CaseClosed
	if err := db.Commit(ctx, []*kiosk.Change{{Cases: []kiosk.Case{c}}}); err != nil {
		t.Fatal(err)
	}
	if ids, _ := db.PurgeMaterials(ctx, cutoff); len(ids) != 1 || ids[0] != linked.ID {
		t.Fatalf("after the case closed: purged %v", ids)
	}
}

// TestPurgePersonal: an ended ticket's applicant data goes once the period
// is over and its cases are closed; the ticket itself stays for statistics.
func TestPurgePersonal(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	old := time.Now().Add(-200 * 24 * time.Hour)
	mk := func(id, number string) *kiosk.Ticket {
		tk := ticket(id, "2026-05-01", number)
		tk.Status, tk.IssuedAt, tk.FinishedAt = kiosk.StatusDone, old, old
		return tk
	}
	a, b := mk("t1", "A001"), mk("t2", "A002")
	open := kiosk.Case{Number: "C2", TicketID: "t2", Matter: "M", Department: "D", Due: "2026-05-10", State: kiosk.CaseRouted, AcceptedAt: old}
	ap := kiosk.Appointment{Code: "OLD-1", Matter: "M", Zone: "A", Date: "2026-05-01", Start: "09:00", End: "09:30", Status: kiosk.ApptVoid,
		Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}, IDHash: "h"}
	if err := db.Commit(ctx, []*kiosk.Change{{Tickets: []*kiosk.Ticket{a, b}, Cases: []kiosk.Case{open}, Appointments: []kiosk.Appointment{ap}}}); err != nil {
		t.Fatal(err)
	}
	n, err := db.PurgePersonal(ctx, time.Now().Add(-90*24*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("purged %d records, %v; want the first ticket and the appointment", n, err)
	}
	got, ok, _ := db.Ticket(ctx, "t1")
	if !ok || got.Submission != nil || got.Number != "A001" {
		t.Fatalf("t1 after the purge: %+v", got)
	}
	if got, _, _ := db.Ticket(ctx, "t2"); got.Submission == nil {
		t.Fatal("the applicant of a ticket with an open case was purged")
	}
	if as, _ := db.Appointments(ctx, kiosk.AppointmentQuery{Code: "OLD-1"}); len(as) != 0 {
		t.Fatal("an old appointment was kept")
	}
	au, _ := db.Audit(ctx, kiosk.AuditQuery{})
	if len(au) != 1 || au[0].Action != "personal.purge" {
		t.Fatalf("audit %+v", au)
	}
}

// TestLeasesAndKeyTakeover: granted blocks, a returned tail and an
// idempotency key taken over by an offline claim survive a reopen.
func TestLeasesAndKeyTakeover(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	db := open(t, path)
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	l := kiosk.Lease{Day: "2026-11-27", Zone: "A", Prefix: "A", Terminal: "kiosk-1", From: 901, To: 920, GrantedAt: at, Expires: at.Add(12 * time.Hour), Request: "r1"}
	t1, t2 := ticket("t1", "2026-11-27", "A001"), ticket("t2", "2026-11-27", "A901")
	if err := db.Commit(ctx, []*kiosk.Change{
		{Tickets: []*kiosk.Ticket{t1}, Leases: []kiosk.Lease{l}, Idempotency: []kiosk.IdemKey{{Terminal: "kiosk-1", Key: "k", TicketID: "t1", Day: "2026-11-27"}}},
		{Tickets: []*kiosk.Ticket{t2}, Idempotency: []kiosk.IdemKey{{Terminal: "kiosk-1", Key: "k", TicketID: "t2", Day: "2026-11-27"}}},
	}); err != nil {
		t.Fatal(err)
	}
	l.ReturnedFrom = 905
	if err := db.Commit(ctx, []*kiosk.Change{{Leases: []kiosk.Lease{l}}}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = open(t, path)
	s, err := db.Load(ctx, "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Leases) != 1 || s.Leases[0].From != 901 || s.Leases[0].To != 920 || s.Leases[0].ReturnedFrom != 905 ||
		s.Leases[0].Request != "r1" || s.Leases[0].Terminal != "kiosk-1" || !s.Leases[0].Expires.Equal(at.Add(12*time.Hour)) {
		t.Fatalf("leases = %+v", s.Leases)
	}
	if len(s.Idempotency) != 1 || s.Idempotency[0].TicketID != "t2" {
		t.Fatalf("idempotency = %+v, want the key on t2", s.Idempotency)
	}
}

// TestCasesOfManyTickets: the cases of a list of tickets, in one query.
func TestCasesOfManyTickets(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	ch := &kiosk.Change{}
	for i, id := range []string{"t1", "t2", "t3"} {
		ch.Tickets = append(ch.Tickets, ticket(id, "2026-11-27", fmt.Sprintf("A%03d", i+1)))
		for j := range 2 {
			ch.Cases = append(ch.Cases, kiosk.Case{Number: fmt.Sprintf("C-%s-%d", id, j), TicketID: id, Matter: "M", Department: "D",
				Due: "2026-12-01", State: kiosk.CaseAccepted, AcceptedAt: time.Date(2026, 11, 27, 10, i, j, 0, time.UTC)})
		}
	}
	if err := db.Commit(ctx, []*kiosk.Change{ch}); err != nil {
		t.Fatal(err)
	}
	cs, err := db.Cases(ctx, kiosk.CaseQuery{TicketIDs: []string{"t1", "t3"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cs {
		got = append(got, c.Number)
	}
	if want := "[C-t1-0 C-t1-1 C-t3-0 C-t3-1]"; fmt.Sprint(got) != want {
		t.Fatalf("cases %v, want %s", got, want)
	}
	if _, err := db.Cases(ctx, kiosk.CaseQuery{TicketIDs: make([]string, 501)}); err == nil {
		t.Fatal("501 tickets at once: no error")
	}
}

// TestPurgePersonalIntakeRecords: a rejection (不予受理) or correction (补正)
// record kept at the window is no open case: its applicant's data goes
// after the period like any ended ticket's, and its cases stay out of the
// open list.
func TestPurgePersonalIntakeRecords(t *testing.T) {
	ctx := context.Background()
	db := open(t, filepath.Join(t.TempDir(), "k.db"))
	old := time.Now().Add(-200 * 24 * time.Hour)
	tk := ticket("t1", "2026-05-01", "A001")
	tk.Status, tk.IssuedAt, tk.FinishedAt = kiosk.StatusDone, old, old
	rec := kiosk.Case{Number: "C1", TicketID: "t1", Matter: "M", Department: "D", State: kiosk.CaseRejected, AtIntake: true, Reason: "r", AcceptedAt: old}
	if err := db.Commit(ctx, []*kiosk.Change{{Tickets: []*kiosk.Ticket{tk}, Cases: []kiosk.Case{rec}}}); err != nil {
		t.Fatal(err)
	}
	if cs, _ := db.Cases(ctx, kiosk.CaseQuery{Open: true}); len(cs) != 0 {
		t.Fatalf("open cases %+v", cs)
	}
	if cs, _ := db.Cases(ctx, kiosk.CaseQuery{TicketID: "t1"}); len(cs) != 1 || cs[0].Reason != "r" {
		t.Fatalf("the record %+v", cs)
	}
	if n, err := db.PurgePersonal(ctx, time.Now().Add(-90*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if got, _, _ := db.Ticket(ctx, "t1"); got.Submission != nil {
		t.Fatal("the applicant of a rejected matter was kept")
	}
}
