package ingest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"partnerbot/bot"
)

// partnerColumns are the CSV columns of a partner file: the partner JSON
// fields. Lists (tags, coupons, mute) are separated by ';' or ',', and
// external_ids are platform=id pairs ("dub=pn_1;tolt=part_2").
var partnerColumns = map[string]func(p *bot.Partner, v string) error{
	"id":               func(p *bot.Partner, v string) error { p.ID = v; return nil },
	"name":             func(p *bot.Partner, v string) error { p.Name = v; return nil },
	"contact_name":     func(p *bot.Partner, v string) error { p.ContactName = v; return nil },
	"contact_vocative": func(p *bot.Partner, v string) error { p.ContactVocative = v; return nil },
	"manager":          func(p *bot.Partner, v string) error { p.Manager = v; return nil },
	"locale":           func(p *bot.Partner, v string) error { p.Locale = bot.Locale(v); return nil },
	"timezone":         func(p *bot.Partner, v string) error { p.Timezone = v; return nil },
	"status":           func(p *bot.Partner, v string) error { p.Status = bot.Status(v); return nil },
	"slack_user":       func(p *bot.Partner, v string) error { p.SlackUser = v; return nil },
	"slack_channel":    func(p *bot.Partner, v string) error { p.SlackChannel = v; return nil },
	"discord_user":     func(p *bot.Partner, v string) error { p.DiscordUser = v; return nil },
	"discord_channel":  func(p *bot.Partner, v string) error { p.DiscordChannel = v; return nil },
	"referral_code":    func(p *bot.Partner, v string) error { p.ReferralCode = v; return nil },
	"landing_url":      func(p *bot.Partner, v string) error { p.LandingURL = v; return nil },
	"tags":             func(p *bot.Partner, v string) error { p.Tags = splitItems(v); return nil },
	"coupons":          func(p *bot.Partner, v string) error { p.Coupons = splitItems(v); return nil },
	"mute":             func(p *bot.Partner, v string) error { p.Mute = splitItems(v); return nil },
	"joined": func(p *bot.Partner, v string) error {
		if v == "" {
			return nil
		}
		d, err := bot.ParseDate(v)
		if err != nil {
			return err
		}
		p.Joined = d
		return nil
	},
	"leaderboard_opt_in": func(p *bot.Partner, v string) error {
		switch strings.ToLower(v) {
		case "", "false", "no", "0":
			p.LeaderboardOK = false
		case "true", "yes", "1":
			p.LeaderboardOK = true
		default:
			return fmt.Errorf("%q is not true or false", v)
		}
		return nil
	},
	"external_ids": func(p *bot.Partner, v string) error {
		ids, err := ParseExternalIDs(v)
		p.ExternalIDs = ids
		return err
	},
}

func splitItems(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// ParseExternalIDs reads "dub=pn_1;tolt=part_2" (';' or ',' between
// pairs; ':' may stand for '='). Returns EINVALID.
func ParseExternalIDs(s string) (map[string]string, error) {
	items := splitItems(s)
	if len(items) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(items))
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		if !ok {
			k, v, ok = strings.Cut(it, ":")
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return nil, bot.FieldError("external_ids", "%q is not platform=id, like dub=pn_123", it)
		}
		out[k] = v
	}
	return out, nil
}

// ParsePartners reads a partner file: NDJSON of the partner JSON (the
// API's shape) or CSV with a header row of its field names; the format
// is told by the first character. It returns the partners and each one's
// line. Errors are EINVALID naming the line and, where it can, the field.
func ParsePartners(r io.Reader) ([]bot.Partner, []int, error) {
	br := bufio.NewReader(r)
	for {
		b, err := br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil, bot.Errorf(bot.EINVALID, "the file holds no partners")
			}
			return nil, nil, err
		}
		if c := b[0]; c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			br.ReadByte()
			continue
		}
		if b[0] == '{' {
			return partnersNDJSON(br)
		}
		return partnersCSV(br)
	}
}

func partnersNDJSON(r io.Reader) ([]bot.Partner, []int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var ps []bot.Partner
	var lines []int
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		var p bot.Partner
		if err := dec.Decode(&p); err != nil {
			return nil, nil, jsonLineError(n, err)
		}
		if dec.More() {
			return nil, nil, &bot.Error{Code: bot.EINVALID, Line: n, Message: "one partner per line"}
		}
		ps = append(ps, p)
		lines = append(lines, n)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read partners: %w", err)
	}
	if len(ps) == 0 {
		return nil, nil, bot.Errorf(bot.EINVALID, "the file holds no partners")
	}
	return ps, lines, nil
}

func jsonLineError(n int, err error) error {
	e := &bot.Error{Code: bot.EINVALID, Line: n, Message: err.Error()}
	var te *json.UnmarshalTypeError
	var be *bot.Error
	switch {
	case errors.As(err, &be):
		e.Field, e.Message = be.Field, be.Message
	case errors.As(err, &te):
		e.Field = te.Field
		e.Message = fmt.Sprintf("expected %s, got a JSON %s", te.Type, te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		e.Field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e.Message = "unknown field"
	default:
		e.Message = "not a JSON object: " + err.Error()
	}
	return e
}

func partnersCSV(r io.Reader) ([]bot.Partner, []int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, nil, &bot.Error{Code: bot.EINVALID, Line: 1, Message: "no header row: " + err.Error()}
	}
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		head[i] = h
		if partnerColumns[h] == nil {
			return nil, nil, &bot.Error{Code: bot.EINVALID, Line: 1, Field: h, Message: "unknown column (use the partner JSON field names: id, name, manager, external_ids, coupons, ...)"}
		}
		if seen[h] {
			return nil, nil, &bot.Error{Code: bot.EINVALID, Line: 1, Field: h, Message: "column given twice"}
		}
		seen[h] = true
	}
	if !seen["id"] {
		return nil, nil, &bot.Error{Code: bot.EINVALID, Line: 1, Field: "id", Message: "the header has no id column"}
	}
	var ps []bot.Partner
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, &bot.Error{Code: bot.EINVALID, Line: pe.Line, Message: pe.Err.Error()}
			}
			return nil, nil, fmt.Errorf("read partners: %w", err)
		}
		// Only a record that was read has positions: asking after an
		// error panics.
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(head) {
			return nil, nil, &bot.Error{Code: bot.EINVALID, Line: line, Message: fmt.Sprintf("%d fields, the header has %d", len(rec), len(head))}
		}
		var p bot.Partner
		for i, v := range rec {
			if err := partnerColumns[head[i]](&p, strings.TrimSpace(v)); err != nil {
				msg := err.Error()
				if be := bot.AsError(err); be != nil {
					msg = be.Message
				}
				return nil, nil, &bot.Error{Code: bot.EINVALID, Line: line, Field: head[i], Message: msg}
			}
		}
		ps = append(ps, p)
		lines = append(lines, line)
	}
	if len(ps) == 0 {
		return nil, nil, bot.Errorf(bot.EINVALID, "the file holds no partners")
	}
	return ps, lines, nil
}
