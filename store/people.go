package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// Identity is who a chat account belongs to.
type Identity struct {
	Kind string // "partner" or "manager"
	ID   string
}

// PutPartner creates or replaces a partner and reports whether it was
// created. Fields the caller leaves empty take defaults: status active,
// the program's locale, joined today; on update the referral code, joined
// date and created time are kept unless given. A new partner gets a fresh
// referral code.
//
// Returns EINVALID for bad fields or an unknown manager, ECONFLICT when a
// chat account or referral code belongs to someone else.
func (s *Store) PutPartner(ctx context.Context, p *bot.Partner) (created bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	np := *p
	np.Tags = slices.Clone(p.Tags)
	np.ReferralCode = strings.ToLower(np.ReferralCode)
	np.Coupons = slices.Clone(p.Coupons)
	np.ExternalIDs = maps.Clone(p.ExternalIDs)
	normalizeAttribution(&np)
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		created, err = s.putPartnerTx(tx, &np)
		return err
	})
	if err != nil {
		return false, wrap("put partner", err)
	}
	s.touchPartners()
	*p = np
	return created, nil
}

// putPartnerTx is PutPartner inside a write transaction: np, already
// copied and normalized, gets its defaults and stamps.
func (s *Store) putPartnerTx(tx *bolt.Tx, np *bot.Partner) (created bool, err error) {
	b := tx.Bucket(bucketPartners)
	var old *bot.Partner
	if v := b.Get([]byte(np.ID)); v != nil {
		old = new(bot.Partner)
		if err := json.Unmarshal(v, old); err != nil {
			return false, fmt.Errorf("decode partner %q: %w", np.ID, err)
		}
	}
	created = old == nil
	now := s.now()
	if old != nil {
		np.Created = old.Created
		if np.ReferralCode == "" {
			np.ReferralCode = old.ReferralCode
		}
		if np.Joined.IsZero() {
			np.Joined = old.Joined
		}
	} else {
		np.Created = now
	}
	np.Updated = now
	if np.Status == "" {
		np.Status = bot.StatusActive
	}
	if np.Locale == "" {
		np.Locale = s.defaultLocale
	}
	if np.Joined.IsZero() {
		np.Joined = s.today()
	}
	if err := np.Validate(); err != nil {
		return false, err
	}
	if old == nil || old.Joined != np.Joined {
		if err := np.CheckJoined(s.today()); err != nil {
			return false, err
		}
	}
	if np.Manager != "" && tx.Bucket(bucketManagers).Get([]byte(np.Manager)) == nil {
		return false, bot.FieldError("manager", "unknown manager %q (add it first: partnerbot manager add %s)", np.Manager, np.Manager)
	}
	codes := tx.Bucket(bucketCodes)
	if np.ReferralCode == "" {
		code, err := newCode(codes)
		if err != nil {
			return false, err
		}
		np.ReferralCode = code
	} else if owner := codes.Get([]byte(np.ReferralCode)); owner != nil && string(owner) != np.ID {
		return false, &bot.Error{Code: bot.ECONFLICT, Field: "referral_code", Message: fmt.Sprintf("referral code %q belongs to partner %q", np.ReferralCode, owner)}
	}
	if old != nil && old.ReferralCode != np.ReferralCode {
		if err := codes.Delete([]byte(old.ReferralCode)); err != nil {
			return false, err
		}
	}
	if err := codes.Put([]byte(np.ReferralCode), []byte(np.ID)); err != nil {
		return false, err
	}
	var oldIDs []string
	if old != nil {
		oldIDs = partnerIdentities(old)
	}
	if err := setIdentities(tx, Identity{"partner", np.ID}, oldIDs, partnerIdentities(np)); err != nil {
		return false, err
	}
	if err := setAttribution(tx, np.ID, old, np); err != nil {
		return false, err
	}
	return created, putJSON(b, np.ID, np)
}

// errDryRun rolls back a transaction that only checked.
var errDryRun = errors.New("dry run")

// PutPartners creates or replaces many partners at once, like PutPartner
// each, in one transaction: all of them or none. lines gives each
// partner's line in its input for errors (nil means position+1); a
// partner's external ids and coupons may not repeat another's in the
// same batch. With dryRun everything is checked and nothing kept.
// Returns how many were (or would be) created and updated, or the first
// error with its Line.
func (s *Store) PutPartners(ctx context.Context, ps []bot.Partner, lines []int, dryRun bool) (created, updated int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		created, updated = 0, 0
		for i := range ps {
			np := ps[i]
			np.Tags = slices.Clone(np.Tags)
			np.ReferralCode = strings.ToLower(np.ReferralCode)
			np.Coupons = slices.Clone(np.Coupons)
			np.ExternalIDs = maps.Clone(np.ExternalIDs)
			normalizeAttribution(&np)
			c, err := s.putPartnerTx(tx, &np)
			if err != nil {
				line := i + 1
				if lines != nil {
					line = lines[i]
				}
				if be := bot.AsError(err); be != nil {
					e := *be
					e.Line = line
					return &e
				}
				return fmt.Errorf("line %d: %w", line, err)
			}
			if c {
				created++
			} else {
				updated++
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if dryRun && errors.Is(err, errDryRun) {
		return created, updated, nil
	}
	if err != nil {
		return 0, 0, wrap("put partners", err)
	}
	s.touchPartners()
	return created, updated, nil
}

// Partner returns a partner. Returns ENOTFOUND.
func (s *Store) Partner(ctx context.Context, id string) (*bot.Partner, error) {
	var p bot.Partner
	err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketPartners), id, &p, "partner") })
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Partners returns every partner, ordered by id.
func (s *Store) Partners(ctx context.Context) ([]bot.Partner, error) {
	out, err := allJSON[bot.Partner](s.db, bucketPartners, "partner")
	return out, err
}

