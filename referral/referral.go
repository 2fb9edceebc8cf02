// Package referral is everything about a partner's referral link: the
// link itself, its QR code, a share message partners can copy, and the
// /r/{code} redirect that counts a click and sends the customer on to the
// partner's landing page with the code attached.
package referral

import (
	"net/url"
	"strings"

	"partnerbot/bot"
)

// Link returns the partner's referral link, {publicURL}/r/{code}. A
// trailing slash on publicURL is ignored.
func Link(publicURL, code string) string {
	return strings.TrimRight(publicURL, "/") + "/r/" + url.PathEscape(code)
}

// ShareText returns a short message in the locale (Polish unless en) that
// a partner can copy, edit and send to customers, with the link in it.
//
// The name leads as a headline rather than sitting inside the sentence:
// Polish would decline it ("w Sklepie u Janka"), and a name cannot be
// declined by a program.
func ShareText(locale bot.Locale, p *bot.Partner, link string) string {
	name := ""
	if p != nil {
		name = strings.TrimSpace(p.Name)
	}
	if locale == bot.LocaleEN {
		if name == "" {
			return "Shop with cashback! Scan the QR code or use my link: " + link
		}
		return name + ": shop with cashback! Scan the QR code or use my link: " + link
	}
	if name == "" {
		return "Kupuj z cashbackiem! Zeskanuj kod QR albo wejdź przez mój link: " + link
	}
	return name + ": kupuj z cashbackiem! Zeskanuj kod QR albo wejdź przez mój link: " + link
}
