// SPDX-License-Identifier: AGPL-3.0-or-later

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"yichuang/kiosk"
)

// materialsDir is where material documents live, beside the database.
func (db *DB) materialsDir() string { return filepath.Join(filepath.Dir(db.path), "materials") }

func (db *DB) materialPath(id string) (string, error) {
	if !kiosk.ValidMaterialID(id) {
		return "", fmt.Errorf("store: %q is not a material id", id)
	}
	return filepath.Join(db.materialsDir(), id+".sealed"), nil
}

// PutMaterial writes the document sealed (AES-GCM, bound to its id) to its
// own file, syncs the file and the folder, then records it: a material
// answered to a terminal survives a power cut.
func (db *DB) PutMaterial(ctx context.Context, m kiosk.Material, doc []byte) error {
	path, err := db.materialPath(m.ID)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(db.materialsDir(), 0o750); err != nil {
		return fmt.Errorf("store: material: %w", err)
	}
	sealed := db.seal.seal(doc, []byte("material:"+m.ID))
	if err := writeSynced(path, sealed); err != nil {
		return fmt.Errorf("store: material %s: %w", m.ID, err)
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO materials(id, terminal, source, kind, pages, size, sha256, created_at) VALUES(?,?,?,?,?,?,?,?)`,
		m.ID, m.Terminal, m.Source, m.Kind, m.Pages, m.Size, m.SHA256, ms(m.CreatedAt))
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: material %s: %w", m.ID, err)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Material returns a material and its document.
func (db *DB) Material(ctx context.Context, id string) (kiosk.Material, []byte, bool, error) {
	path, err := db.materialPath(id)
	if err != nil {
		return kiosk.Material{}, nil, false, nil
	}
	var m kiosk.Material
	var created int64
	err = db.r.QueryRowContext(ctx, `SELECT id, terminal, source, kind, pages, size, sha256, created_at FROM materials WHERE id = ?`, id).
		Scan(&m.ID, &m.Terminal, &m.Source, &m.Kind, &m.Pages, &m.Size, &m.SHA256, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return kiosk.Material{}, nil, false, nil
	}
	if err != nil {
		return kiosk.Material{}, nil, false, fmt.Errorf("store: material: %w", err)
	}
	m.CreatedAt = time.UnixMilli(created)
	sealed, err := os.ReadFile(path)
	if err != nil {
		return kiosk.Material{}, nil, false, fmt.Errorf("store: material %s: %w", id, err)
	}
	doc, err := db.seal.open(sealed, []byte("material:"+id))
	if err != nil {
		return kiosk.Material{}, nil, false, fmt.Errorf("store: material %s: %w", id, err)
	}
	return m, doc, true, nil
}

// PurgeMaterials deletes the materials made before t that no ticket still
// in the queue and no open case needs: their files, then their rows, each
// with an audit entry.
func (db *DB) PurgeMaterials(ctx context.Context, before time.Time) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT m.id FROM materials m WHERE m.created_at < ?
		AND NOT EXISTS (SELECT 1 FROM material_links l JOIN tickets t ON t.id = l.ticket_id
			WHERE l.material_id = m.id AND t.status IN ('waiting', 'called', 'serving'))
		AND NOT EXISTS (SELECT 1 FROM material_links l JOIN cases c ON c.ticket_id = l.ticket_id
			WHERE l.material_id = m.id AND c.state <> 'closed' AND json_extract(c.data, '$.at_intake') IS NULL)`, before.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("store: purge: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: purge: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	var done []string
	for _, id := range ids {
		path, err := db.materialPath(id)
		if err != nil {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return done, fmt.Errorf("store: purge %s: %w", id, err)
		}
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return done, fmt.Errorf("store: purge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM material_links WHERE material_id = ?`, id); err != nil {
			tx.Rollback() //nolint:errcheck
			return done, fmt.Errorf("store: purge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM materials WHERE id = ?`, id); err != nil {
			tx.Rollback() //nolint:errcheck
			return done, fmt.Errorf("store: purge: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit(at, actor, role, staff, action, number, detail) VALUES(?,?,?,?,?,?,?)`,
			time.Now().UnixMilli(), "kioskd", "system", "", "material.purge", "", id+" retention period over"); err != nil {
			tx.Rollback() //nolint:errcheck
			return done, fmt.Errorf("store: purge: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return done, fmt.Errorf("store: purge: %w", err)
		}
		done = append(done, id)
	}
	return done, nil
}

// PurgePersonal deletes the sealed applicant data of tickets that ended
// before t and have no open case, and the appointments dated before t, in
// one transaction with one audit entry.
func (db *DB) PurgePersonal(ctx context.Context, before time.Time) (int, error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: purge personal data: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	res, err := tx.ExecContext(ctx, `UPDATE tickets SET sealed = NULL WHERE sealed IS NOT NULL
		AND status NOT IN ('waiting', 'called', 'serving') AND coalesce(finished_at, issued_at) < ?
		AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.ticket_id = tickets.id AND c.state <> 'closed'
			AND json_extract(c.data, '$.at_intake') IS NULL)`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: purge personal data: %w", err)
	}
	tickets, _ := res.RowsAffected()
	res, err = tx.ExecContext(ctx, `DELETE FROM appointments WHERE date < ?`, before.Format(time.DateOnly))
	if err != nil {
		return 0, fmt.Errorf("store: purge personal data: %w", err)
	}
	appts, _ := res.RowsAffected()
	n := int(tickets + appts)
	if n > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit(at, actor, role, staff, action, number, detail) VALUES(?,?,?,?,?,?,?)`,
			time.Now().UnixMilli(), "kioskd", "system", "", "personal.purge", "",
			fmt.Sprintf("%d tickets' applicant data and %d appointments past the retention period", tickets, appts)); err != nil {
			return 0, fmt.Errorf("store: purge personal data: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: purge personal data: %w", err)
	}
	return n, nil
}
