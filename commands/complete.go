package commands

import (
	"context"
	"sort"
	"strings"

	"partnerbot/bot"
)

// Suggestion is one value offered while a user types an argument.
type Suggestion struct {
	Label string // what the user reads: "Sklep u Janka (janko)"
	Value string // what the argument gets: "janko"
}

// CompletePartners suggests partners for an argument marked Partner:
// those whose id or name contains typed (case-insensitive), best match
// first, at most limit. A manager is offered only its own partners and
// an admin every partner; anyone else gets none, so the list never shows
// a partner the asker could not open anyway.
func (s *Service) CompletePartners(ctx context.Context, c *Caller, typed string, limit int) ([]Suggestion, error) {
	if !c.Admin && c.Manager == nil {
		return nil, nil
	}
	all, err := s.opt.Store.Partners(ctx)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(typed))
	type scored struct {
		p    *bot.Partner
		rank int // 0: id starts with it, 1: name does, 2: either contains it
	}
	var found []scored
	for i := range all {
		p := &all[i]
		if !c.Admin && p.Manager != c.Manager.ID {
			continue
		}
		id, name := strings.ToLower(p.ID), strings.ToLower(p.Name)
		rank := -1
		switch {
		case strings.HasPrefix(id, q):
			rank = 0
		case strings.HasPrefix(name, q):
			rank = 1
		case strings.Contains(id, q) || strings.Contains(name, q):
			rank = 2
		}
		if rank >= 0 {
			found = append(found, scored{p, rank})
		}
	}
	sort.SliceStable(found, func(i, j int) bool {
		if found[i].rank != found[j].rank {
			return found[i].rank < found[j].rank
		}
		return found[i].p.ID < found[j].p.ID
	})
	out := make([]Suggestion, 0, min(len(found), limit))
	for _, f := range found {
		if len(out) == limit {
			break
		}
		label := f.p.ID
		if f.p.Name != "" {
			label = f.p.Name + " (" + f.p.ID + ")"
		}
		out = append(out, Suggestion{Label: label, Value: f.p.ID})
	}
	return out, nil
}
