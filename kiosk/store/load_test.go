// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"path/filepath"
	"testing"

	"yichuang/config"
	"yichuang/kiosk"
)

// TestEndedSubmissionsStayOnDisk: a restart leaves an ended ticket's
// submission on disk; the ticket still shows it, and changing the ticket
// (a rating) keeps it.
func TestEndedSubmissionsStayOnDisk(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	cfg, err := config.Parse([]byte("[queue]\ndaily_cap_per_id = 0\nanonymous_per_minute = 0\n[hall]\nissue_outside_hours = true\n"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := kiosk.ParseCatalog(config.DefaultCatalog(), []string{"A", "B", "C", "D", "E", "F", "G", "H", "J"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var matter string
	for _, m := range cat.Matters() {
		if m.Zone == "A" {
			matter = m.Code
			break
		}
	}
	openHall := func() (*DB, *kiosk.Hall) {
		db := open(t, path)
		h, err := kiosk.Open(ctx, kiosk.Options{Config: cfg, Catalog: cat, Store: db, IDKey: []byte("k")})
		if err != nil {
			t.Fatal(err)
		}
		return db, h
	}
	db, h := openHall()
	kioskA, win1 := kiosk.Actor{Terminal: "kiosk-1", Role: "kiosk"}, kiosk.Actor{Terminal: "window-1", Role: "window", Window: 1}
	sub := &kiosk.Submission{Applicant: kiosk.Applicant{IDNumber: "11010519491231002X", Name: "张三丰"}}
	done, err := h.Issue(ctx, kioskA, kiosk.IssueRequest{Matter: matter, Submission: sub})
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := h.Issue(ctx, kioskA, kiosk.IssueRequest{Zone: "B", Submission: &kiosk.Submission{Applicant: kiosk.Applicant{IDNumber: "110105198001010016", Name: "李四"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Call(ctx, win1, 1, kiosk.CallRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Finish(ctx, win1, 1, kiosk.FinishRequest{Result: kiosk.ResultConsulted}); err != nil {
		t.Fatal(err)
	}
	h.Close()
	db.Close()

	db, h = openHall()
	s, err := db.Load(ctx, "2026-01-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range s.Tickets {
		switch tk.ID {
		case done.Ticket.ID:
			if tk.Submission != nil || !tk.SubmissionOnDisk {
				t.Fatalf("the ended ticket was loaded with its submission: %+v", tk)
			}
		case waiting.Ticket.ID:
			if tk.Submission == nil || tk.Submission.Applicant.Name != "李四" {
				t.Fatalf("the waiting ticket's submission: %+v", tk.Submission)
			}
		}
	}
	got, _, err := h.Ticket(ctx, done.Ticket.ID)
	if err != nil || got.Submission == nil || got.Submission.Applicant.IDNumber != "11010519491231002X" {
		t.Fatalf("the ended ticket as shown: %+v, %v", got.Submission, err)
	}
	if _, err := h.Rate(ctx, win1, done.Ticket.ID, 5, ""); err != nil {
		t.Fatal(err)
	}
	h.Close()
	db.Close()
	db, h = openHall()
	defer func() { h.Close(); db.Close() }()
	got, _, err = h.Ticket(ctx, done.Ticket.ID)
	if err != nil || !got.Rated || got.Submission == nil || got.Submission.Applicant.Name != "张三丰" {
		t.Fatalf("after a rating and a restart: rated %v, submission %+v, %v", got.Rated, got.Submission, err)
	}
}
