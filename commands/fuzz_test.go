package commands_test

import (
	"strings"
	"testing"

	"partnerbot/bot"
	"partnerbot/commands"
)

// FuzzParseText: any text typed after any command is its arguments or an
// EINVALID (ENOTFOUND for an unknown command) error. Arguments are only
// those the command declares; a word argument has no spaces; a rest
// argument is trimmed; together they hold every word typed.
func FuzzParseText(f *testing.F) {
	svc := commands.New(commands.Options{})
	for _, s := range []string{"", "2026-11", "janko called about the new QR", "  a   b  ", "apteka Dzień dobry,\tczy QR?", "a\u00a0b", "x y z w v"} {
		f.Add("contact", s)
		f.Add("mystats", s)
	}
	f.Add("nonexistent", "x")
	f.Fuzz(func(t *testing.T, name, text string) {
		args, err := svc.ParseText(name, text)
		sp, known := svc.Spec(name)
		switch {
		case !known:
			if bot.ErrorCode(err) != bot.ENOTFOUND {
				t.Fatalf("unknown /%s: err %v, want ENOTFOUND", name, err)
			}
			return
		case err != nil:
			if bot.ErrorCode(err) != bot.EINVALID {
				t.Fatalf("/%s %q: err %v, want EINVALID", name, text, err)
			}
			return
		}
		declared := map[string]commands.Arg{}
		for _, a := range sp.Args {
			declared[a.Name] = a
		}
		var got []string
		for k, v := range args {
			if k == commands.ExtraArgs {
				got = append(got, strings.Fields(v)...)
				continue
			}
			a, ok := declared[k]
			if !ok {
				t.Fatalf("/%s %q: undeclared argument %q", name, text, k)
			}
			if !a.Rest && strings.Contains(v, " ") {
				t.Fatalf("/%s %q: word argument %s = %q has a space", name, text, k, v)
			}
			if v != strings.TrimSpace(v) && a.Rest {
				t.Fatalf("/%s %q: rest argument %s = %q is not trimmed", name, text, k, v)
			}
			got = append(got, strings.Fields(v)...)
		}
		if len(got) != len(strings.Fields(text)) {
			t.Fatalf("/%s %q: arguments %v lost words", name, text, args)
		}
	})
}
