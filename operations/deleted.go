package operations

import "strings"

// lastModifiedPath is the mapping the deleted operation reads and binds.
const lastModifiedPath = "meta.lastmodified"

// LastModified returns the column meta.lastModified is mapped to, or "".
func (u *Users) LastModified() string {
	for _, m := range u.Attributes {
		if strings.EqualFold(m.Path, lastModifiedPath) {
			return m.Column
		}
	}
	return ""
}

// checkDeleted checks the users' deleted operation: it answers the users deleted
// after a time, as rows with the id column and the meta.lastModified column (the
// time of the deletion), and its params bind that time through the
// meta.lastModified column. So meta.lastModified must be mapped, and every column
// param must be that column.
func (p *parser) checkDeleted(u *Users) {
	op := u.Operations[Deleted]
	if op == nil {
		return
	}
	col := u.LastModified()
	if col == "" {
		p.errorAt(op.Pos, "deleted: map meta.lastModified first: deleted binds the time an import asks from through its column, and reads each deletion's time from it")
		return
	}
	for _, pr := range op.Params {
		if pr.Kind == Field && pr.Name != "" && !strings.EqualFold(pr.Name, col) {
			p.errorAt(pr.Pos, "deleted: params: %s is not bound by an incremental import; bind the time with %s, the column of meta.lastModified", pr.Name, col)
		}
	}
}
