package ubc

// Row is one resource of one beancounter, as the kernel printed it.
type Row struct {
	Name    string
	Held    uint64
	MaxHeld uint64
	Barrier uint64
	Limit   uint64
	FailCnt uint64
}

// Container is one beancounter block. ID is a string: numeric on OpenVZ 6,
// possibly a UUID-like name on Virtuozzo 7 and later.
type Container struct {
	ID   string
	Rows []Row
}

// Row returns the named resource of the container.
func (c *Container) Row(name string) (*Row, bool) {
	for i := range c.Rows {
		if c.Rows[i].Name == name {
			return &c.Rows[i], true
		}
	}
	return nil, false
}

// Snapshot is one read of a beancounter table, kept whole. Containers keep
// file order (newest first, CT 0 usually last); look them up by ID, never
// by position.
type Snapshot struct {
	Source     string
	Containers []Container
	byID       map[string]int // index in Containers
}

// Container returns the block of the given ID.
func (s *Snapshot) Container(id string) (*Container, bool) {
	if i, ok := s.byID[id]; ok {
		return &s.Containers[i], true
	}
	return nil, false
}

// add stores a copy of a block Scan hands over (Scan reuses its rows).
func (s *Snapshot) add(c *Container) error {
	if s.byID == nil {
		s.byID = map[string]int{}
	}
	s.byID[c.ID] = len(s.Containers)
	s.Containers = append(s.Containers, Container{ID: c.ID, Rows: append([]Row(nil), c.Rows...)})
	return nil
}