// PartnerByCode returns the partner a referral code belongs to (codes are
// matched without regard to case). Returns ENOTFOUND.
func (s *Store) PartnerByCode(ctx context.Context, code string) (*bot.Partner, error) {
	var p bot.Partner
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketCodes).Get([]byte(strings.ToLower(code)))
		if id == nil {
			return bot.Keyed(bot.ENOTFOUND, "store.referral_code", "no partner has referral code %q", code)
		}
		return getJSON(tx.Bucket(bucketPartners), string(id), &p, "partner")
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// DeletePartner removes a partner. A partner with events is removed only
// with purge, which deletes its events and totals too (for a partner
// created by mistake); otherwise the answer is ECONFLICT and the advice to
// set its status to ended, which keeps its history. Returns ENOTFOUND.
func (s *Store) DeletePartner(ctx context.Context, id string, purge bool) (events int, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPartners)
		var p bot.Partner
		if err := getJSON(b, id, &p, "partner"); err != nil {
			return err
		}
		if err := s.foldIn(tx); err != nil {
			return err
		}
		events = countEvents(tx.Bucket(bucketLedger), id)
		if events > 0 && !purge {
			return bot.Errorf(bot.ECONFLICT, "partner %q has %d events; set its status to ended to keep its history, or remove it with --purge to delete them too", id, events)
		}
		if _, err := deletePartnerLedger(tx, id); err != nil {
			return err
		}
		prefix := prefixKey(id)
		if err := deletePrefix(tx.Bucket(bucketNotes), prefix); err != nil {
			return err
		}
		if err := deletePrefix(tx.Bucket(bucketHealthLog), prefix); err != nil {
			return err
		}
		for _, b := range [][]byte{bucketVerdicts, bucketAlerts} {
			if err := tx.Bucket(b).Delete([]byte(id)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketCodes).Delete([]byte(p.ReferralCode)); err != nil {
			return err
		}
		if err := setIdentities(tx, Identity{"partner", id}, partnerIdentities(&p), nil); err != nil {
			return err
		}
		if err := setAttribution(tx, id, &p, nil); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
	if err == nil {
		s.touchPartners()
	}
	return events, wrap("delete partner", err)
}

// PutManager creates or replaces a manager and reports whether it was
// created. Returns EINVALID for bad fields or an unknown escalation
// manager, ECONFLICT when a chat account belongs to someone else.
func (s *Store) PutManager(ctx context.Context, m *bot.Manager) (created bool, err error) {
	nm := *m
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketManagers)
		var old *bot.Manager
		if v := b.Get([]byte(nm.ID)); v != nil {
			old = new(bot.Manager)
			if err := json.Unmarshal(v, old); err != nil {
				return fmt.Errorf("decode manager %q: %w", nm.ID, err)
			}
		}
		created = old == nil
		now := s.now()
		nm.Created = now
		if old != nil {
			nm.Created = old.Created
		}
		nm.Updated = now
		if nm.Locale == "" {
			nm.Locale = s.defaultLocale
		}
		if err := nm.Validate(); err != nil {
			return err
		}
		if kind, target, _ := bot.ParseEscalation(nm.Escalation); kind == "manager" && b.Get([]byte(target)) == nil {
			return bot.FieldError("escalation", "unknown manager %q", target)
		}
		var oldIDs []string
		if old != nil {
			oldIDs = managerIdentities(old)
		}
		if err := setIdentities(tx, Identity{"manager", nm.ID}, oldIDs, managerIdentities(&nm)); err != nil {
			return err
		}
		return putJSON(b, nm.ID, &nm)
	})
	if err != nil {
		return false, wrap("put manager", err)
	}
	*m = nm
	return created, nil
}

// Manager returns a manager. Returns ENOTFOUND.
func (s *Store) Manager(ctx context.Context, id string) (*bot.Manager, error) {
	var m bot.Manager
	err := s.db.View(func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketManagers), id, &m, "manager") })
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Managers returns every manager, ordered by id.
func (s *Store) Managers(ctx context.Context) ([]bot.Manager, error) {
	out, err := allJSON[bot.Manager](s.db, bucketManagers, "manager")
	return out, err
}

