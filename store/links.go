package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"partnerbot/bot"
)

// LinkCode is a one-time code that connects a chat account to a partner.
type LinkCode struct {
	Partner string    `json:"partner"`
	Issuer  string    `json:"issuer"` // who asked for it: a manager id or "admin"
	Expires time.Time `json:"expires"`
}

// PutLinkCode stores a new one-time link code. Returns ECONFLICT when the
// code exists (the caller draws another) and ENOTFOUND for an unknown
// partner.
func (s *Store) PutLinkCode(ctx context.Context, code string, lc LinkCode) error {
	return wrap("put link code", s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPartners).Get([]byte(lc.Partner)) == nil {
			return notFound("partner", lc.Partner)
		}
		b := tx.Bucket(bucketLinkCodes)
		k := []byte(normCode(code))
		if b.Get(k) != nil {
			return bot.Keyed(bot.ECONFLICT, "store.link_code.exists", "link code exists")
		}
		// Expired codes are dropped whenever a new one is made, so the
		// bucket never grows past the codes still in play.
		var stale [][]byte
		c := b.Cursor()
		for ck, v := c.First(); ck != nil; ck, v = c.Next() {
			var old LinkCode
			if json.Unmarshal(v, &old) != nil || lc.Expires.Sub(old.Expires) > 30*24*time.Hour || old.Expires.Before(s.now()) {
				stale = append(stale, bytes.Clone(ck))
			}
		}
		for _, ck := range stale {
			if err := b.Delete(ck); err != nil {
				return err
			}
		}
		return putJSON(b, string(k), &lc)
	}))
}

// RedeemLinkCode links the chat account platform:user to the code's
// partner and spends the code, in one transaction. Returns ENOTFOUND for
// an unknown or spent code, EINVALID for an expired one (which is spent
// too), ECONFLICT when the account already belongs to someone else.
func (s *Store) RedeemLinkCode(ctx context.Context, code, platform, user string, now time.Time) (*bot.Partner, error) {
	var p bot.Partner
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketLinkCodes)
		k := []byte(normCode(code))
		var lc LinkCode
		if err := getJSON(b, string(k), &lc, "link code"); err != nil {
			return bot.Keyed(bot.ENOTFOUND, "store.link_code.unknown", "unknown or used link code")
		}
		if now.After(lc.Expires) {
			// Returning an error rolls this transaction back; the caller
			// spends the expired code in a transaction of its own.
			return errExpired
		}
		if err := getJSON(tx.Bucket(bucketPartners), lc.Partner, &p, "partner"); err != nil {
			return err
		}
		old := partnerIdentities(&p)
		switch platform {
		case "slack":
			p.SlackUser = user
		case "discord":
			p.DiscordUser = user
		default:
			return bot.Keyed(bot.EINVALID, "store.link.platform", "cannot link a %s account", platform)
		}
		if err := setIdentities(tx, Identity{"partner", p.ID}, old, partnerIdentities(&p)); err != nil {
			return err
		}
		p.Updated = s.now()
		if err := putJSON(tx.Bucket(bucketPartners), p.ID, &p); err != nil {
			return err
		}
		return b.Delete(k)
	})
	if err == errExpired {
		_ = s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketLinkCodes).Delete([]byte(normCode(code))) })
		return nil, bot.Keyed(bot.EINVALID, "store.link_code.expired", "link code expired")
	}
	if err != nil {
		return nil, wrap("redeem link code", err)
	}
	s.touchPartners()
	return &p, nil
}

var errExpired = fmt.Errorf("expired")

// normCode makes codes case- and dash-insensitive: "k7m-p2q" = "K7MP2Q".
func normCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}

// Note is a manager's record of a contact with a partner.
type Note struct {
	At      time.Time `json:"at"`
	Manager string    `json:"manager"`
	Text    string    `json:"text,omitempty"`
}

// AddNote stores a contact note for a partner. Returns ENOTFOUND.
func (s *Store) AddNote(ctx context.Context, partner string, n Note) error {
	return wrap("add note", s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPartners).Get([]byte(partner)) == nil {
			return notFound("partner", partner)
		}
		k := binary.BigEndian.AppendUint64(prefixKey(partner), timeBits(n.At))
		return putJSON(tx.Bucket(bucketNotes), string(k), &n)
	}))
}

// Notes returns a partner's latest contact notes, newest first, at most
// limit of them.
func (s *Store) Notes(ctx context.Context, partner string, limit int) ([]Note, error) {
	var out []Note
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := prefixKey(partner)
		c := tx.Bucket(bucketNotes).Cursor()
		// Seek past the prefix and walk back: newest first.
		end := append(bytes.Clone(prefix), 0xff)
		k, v := c.Seek(end)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && hasPrefix(k, prefix) && len(out) < limit; k, v = c.Prev() {
			var n Note
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}