// DeleteManager removes a manager. Returns ENOTFOUND, or ECONFLICT while
// partners or other managers' escalations still name it.
func (s *Store) DeleteManager(ctx context.Context, id string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketManagers)
		var m bot.Manager
		if err := getJSON(b, id, &m, "manager"); err != nil {
			return err
		}
		var users []string
		err := tx.Bucket(bucketPartners).ForEach(func(k, v []byte) error {
			var p bot.Partner
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if p.Manager == id {
				users = append(users, p.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return bot.Errorf(bot.ECONFLICT, "manager %q still looks after %d partners (%s); give them another manager first", id, len(users), preview(users))
		}
		err = b.ForEach(func(k, v []byte) error {
			var o bot.Manager
			if err := json.Unmarshal(v, &o); err != nil {
				return err
			}
			if o.Escalation == id {
				users = append(users, o.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return bot.Errorf(bot.ECONFLICT, "managers %s escalate to %q; change their escalation first", preview(users), id)
		}
		if err := setIdentities(tx, Identity{"manager", id}, managerIdentities(&m), nil); err != nil {
			return err
		}
		return b.Delete([]byte(id))
	})
	return wrap("delete manager", err)
}

// IdentityOf returns who a chat account ("slack:U123", "discord:42")
// belongs to. Returns ENOTFOUND.
func (s *Store) IdentityOf(ctx context.Context, platform, user string) (Identity, error) {
	var id Identity
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketIdentities).Get([]byte(platform + ":" + user))
		if v == nil {
			return bot.Keyed(bot.ENOTFOUND, "store.not_linked", "%s user %s is not linked", platform, user)
		}
		kind, who, _ := strings.Cut(string(v), ":")
		id = Identity{kind, who}
		return nil
	})
	return id, err
}

func partnerIdentities(p *bot.Partner) []string {
	return identityKeys(p.SlackUser, p.DiscordUser)
}

func managerIdentities(m *bot.Manager) []string {
	return identityKeys(m.SlackUser, m.DiscordUser)
}

func identityKeys(slackUser, discordUser string) []string {
	var ks []string
	if slackUser != "" {
		ks = append(ks, "slack:"+slackUser)
	}
	if discordUser != "" {
		ks = append(ks, "discord:"+discordUser)
	}
	return ks
}

// setIdentities moves owner's chat accounts from old to new, refusing
// accounts another partner or manager already has.
func setIdentities(tx *bolt.Tx, owner Identity, old, new []string) error {
	b := tx.Bucket(bucketIdentities)
	val := []byte(owner.Kind + ":" + owner.ID)
	for _, k := range new {
		if v := b.Get([]byte(k)); v != nil && string(v) != string(val) {
			field := strings.Replace(k[:strings.IndexByte(k, ':')], "slack", "slack_user", 1)
			field = strings.Replace(field, "discord", "discord_user", 1)
			return &bot.Error{Code: bot.ECONFLICT, Field: field, Message: fmt.Sprintf("chat account %s is already linked to %s", k, v)}
		}
	}
	for _, k := range old {
		if !slices.Contains(new, k) {
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
	}
	for _, k := range new {
		if err := b.Put([]byte(k), val); err != nil {
			return err
		}
	}
	return nil
}

// codeAlphabet leaves out look-alikes (0/o, 1/l/i) so a code read off a
// poster or a QR caption is typed right.
const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newCode returns an unused random referral code: 8 characters from 31
// is about 8.5·10^11 codes, so guessing a live one is hopeless at any
// rate a redirect endpoint allows, and codes say nothing about ids or
// sign-up order.
func newCode(codes *bolt.Bucket) (string, error) {
	for range 16 {
		var raw [8]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return "", fmt.Errorf("referral code: %w", err)
		}
		b := make([]byte, len(raw))
		for i, r := range raw {
			// 256 % 31 leaves a bias under 1%: harmless for codes.
			b[i] = codeAlphabet[int(r)%len(codeAlphabet)]
		}
		if codes.Get(b) == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("referral code: no free code after 16 tries")
}

func putJSON(b *bolt.Bucket, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(id), data)
}

func getJSON(b *bolt.Bucket, id string, v any, what string) error {
	data := b.Get([]byte(id))
	if data == nil {
		return notFound(what, id)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s %q: %w", what, id, err)
	}
	return nil
}

func hasPrefix(k, prefix []byte) bool {
	return len(k) >= len(prefix) && string(k[:len(prefix)]) == string(prefix)
}

func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		// Keys point into pages a Delete may rewrite: copy them first.
		keys = append(keys, bytes.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func preview(ids []string) string {
	if len(ids) > 5 {
		return strings.Join(ids[:5], ", ") + fmt.Sprintf(" and %d more", len(ids)-5)
	}
	return strings.Join(ids, ", ")
}

// wrap adds context to internal errors; *bot.Error values pass as they
// are, since their message is for the user.
func wrap(what string, err error) error {
	if err == nil || bot.AsError(err) != nil {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}
